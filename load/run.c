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
	return db_query_long(c, "INSERT INTO run (command, options, host, pid)"
			     " VALUES ($1, $2::jsonb, $3, $4::int) RETURNING run_id",
			     4, params, 0, run_id);
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
