/*
 * load/run.c — insert and close rows of dmpremb.run.
 */
#include "load/run.h"
#include "load/db.h"
#include "lib/err.h"
#include "lib/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int run_start(PGconn *c, const char *command, const char *options_json, long long *run_id)
{
	char host[256] = "unknown", pid[16];
	const char *params[4] = { command, options_json ? options_json : "{}", host, pid };

	gethostname(host, sizeof(host) - 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	/* run_begin() (sql/011_enforced_writes.sql) records the session's login,
	 * role and backend, takes the run's lock in the statement that inserts
	 * the row (never seen by others without its lock), and closes as
	 * interrupted the running rows of processes that ended without closing
	 * theirs (killed, or their connection lost while the database was down) */
	return db_query_long(c, "SELECT run_begin($1, $2::jsonb, $3, $4::int)", 4, params, 0, run_id);
}

int run_finish(PGconn *c, long long run_id, const char *outcome, int exit_code,
	       const char *counts_json, const char *message)
{
	char id[32], code[16];
	const char *params[5] = { id, outcome, code, counts_json ? counts_json : "{}", message };

	if (c == NULL || run_id <= 0 || PQstatus(c) != CONNECTION_OK)
		return 0;
	db_rollback(c);
	text_decimal(run_id, id);
	snprintf(code, sizeof(code), "%d", exit_code);
	/* only this session may close its run (run_end() checks) */
	return db_execp(c, "SELECT run_end($1::bigint, $2, $3::int, $4::jsonb, $5)", 5, params);
}
