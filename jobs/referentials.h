/*
 * jobs/referentials.h — `dmpremb referentials load`: the ref_* tables replaced.
 */
#ifndef DR_JOBS_REFERENTIALS_H
#define DR_JOBS_REFERENTIALS_H

#include <libpq-fe.h>

#include "lib/refspec.h"

/*
 * Loads every known file found in snds_dir and/or bdpm_dir (either may be
 * NULL) in one transaction: each table found is replaced whole, keeping the
 * last record of a repeated key, and its referential_file row upserted with
 * run_id. Unknown files are ignored (warning); known files missing are
 * reported (res[i].found false) and their table left as it was. res
 * (REF_MAX_FILES entries) gets one per spec of the sources asked; *nres their
 * count. Returns 0, DR_E_NOINPUT when no file at all was found or a directory
 * cannot be read, DR_E_DATA when a file is refused (nothing changed), or a
 * database/interrupt code.
 */
int jobs_referentials_load(PGconn *c, const char *snds_dir, const char *bdpm_dir, long long run_id,
			   struct ref_result *res, int *nres);

#endif
