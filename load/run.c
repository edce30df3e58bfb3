/*
 * load/run.c — insert and close rows of dmpremb.run.
 */
#include "load/run.h"
#include "load/db.h"
#include "lib/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int run_start(PGconn *c, const char *command, const char *options_json, long long *run_id)
{
	char host[256] = "unknown", pid[16];
	const char *params[4] = { command, options_json ? options_json : "{}", host, pid };

	gethostname(host, sizeof(host) - 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	/* the lock is taken in the statement that inserts the row, so that the
	 * row is never seen by others without its lock */
	int rc = db_query_long(c, "WITH r AS (INSERT INTO run (command, options, host, pid)"
			       " VALUES ($1, $2::jsonb, $3, $4::int) RETURNING run_id)"
			       " SELECT run_id FROM r, pg_advisory_lock(" RUN_LOCK_CLASS ", (run_id % 2147483647)::int)",
			       4, params, 0, run_id);
	if (rc == 0)
		rc = run_close_abandoned(c, *run_id);
	return rc;
}

/*
 * A run row still 'running' whose session lock is gone belongs to a process
 * that ended without closing it (SIGKILL, a crash, its connection lost while
 * the database was down): it is closed as interrupted, naming the run that
 * noticed, so that run history and status show no phantom running command.
 */
int run_close_abandoned(PGconn *c, long long run_id)
{
	char id[32];
	const char *params[1] = { id };

	snprintf(id, sizeof(id), "%lld", run_id);
	return db_execp(c, "UPDATE run r SET outcome = 'interrupted', ended_at = clock_timestamp(),"
			" message = 'stopped without closing its run (killed, or its connection lost);"
			" noticed by run ' || $1"
			" WHERE r.outcome = 'running' AND r.run_id <> $1::bigint AND NOT EXISTS ("
			"  SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 2"
			"  AND l.classid = " RUN_LOCK_CLASS " AND l.objid = (r.run_id % 2147483647)::oid"
			"  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
			1, params);
}

int run_finish(PGconn *c, long long run_id, const char *outcome, int exit_code,
	       const char *counts_json, const char *message)
{
	char id[32], code[16];
	const char *params[5] = { id, outcome, code, counts_json ? counts_json : "{}", message };

	if (c == NULL || run_id <= 0 || PQstatus(c) != CONNECTION_OK)
		return 0;
	db_rollback(c);
	snprintf(id, sizeof(id), "%lld", run_id);
	snprintf(code, sizeof(code), "%d", exit_code);
	return db_execp(c, "UPDATE run SET ended_at = clock_timestamp(), outcome = $2,"
			" exit_code = $3::int, counts = $4::jsonb, message = $5 WHERE run_id = $1::bigint",
			5, params);
}
