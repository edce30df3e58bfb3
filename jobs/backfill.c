/*
 * jobs/backfill.c — `dmpremb backfill`: its transactions and what a kill leaves.
 *
 *   list   one transaction: backfill_item (run_id, seq, ins_c) of this run,
 *          under a session advisory lock on the list (two processes never
 *          work one list);
 *   feed   feed_run(FEED_BACKFILL): chunks as for feed; each chunk marks its
 *          items done in the transaction that stores their documents.
 *
 * A kill before the list commits leaves no list (the run row is closed as
 * interrupted later); after it (kill point backfill-after-list), or during
 * the feed, `backfill --resume RUN_ID` feeds the items not done, none twice
 * (t0950). SIGINT/SIGTERM ends the chunk in progress, then says how to resume.
 */
#include "jobs/backfill.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "load/db.h"

int jobs_backfill_prepare(PGconn *c, const struct backfill_selection *a, struct feed_report *lrep)
{
	int rc;

	if (a->from && (rc = backfill_check_dates(c, a->from, a->to)) != 0)
		return rc;
	if (a->list)
		return feed_load_list(c, a->list, lrep);
	return 0;
}

int jobs_backfill_estimate(PGconn *c, const struct backfill_selection *a, const struct feed_opts *o,
			   struct backfill_estimate *e)
{
	return backfill_estimate(c, a, &o->sel, o->as_of, e);
}

int jobs_backfill_check_resume(PGconn *c, long long resume)
{
	return backfill_check_resume(c, resume);
}

int jobs_backfill_list(PGconn *c, const struct backfill_selection *a, const struct feed_opts *o, bool resume,
		       long long *listed)
{
	int rc;

	*listed = 0;
	if ((rc = backfill_lock_list(c, o->sel.backfill_run)) != 0)
		return rc;
	if (!resume) {
		if ((rc = db_begin(c)) != 0)
			return rc;
		if ((rc = backfill_write_list(c, a, &o->sel, o->sel.backfill_run, listed)) == 0)
			rc = db_commit(c);
		if (rc != 0) {
			db_rollback(c);
			return rc;
		}
	}
	dr_killpoint("backfill-after-list");
	return 0;
}

int jobs_backfill_feed(PGconn *c, long long run_id, const struct feed_opts *o, struct feed_report *rep)
{
	int rc = feed_run(c, run_id, o, rep);

	if (rc == 0 && (rep->backfill_left > 0 || rep->stopped))
		rc = dr_error(DR_E_RETRY, "%lld dossiers of the list are not done yet: run 'dmpremb backfill"
			      " --resume %lld'", rep->backfill_left > 0 ? rep->backfill_left
			      : rep->plan.total - rep->selected, o->sel.backfill_run);
	else if (rc == DR_E_INTERRUPTED)
		rc = dr_error(DR_E_INTERRUPTED, "interrupted after %ld documents: run 'dmpremb backfill --resume %lld'"
			      " to finish", rep->documents, o->sel.backfill_run);
	return rc;
}
