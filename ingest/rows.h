/*
 * ingest/rows.h — one line of an extract file to one staging row.
 *
 * The files of a batch, their columns (SNDS names, matched by header name in
 * any order, unknown ones ignored), and the validation of each line as
 * docs/validation.md states it. A line ends as ROW_STAGE (valid: the staging
 * row is filled), ROW_REJECT (the staging row carries the reason) or
 * ROW_FILTER (valid but not care to show: nothing is staged). Duplicates,
 * conflicts and lines of a deleted dossier are decided later, in SQL, against
 * what is stored.
 *
 * One struct rows_file per file being parsed, owned by one worker thread; the
 * staging row's values point into its scratch arena until the next line.
 */
#ifndef DR_ROWS_H
#define DR_ROWS_H

#include "ingest/csvr.h"
#include "ingest/stage.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/sha256.h"
#include "lib/text.h"

#define FILE_KINDS(X) \
	X(BENEFICIAIRES, "beneficiaires.csv") \
	X(PHARMACIE, "pharmacie.csv") \
	X(HOSPITALISATION, "hospitalisation.csv") \
	X(ACTES, "actes.csv") \
	X(RADIOLOGIE, "radiologie.csv") \
	X(BIOLOGIE, "biologie.csv") \
	X(PROFESSIONNELS, "professionnels.csv") \
	X(ETABLISSEMENTS, "etablissements.csv")

#define FK_ENUM(id, file) FK_##id,
enum file_kind { FILE_KINDS(FK_ENUM) FK_COUNT };
#undef FK_ENUM

#define REJECT_REASONS(X) \
	X(field_count) X(encoding) X(too_long) X(bad_quote) X(missing) X(bad_date) \
	X(bad_nir) X(bad_nir_key) X(bad_cip13) X(bad_lpp) X(bad_ccam) X(bad_nabm) \
	X(bad_atc) X(bad_quantity) X(bad_number) X(bad_code) X(bad_value) X(product) \
	X(care_after_processing) X(death_before_birth) X(processing_out_of_window)

/* The processing dates (FLX_TRT_DTD) a claim line may carry: from
 * ROWS_PROCESSING_FLOOR to ROWS_PROCESSING_AHEAD_YEARS after today (each
 * processing month is a partition of claim_line: docs/validation.md). */
#define ROWS_PROCESSING_FLOOR_Y 2000
#define ROWS_PROCESSING_AHEAD_YEARS 2

#define RR_ENUM(code) RR_##code,
enum reject_reason { REJECT_REASONS(RR_ENUM) RR_COUNT };
#undef RR_ENUM

/* Filter rules. The first three are decided here, line by line; DOSSIER_SUPPRIME
 * (the person's dossier is deleted) needs the stored dossiers, so the SQL
 * merge decides it (load/batch_merge.c) and rows_line() never returns it. */
#define FILTER_RULES(X) X(DPN_QLF_71) X(GHM_ERREUR) X(GHS_9999) X(DOSSIER_SUPPRIME)
#define FR_ENUM(code) FR_##code,
enum filter_rule { FILTER_RULES(FR_ENUM) FR_COUNT };
#undef FR_ENUM

enum row_outcome { ROW_STAGE, ROW_REJECT, ROW_FILTER };

#define ROWS_MAX_COLS 64

struct rows_file {
	enum file_kind kind;
	int file_no;                 /* position in the manifest, stored in staging */
	enum text_encoding enc;
	const char *name;
	int header_fields;
	long processing_lo, processing_hi;   /* FLX_TRT_DTD window, in field_date_days() */
	int colmap[ROWS_MAX_COLS];   /* source column -> field index, -1 absent */
	/* counters of this file */
	long read, filtered, rejected;
	long by_rule[FR_COUNT];
	long by_reason[RR_COUNT];
	/* per-line storage */
	struct arena scratch;
	struct buf conv;
	struct sha256 sha;           /* reused for every line's identity */
};

/* Kind of a file name (e.g. "pharmacie.csv"), or -1 when not a known file. */
int rows_kind_of(const char *name);
const char *rows_kind_file(enum file_kind k);
const char *rows_reason_name(enum reject_reason r);
const char *rows_rule_name(enum filter_rule r);

void rows_file_init(struct rows_file *f, enum file_kind kind, int file_no,
		    enum text_encoding enc, const char *name);
void rows_file_free(struct rows_file *f);

/* Maps the header record; DR_E_DATA (message names file and column) when a
 * required column is missing or a known column appears twice. */
int rows_header(struct rows_file *f, const struct csvr_record *rec);

/* Validates a data record into *out; returns a row_outcome and counts it. */
enum row_outcome rows_line(struct rows_file *f, const struct csvr_record *rec, struct stage_row *out);

#endif
