/*
 * jobs/status.c — `dmpremb status`'s one transaction: a read-only snapshot.
 *
 * Every figure comes from the same snapshot (REPEATABLE READ), so a feed
 * committing meanwhile cannot make "due" and "overdue" disagree. Nothing is
 * written; a kill at any point leaves nothing behind.
 */
#include "jobs/status.h"
#include "load/db.h"
#include "load/feed_io.h"
#include "load/status_io.h"

#include <stdio.h>

int jobs_status(PGconn *c, const char *as_of, struct status *s)
{
	struct feed_window w;
	int rc;

	/* the as-of as feed reads it (same checks, same message) */
	if ((rc = feed_window(c, as_of, &w)) != 0)
		return rc;
	snprintf(s->as_of, sizeof(s->as_of), "%s", w.as_of);
	if ((rc = db_begin_snapshot(c)) != 0)
		return rc;
	if ((rc = status_read_promises(c, s)) == 0 && (rc = status_read_dossiers(c, s)) == 0)
		rc = status_read_runs(c, s);
	db_rollback(c);
	return rc;
}

void jobs_status_free(struct status *s)
{
	status_free(s);
}
