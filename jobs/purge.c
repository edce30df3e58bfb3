/*
 * jobs/purge.c — `dmpremb purge`: its transactions and what a kill leaves.
 *
 * Transactions: none of its own. Every call of load/purge_io.c is one
 * statement, so each partition DROP and each slice (--slice dossiers or rows)
 * commits alone. The session holds an advisory lock (one purge at a time)
 * and a lock_timeout, so that a DROP waiting for claim_line gives up instead
 * of queueing every reader behind it.
 *
 * A kill (the kill point purge-slice, after each committed DROP or slice)
 * leaves the slices committed; the next purge finds less to do and finishes
 * (t0820). SIGINT/SIGTERM stops before the next slice: DR_E_INTERRUPTED.
 */
#include "jobs/purge.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "load/purge_io.h"

static int interrupted(const char *step)
{
	return dr_error(DR_E_INTERRUPTED, "interrupted during %s: what was removed stays removed;"
			" run purge again to finish", step);
}

int jobs_purge_prepare(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	int rc = purge_read_plan(c, o, r);

	/* the as-of checked first: a usage error is one even while a purge runs */
	if (rc == 0 && !o->dry_run)
		rc = purge_lock(c);
	return rc;
}

/* Step 1: one DROP per partition; then the claim_stat rows of those months.
 * A DROP that times out leaves that partition, the later ones and the
 * claim_stat rows to the next purge (*busy), and the other steps go on. */
static int drop_partitions(PGconn *c, const struct purge_opts *o, struct purge_report *r, bool *busy)
{
	int rc;

	for (size_t i = 0; i < r->n_parts && !*busy; i++) {
		struct purge_partition *p = &r->parts[i];
		long long rows;
		if (o->dry_run) {
			r->partition_rows += p->rows;
			continue;
		}
		if (dr_interrupted())
			return interrupted("the partition drops");
		if ((rc = purge_drop_partition(c, o, r, p, &rows, busy)) != 0)
			return rc;
		if (*busy) {
			dr_log(DR_LOG_WARN, "purge.busy", "partition=%s lock_timeout_s=%ld reason=\"claim_line in use"
			       " by another transaction; left to the next purge\"", p->name, o->lock_timeout_s);
			break;
		}
		if (!p->dropped)
			continue;
		r->partitions_dropped++;
		r->partition_rows += rows;
		dr_log(DR_LOG_INFO, "purge.partition", "partition=%s from=%s to=%s rows=%lld",
		       p->name, p->from, p->to, rows);
		dr_killpoint("purge-slice");
	}
	if (*busy)          /* their counts go with the partitions, next time */
		return 0;
	return purge_claim_stat(c, o, r);
}

/* Steps 2 to 4: each step's slices until the last */
static int sliced_step(PGconn *c, enum purge_step step, const struct purge_opts *o, struct purge_report *r)
{
	struct purge_cursor cur = { 0 };
	int rc;

	for (;;) {
		if (dr_interrupted())
			return interrupted(purge_step_name(step));
		if ((rc = purge_slice(c, step, o, &cur, r)) != 0)
			return rc;
		if (cur.done)
			return 0;
		if (!o->dry_run)
			dr_killpoint("purge-slice");
	}
}

int jobs_purge_run(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	double t0 = progress_now();
	bool busy = false;
	int rc;

	if ((rc = purge_set_lock_timeout(c, o->lock_timeout_s)) == 0)
		rc = drop_partitions(c, o, r, &busy);
	for (int step = 0; rc == 0 && step < PURGE_NSTEPS; step++)
		rc = sliced_step(c, (enum purge_step)step, o, r);
	if (rc == 0 && busy)
		rc = dr_error(DR_E_RETRY, "%zu partition(s) not dropped: claim_line was in use longer than the lock"
			      " timeout (%ld s); the rest was done; run purge again later",
			      r->n_parts - (size_t)r->partitions_dropped, o->lock_timeout_s);
	r->seconds = progress_now() - t0;
	return rc;
}

void jobs_purge_free(struct purge_report *r)
{
	purge_report_free(r);
}
