/*
 * load/run.h — bookkeeping of runs in dmpremb.run.
 *
 * run_start() inserts the row (outcome 'running') in its own statement, so it
 * survives a rolled-back batch; run_finish() closes it. Both are outside the
 * data transactions on purpose, and both go through the owner's functions
 * run_begin() and run_end() (sql/011_enforced_writes.sql): no role writes
 * run itself, the row records the session's login and role, and only the
 * session that created a run may close it. counts and options are JSON
 * objects built by the caller; they never hold identifiers. Each run holds
 * the session-level advisory lock (RUN_LOCK_CLASS, run_id) while its
 * connection lives, which is how a later run tells a running command from a
 * killed one: run_start() closes as interrupted the 'running' rows whose
 * lock is gone.
 */
#ifndef DR_RUN_H
#define DR_RUN_H

#include <libpq-fe.h>

#define RUN_LOCK_CLASS "736821"

int run_start(PGconn *c, const char *command, const char *options_json, long long *run_id);
/* outcome: ok, refused, failed, interrupted. Best effort when the connection is gone. */
int run_finish(PGconn *c, long long run_id, const char *outcome, int exit_code,
	       const char *counts_json, const char *message);

#endif
