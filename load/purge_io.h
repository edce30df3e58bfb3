/*
 * load/purge_io.h — what `purge` asks of the database, one call at a time.
 *
 * The rules live in sql/006_retention.sql (functions owned by dmpremb_owner,
 * executable by dmpremb_ingest alone); this side only calls them. Each call
 * below is one statement, hence its own transaction; jobs/purge.c strings
 * them into the purge:
 *   1. claim_line partitions processed before the cutoff (one DROP each,
 *      under lock_timeout), the claim_stat rows of those months, hospital
 *      stays that ended before the cutoff;
 *   2. the claims of closed (past their grace) and deceased dossiers, by
 *      slices of dossiers in INS-C order;
 *   3. document_version rows beyond their retention (never the current one);
 *   4. rejects of old batches and work lists of old backfills.
 * With o->dry_run the same functions count instead of removing.
 * docs/retention.md gives the rules and why.
 */
#ifndef DR_PURGE_IO_H
#define DR_PURGE_IO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "lib/reports.h"

/* Fixes the as-of (DR_E_USAGE when it is not a timestamp or in the future),
 * the cutoff and the list of partitions to drop, into r. */
int purge_read_plan(PGconn *c, const struct purge_opts *o, struct purge_report *r);

/* The purge's session lock; DR_E_RETRY when another purge holds it. */
int purge_lock(PGconn *c);
/* The session's lock_timeout: a DROP gives up instead of queueing every reader. */
int purge_set_lock_timeout(PGconn *c, long seconds);

/* DROPs partition p: *rows it held; *busy when the lock timeout came first
 * (not an error: the next purge does it); p->dropped false when another
 * purge dropped it meanwhile. */
int purge_drop_partition(PGconn *c, const struct purge_opts *o, const struct purge_report *r,
			 struct purge_partition *p, long long *rows, bool *busy);
/* The claim_stat rows of the dropped months. */
int purge_claim_stat(PGconn *c, const struct purge_opts *o, struct purge_report *r);

/* The sliced steps, in the order they run. */
enum purge_step { PURGE_OLD_STAYS, PURGE_CLOSED_CLAIMS, PURGE_VERSIONS, PURGE_REJECTS, PURGE_BACKFILL_LISTS,
		  PURGE_NSTEPS };
/* where the next slice of a step starts: sealed keys (sql/012_privacy.sql),
 * opaque here, never an identifier */
struct purge_cursor {
	char key[512];            /* 64 to 200 hex digits */
	bool started, done;
};
/* What the step does, for messages ("removing old version rows"). */
const char *purge_step_name(enum purge_step step);
/* One slice of step from cur, its counts added to r; cur->done after the last. */
int purge_slice(PGconn *c, enum purge_step step, const struct purge_opts *o, struct purge_cursor *cur,
		struct purge_report *r);

void purge_report_free(struct purge_report *r);

#endif
