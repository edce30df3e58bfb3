/*
 * jobs/purge.h — `dmpremb purge`: the retention rules, slice by slice.
 */
#ifndef DR_JOBS_PURGE_H
#define DR_JOBS_PURGE_H

#include <libpq-fe.h>

#include "lib/reports.h"

/*
 * Fixes the as-of, the cutoff and the partitions to drop (DR_E_USAGE for an
 * as-of in the future), then, unless a dry run, takes the purge lock for the
 * session (DR_E_RETRY when another purge holds it). r is filled; free it
 * with jobs_purge_free().
 */
int jobs_purge_prepare(PGconn *c, const struct purge_opts *o, struct purge_report *r);

/* Runs every step (counting only, with o->dry_run). */
int jobs_purge_run(PGconn *c, const struct purge_opts *o, struct purge_report *r);

void jobs_purge_free(struct purge_report *r);

#endif
