/*
 * ingest/referentials.h — the referential files we know, how to read them,
 * and how they replace the ref_* tables.
 *
 *   SNDS dir (*.csv, ';', UTF-8, header) --ref_snds--+
 *                                                    +--> values --> COPY ref_stage
 *   BDPM dir (*.txt, TAB, CP1252, no header) --ref_bdpm--+        --> ref_* (one transaction)
 *
 * ref_specs[] is the catalogue: for each known file, its table, the columns
 * we keep (by header name for SNDS, by position for BDPM) and how each value
 * is normalised (ref_value()). The readers stream the file (ingest/lines.c: fixed
 * chunks, one line at a time), so memory does not grow with the file; they
 * hand each data record to a callback as normalised UTF-8 strings.
 *
 * ref_load() reads every known file found in the given directories and
 * replaces the tables in one transaction (see docs/referentials.md).
 *
 * Errors name the file, the line (physical line where the record starts, as
 * an editor counts) and the column, never the value: DR_E_DATA for a file
 * that cannot be read as its format says.
 */
#ifndef DR_REFERENTIALS_H
#define DR_REFERENTIALS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

enum ref_source { REF_SNDS, REF_BDPM };

enum ref_kind {
	REF_CODE,    /* text code: ends trimmed, inner spaces kept ("A   F"); a line
			break inside ends it (CCAM "JANH798\n[A]": the rest is a note) */
	REF_DIGITS,  /* ASCII digits, leading zeros kept; exact length when len > 0 */
	REF_INT,     /* whole number for an int column: leading zeros dropped */
	REF_LABEL,   /* text: each run of blanks holding CR/LF or TAB becomes one
			space, ends trimmed */
};

struct ref_col {
	const char *name;     /* header name (SNDS) or official column name (BDPM) */
	const char *sql;      /* column of the table */
	enum ref_kind kind;
	unsigned char len;    /* REF_DIGITS: exact length, 0 = any */
	bool required;        /* empty value: the record is skipped (counted) */
	signed char pos;      /* BDPM: 0-based field position; SNDS: -1 (by header) */
};

#define REF_MAX_COLS 8

struct ref_spec {
	const char *file;          /* exact file name, e.g. "IR_CCAM_V63.csv" */
	enum ref_source source;
	const char *table;         /* ref_* table */
	const char *pk;            /* primary key columns, for "keep the last" */
	bool line_no;              /* the table has a line_no column (record's line) */
	int nfields;               /* BDPM: fields of a line, trailing empty ones aside */
	int repair_after;          /* BDPM: surplus empty fields right after this
				      position are dropped (stray tabs); -1: none */
	const char *const *field_names; /* BDPM: official name of each position */
	int ncols;
	struct ref_col cols[REF_MAX_COLS];
};

#define REF_MAX_FILES 16   /* at least ref_nspecs */

extern const struct ref_spec ref_specs[];
extern const int ref_nspecs;

/* The spec of a known file name of that source, or NULL. */
const struct ref_spec *ref_spec_find(enum ref_source source, const char *file);

/* What reading one file found. records = rows handed to the callback + skipped. */
struct ref_counts {
	long long records;    /* data records (header excluded) */
	long long skipped;    /* records with an empty required value */
	long long repaired;   /* records fixed deterministically (stray tabs, CCAM notes) */
	long long bytes;
	char sha256[65];      /* of the file's bytes, lower-case hex */
};

/*
 * Called once per kept record: values[i] is the normalised value of
 * spec->cols[i] (NUL-terminated UTF-8, NULL for SQL NULL), valid until the
 * callback returns; line is the physical line where the record starts.
 * Returns 0 to go on, or a DR_E_* code that stops the reading.
 */
typedef int (*ref_row_fn)(void *arg, const char *const *values, long line);

/*
 * Reads path as spec says, calling fn for each record. Returns 0, DR_E_DATA
 * (format broken: message names path, line and column), DR_E_NOINPUT/DR_E_IO
 * (cannot open/read), or fn's code. *out is filled in every case.
 */
int ref_read(const struct ref_spec *spec, const char *path, ref_row_fn fn, void *arg,
	     struct ref_counts *out);

/*
 * Appends the normalised value of raw[0..n) (UTF-8) for col to out, followed
 * by a NUL. Returns 0, 1 when the value is empty (*null set: NULL, or a skip
 * when col->required), 2 when a line break was cut from a code (value kept,
 * count as repaired), or DR_E_DATA naming path, line and column.
 */
int ref_value(const struct ref_col *col, const char *raw, size_t n, struct buf *out,
	      const char *path, long line);

/* One file's outcome in a load. */
struct ref_result {
	const struct ref_spec *spec;
	bool found;
	long long loaded;       /* rows in the table after the load */
	long long duplicates;   /* records whose key a later record repeated */
	struct ref_counts counts;
};

/*
 * Loads every known file found in snds_dir and/or bdpm_dir (either may be
 * NULL) in one transaction: each table found is replaced whole (DELETE +
 * INSERT from a COPY-filled staging table, keeping the last record of a
 * repeated key) and its referential_file row upserted with run_id. Files
 * that are not known are ignored (warning); known files that are missing
 * are reported (res[i].found false) and their table is left as it was.
 * res (REF_MAX_FILES entries) gets one per spec of the sources asked, in ref_specs order;
 * *nres their count. Returns 0, DR_E_NOINPUT when no file at all was found
 * or a directory cannot be read, DR_E_DATA when a file is refused (nothing
 * changed), or a database/interrupt code.
 */
int ref_load(PGconn *conn, const char *snds_dir, const char *bdpm_dir, long long run_id,
	     struct ref_result *res, int *nres);

#endif
