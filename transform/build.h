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
#include "lib/feed_rows.h"
#include "transform/doc_model.h"
#include "transform/refcache.h"

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

/* What build_model() made of a dossier: an outcome, not an error. */
enum build_outcome {
	BUILD_OK = 0,
	BUILD_NO_IDENTITY = 1,   /* no beneficiary identity yet: no model, no message */
};

/* Fills *m (allocations from a, which the caller resets per document).
 * Returns BUILD_OK, BUILD_NO_IDENTITY, or DR_E_NOMEM. */
int build_model(const struct build_ctx *ctx, struct dossier_in *d, struct arena *a,
		struct doc_model *m, struct build_stats *st);

#endif
