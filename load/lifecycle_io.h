/*
 * load/lifecycle_io.h — the statements of the lifecycle: recording events,
 * folding them into dossiers, destroying on disk what deletions left.
 *
 * Recording (dossiers import, jobs/dossiers.c, one transaction): the file's
 * events COPY'd into a session table, those dated in the future taken out,
 * the others INSERTed into dossier_event (ON CONFLICT DO NOTHING) and their
 * dossiers into dossier.
 *
 * Folding, slice by slice, each slice one transaction of the caller's: the
 * appliers' advisory lock (purge takes it in shared mode), up to N dossiers
 * with events not applied into lc_slice, their whole histories read in fold
 * order, the fold's results (transform/lifecycle.h, by the job) COPY'd into
 * lc_event_out and lc_dossier_out, then lifecycle_store() (sql/010_citus.sql)
 * writes them as the owner, dossier rows first: a feed storing one of them
 * finishes first, and a feed storing one later sees its new state (on Citus
 * a transaction may not touch a dossier's shards as two users, which is why
 * the role writes nothing itself). A newly deleted dossier (SUPPRESSION)
 * loses its documents, versions, traces, claim lines, stays and identity,
 * and keeps a tombstone row.
 */
#ifndef DR_LIFECYCLE_IO_H
#define DR_LIFECYCLE_IO_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/reports.h"
#include "load/copy.h"

/* --- recording ----------------------------------------------------------- */

/* CREATE TEMP TABLE dossier_event_stage and COPY into it on cp. */
int events_stage_open(PGconn *c, struct copy *cp);
/* Takes out the staged events dated later than now + skew: fn(arg, line)
 * for each, in line order; *n how many. */
int events_stage_future(PGconn *c, void (*fn)(void *arg, long long line), void *arg, long long *n);
/* The staged events into dossier_event (*imported new ones) and their new
 * dossiers into dossier (*created). */
int events_stage_apply(PGconn *c, long long run_id, long long *imported, long long *created);
/* The refused events of the dossiers the staged file touched: fn(arg, line
 * (0: recorded earlier), evenement, event_at UTC, outcome), at most 1000;
 * *more when there were more. */
int events_stage_refused(PGconn *c, void (*fn)(void *arg, long long line, const char *evenement,
					      const char *event_at, const char *outcome),
			 void *arg, bool *more);

/* --- folding ------------------------------------------------------------- */

/* The session's staging tables of the fold, once per session. */
int lifecycle_prepare(PGconn *c);
/* In the caller's transaction: the appliers' lock, then up to limit dossiers
 * with events not applied into lc_slice; *n how many. */
int lifecycle_take_slice(PGconn *c, long limit, long long *n);
/* The slice's events in fold order. fn gets each row's buffer, which it
 * keeps and frees with lifecycle_row_free(), and the fields in it. */
typedef int (*lifecycle_event_fn)(void *arg, char *row, const char *ins_c, const char *evenement,
				  const char *event_at);
int lifecycle_read_slice(PGconn *c, lifecycle_event_fn fn, void *arg);
void lifecycle_row_free(char *row);

struct lc_event_out {
	const char *ins_c, *event_at, *evenement;
	char outcome[160];         /* applied, waiting: why, refused: why */
};
struct lc_dossier_out {
	const char *ins_c, *state, *created_at, *due_at, *last_event_at;
	bool opposition;
};
/* The fold's results into lc_event_out and lc_dossier_out. */
int lifecycle_send(PGconn *c, const struct lc_event_out *ev, size_t n_ev, const struct lc_dossier_out *dos,
		   size_t n_dos);
/* lifecycle_store(): states, outcomes, destruction; its counts added to r. */
int lifecycle_write(PGconn *c, struct lifecycle_report *r);

/* --- physical destruction ------------------------------------------------ */

/*
 * Physical destruction of what deletions left (sql/016, docs/retention.md):
 * dossier_destroy() records in destruction_pending each relation it deleted
 * rows from; lifecycle_destroy_pending() runs, outside any transaction,
 * VACUUM (INDEX_CLEANUP ON) on each (no tuple, no index entry left; the
 * bytes may stay in the pages' free space) and VACUUM (FULL) on those marked
 * rewrite — the identity tables — or on all of them with full (the files are
 * rewritten: no byte left); then clears each row whose deletion had
 * committed before its VACUUM began (one still running waits for the next).
 * A relation dropped since (a purged partition) needs nothing. VACUUM needs
 * the owner's rights: the login must be a member of dmpremb_owner or a
 * superuser (DR_E_CONFIG otherwise, before anything is done).
 */
int lifecycle_destroy_pending(PGconn *c, bool full, struct destruction_report *r);

/* Events recorded and not folded yet (normally none: the next import folds them). */
int events_pending(PGconn *c, long long *n);

#endif
