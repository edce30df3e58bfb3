/*
 * jobs/backfill.h — `dmpremb backfill`: re-feed a chosen set of dossiers.
 */
#ifndef DR_JOBS_BACKFILL_H
#define DR_JOBS_BACKFILL_H

#include <libpq-fe.h>

#include "load/backfill_io.h"
#include "jobs/feed.h"

/* --from/--to checked, the --ins-c file loaded into the session (its counts
 * in *lrep): what every backfill does before it lists anything. */
int jobs_backfill_prepare(PGconn *c, const struct backfill_selection *a, struct feed_report *lrep);
/* --dry-run: nothing listed or stored. */
int jobs_backfill_estimate(PGconn *c, const struct backfill_selection *a, const struct feed_opts *o,
			   struct backfill_estimate *e);
/* --resume RUN_ID names a backfill (DR_E_USAGE otherwise; no run recorded). */
int jobs_backfill_check_resume(PGconn *c, long long resume);
/* Takes the list of o->sel.backfill_run for this session; a new backfill
 * (resume false) writes it first, in one transaction: *listed items. */
int jobs_backfill_list(PGconn *c, const struct backfill_selection *a, const struct feed_opts *o, bool resume,
		       long long *listed);
/* Feeds the list's dossiers not done yet (feed_run, FEED_BACKFILL); says how
 * to resume when some are left. */
int jobs_backfill_feed(PGconn *c, long long run_id, const struct feed_opts *o, struct feed_report *rep);

#endif
