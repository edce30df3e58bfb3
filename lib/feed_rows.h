/*
 * lib/feed_rows.h — what a feed reads of a dossier, and what it stores of a
 * document: the rows load/feed_io.c fetches (identity, stays, claim lines)
 * and transform/build.c turns into a document model, and the metadata of a
 * rendered document load/feed_io.c stores. Shared by load, transform and
 * jobs, so it depends on nothing of the project (docs/architecture.md).
 */
#ifndef DR_FEED_ROWS_H
#define DR_FEED_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/uuid.h"

/* The sections of a document that hold rows (transform/doc_model.h
 * DOC_SECTIONS, checked there at compile time). */
#define FEED_DOC_SECTIONS 7

/* One loaded claim line (claim_line), as fetched. Codes are text, NULL when absent. */
struct claim_in {
	char domain;             /* P pharmacie, A actes, R radiologie, B biologie */
	char date[9];            /* EXE_SOI_DTD, AAAAMMJJ */
	long qty;                /* signed quantity */
	const char *pha_prs_c13, *tip_prs_ide, *pha_atc_c07;
	const char *prs_nat_ref, *cam_prs_ide, *bio_prs_ide;
	const char *pfs_exe_num, *pse_spe_cod, *etb_exe_fin;
	const char *pfs_pre_num, *psp_spe_cod, *etb_pre_fin;
	const char *line_key;    /* tie-break, so the kept descriptive values are stable */
};

/* One stay (hospital_stay) that ends on or after the window's first day. */
struct stay_in {
	char ent[9];             /* ENT_DAT */
	char sor[9];             /* SOR_DAT, "" when absent */
	char end[9];             /* last day for the H mark: SOR_DAT, else ENT_DAT + SEJ_NBJ */
	const char *eta_num, *grg_ghm, *ghs_num;
};

struct dossier_in {
	const char *ins_c;
	/* identity (beneficiary); has_identity false when no batch brought it yet */
	bool has_identity;
	const char *ben_nir, *ben_nir_cle, *nom_nai, *nom_usu, *prn, *prn_lis, *nai_dte, *nai_com;
	int sex;
	/* the latest stored version (document_version), prev_version 0 when none */
	int prev_version;
	const char *prev_set_id, *prev_doc_id;
	struct claim_in *claims;
	size_t n_claims;
	struct stay_in *stays;
	size_t n_stays;
};

/* A rendered document: its metadata (the bytes go straight to the COPY). */
struct feed_doc {
	const char *ins_c;        /* the chunk's */
	char set_id[UUID_LEN + 1], doc_id[UUID_LEN + 1];
	int version;
	bool rendered;            /* false: skipped (no identity, or too_large) */
	size_t bytes;
	bool too_large;           /* larger than the run's limit: not stored */
	size_t claim_lines;       /* when too_large: the dossier's claim lines */
	char sha256[65];
	long section_rows[FEED_DOC_SECTIONS];
};

#endif
