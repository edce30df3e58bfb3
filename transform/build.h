/*
 * transform/build.h — from a dossier's stored rows to its document model.
 *
 * The rules of document.md, in one place:
 *   - the lines given are already those of the window (care date between the
 *     window's low and high days, both included) and never DPN_QLF 71: the
 *     SQL that fetched them applied both;
 *   - netting: lines with the same (section, care date, code, executant) add
 *     up their signed quantities; a net of zero or less gives no row;
 *   - the H mark: ETB_EXE_FIN set, or the care date inside one of the
 *     person's stays (admission and discharge days included);
 *   - labels from the referentials; an unknown code keeps its code, gets a
 *     neutral label and counts as a warning;
 *   - rows newest first, then by code.
 * Pure computation on memory: no database, no I/O, safe in OpenMP workers
 * (each with its own arena).
 */
#ifndef DR_BUILD_H
#define DR_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/arena.h"
#include "transform/doc_model.h"
#include "transform/refcache.h"

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

/* What does not change from one dossier to the next in a run. */
struct build_ctx {
	const struct refcache *rc;
	const char *effective_time;  /* generation time, AAAAMMJJHHMMSS+HHMM */
	const char *period_low;      /* generation time - 24 months, same format */
	char lo[9], hi[9];           /* window days, AAAAMMJJ, both included */
	const char *ins_nir_root;
};

/* Unknown codes, by kind (warnings). */
enum build_warning { BW_CIP, BW_LPP, BW_NGAP, BW_CCAM, BW_NABM, BW_STAY, BW_SPECIALTY, BW_KINDS };
extern const char *const build_warning_names[BW_KINDS];

struct build_stats {
	long lines;                  /* claim lines read */
	long netted_out;             /* lines folded into another or netted to nothing */
	long rows[DOC_SECTIONS];
	long warnings[BW_KINDS];
};

/* Fills *m (allocations from a, which the caller resets per document).
 * Returns 0, DR_E_DATA when the dossier has no identity, or DR_E_NOMEM. */
int build_model(const struct build_ctx *ctx, struct dossier_in *d, struct arena *a,
		struct doc_model *m, struct build_stats *st);

#endif
