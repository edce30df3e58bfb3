/*
 * load/lifecycle_io.h — fold the recorded lifecycle events into the dossiers.
 *
 * lifecycle_apply() takes every dossier that has events not folded yet
 * (dossier_event.applied_at IS NULL), re-folds its whole history in
 * timestamp order (transform/lifecycle.h) and writes, set-based:
 *   dossier        state, objection, created_at, due_at, last_event_at
 *   dossier_event  applied_at and outcome ('applied', 'waiting: ...',
 *                  'refused: ...') of every event of those dossiers
 * and, for a dossier newly deleted (SUPPRESSION), destroys its documents,
 * versions, traces, claim lines, stays and identity, leaving a tombstone row
 * (INS-C, state 'deleted', deleted_at) so that nothing is ever fed for it
 * again and a later batch cannot bring its data back.
 *
 * Each slice of dossiers is one transaction of its own (the caller has none
 * open), under a transaction-level advisory lock so that two appliers never
 * interleave (purge takes it in shared mode). The role only reads events in
 * it; lifecycle_store() (sql/010_citus.sql) writes the fold as the owner,
 * dossier rows first: a feed storing one of them finishes first, and a feed
 * storing one later sees its new state (on Citus a transaction may not
 * touch a dossier's shards as two users, which is why the role writes
 * nothing here). Slices keep memory flat whatever the number of events; an
 * interruption leaves the slices done applied and the rest pending, which
 * the next import applies.
 */
#ifndef DR_LIFECYCLE_IO_H
#define DR_LIFECYCLE_IO_H

#include <libpq-fe.h>
#include <stdbool.h>

struct lifecycle_report {
	long long dossiers;        /* dossiers whose history was folded */
	long long events;          /* events folded (all of those dossiers') */
	long long applied, waiting, refused;
	long long deleted;         /* dossiers deleted by this application */
	long long destroyed_documents, destroyed_versions, destroyed_traces;
	long long destroyed_claims;  /* claim lines and stays */
};

int lifecycle_apply(PGconn *c, struct lifecycle_report *r);

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
struct destruction_report {
	long relations;            /* vacuumed */
	long rewritten;            /* of which rewritten (VACUUM FULL) */
	long dropped;              /* recorded, dropped since: nothing to do */
	double seconds;
};
int lifecycle_destroy_pending(PGconn *c, bool full, struct destruction_report *r);

#endif
