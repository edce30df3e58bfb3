/*
 * jobs/referentials.c — `dmpremb referentials load`: one transaction.
 *
 *   ref_scan (ingest) --known files--> for each, in ref_specs order:
 *     ref_read (ingest) --records--> COPY ref_stage (load)
 *     ref_replace, ref_record_file (load)
 *   all files in one transaction, behind an advisory lock.
 *
 * A kill at any point (kill point referentials-file, after each file) leaves
 * the tables as they were; running the same load again does it all (t0950).
 * SIGINT/SIGTERM: the file being read stops, nothing changed.
 */
#include "jobs/referentials.h"
#include "ingest/referentials.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "load/db.h"
#include "load/referentials_io.h"

#include <stdio.h>

/* Stages the file's records, then replaces the table with them. The
 * statements' messages name the file ("CIS_bdpm.txt: ..."); the reader's
 * name its path, line and column themselves. */
static int load_one(PGconn *c, const char *path, long long run_id, struct ref_result *res)
{
	struct ref_stage st;
	struct dr_errline at;
	long long staged = 0;
	int rc;

	dr_errline_push(&at, res->spec->file, NULL);
	rc = ref_stage_begin(c, res->spec, &st);
	if (rc == 0) {
		dr_errctx_pop(&at.ctx);
		rc = ref_read(res->spec, path, ref_stage_row, &st, &res->counts);
		dr_errline_push(&at, res->spec->file, NULL);
		if (rc)
			ref_stage_abort(&st, "referential file refused");   /* keeps the message */
		else
			rc = ref_stage_finish(&st, &staged);
	}
	if (rc == 0)
		rc = ref_replace(c, staged, res);
	if (rc == 0)
		rc = ref_record_file(c, run_id, res);
	dr_errctx_pop(&at.ctx);
	return rc;
}

int jobs_referentials_load(PGconn *c, const char *snds_dir, const char *bdpm_dir, long long run_id,
			   struct ref_result *res, int *nres)
{
	const char *dirs[2] = { snds_dir, bdpm_dir };
	char path[4096];
	int rc = ref_scan(snds_dir, bdpm_dir, res, nres);

	if (rc)
		return rc;
	rc = db_begin(c);
	if (rc == 0)
		rc = ref_lock(c);
	for (int i = 0; i < *nres && rc == 0; i++) {
		if (!res[i].found)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[res[i].spec->source], res[i].spec->file);
		rc = load_one(c, path, run_id, &res[i]);
		dr_killpoint("referentials-file");
	}
	if (rc == 0 && dr_interrupted())
		rc = dr_error(DR_E_INTERRUPTED, "interrupted before commit: nothing changed");
	if (rc == 0)
		rc = db_commit(c);
	if (rc)
		db_rollback(c);   /* keeps the error message */
	return rc;
}
