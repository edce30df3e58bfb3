/*
 * jobs/run.c — connections, run rows and figures of a command (see run.h).
 */
#include "jobs/run.h"
#include "lib/err.h"
#include "lib/log.h"
#include "load/analytics.h"
#include "load/db.h"
#include "load/run.h"

#include <stdio.h>

int jobs_connect_another(const struct job_session *s, PGconn **out)
{
	int rc = db_connect(s->conninfo, "dmpremb", out);

	if (rc == 0 && s->role)
		rc = db_set_role(*out, s->role);
	return rc;
}

int jobs_connect(struct job_session *s)
{
	return s->conn ? 0 : jobs_connect_another(s, &s->conn);
}

void jobs_close(PGconn *c)
{
	db_close(c);
}

void jobs_disconnect(struct job_session *s)
{
	db_close(s->conn);
	s->conn = NULL;
}

int jobs_run_start(struct job_session *s, const char *command, const char *options_json)
{
	int rc = jobs_connect(s);
	char ctx[48];

	if (rc == 0)
		rc = run_start(s->conn, command, options_json, &s->run_id);
	if (rc == 0) {
		snprintf(ctx, sizeof(ctx), "run=%lld", s->run_id);
		dr_log_context(ctx);
	}
	return rc;
}

void jobs_run_finish(struct job_session *s, int rc, const char *counts_json, const char *message)
{
	const char *outcome = rc == DR_OK ? "ok"
		: rc == DR_E_DATA ? "refused"
		: rc == DR_E_INTERRUPTED ? "interrupted" : "failed";

	if (s->run_id <= 0)
		return;
	if (run_finish(s->conn, s->run_id, outcome, dr_exit_code(rc), counts_json, rc ? message : NULL) != 0)
		dr_log(DR_LOG_WARN, "run.unrecorded", "outcome=%s", outcome);
}

void jobs_refresh_figures(PGconn *c, const char *what, const char *as_of)
{
	analytics_refresh(c, what, as_of);
}
