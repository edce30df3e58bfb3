/*
 * jobs/run.h — a command's session: its connections and its run row.
 *
 * The dispatcher (cli/main.c) and the commands open connections and record
 * runs through here only: connecting sets the command's role (SET ROLE), a
 * run row (load/run.h) is opened before the work and closed after it with
 * its outcome, and the analysts' figures are refreshed once the work is
 * committed (load/analytics.h). jobs/README.md gives the rules of the layer.
 */
#ifndef DR_JOBS_RUN_H
#define DR_JOBS_RUN_H

#include <libpq-fe.h>

#include "load/analytics.h"   /* ANALYTICS_CLAIMS, ANALYTICS_DOSSIERS, ANALYTICS_FED */

struct job_session {
	const char *conninfo;  /* --db, or NULL for libpq's environment */
	const char *role;      /* SET ROLE at connection; NULL: the login's rights */
	PGconn *conn;          /* the main connection, opened by jobs_connect() */
	long long run_id;      /* the run row, 0 when none */
};

/* Opens s->conn once; jobs_connect_another opens one more the same way. */
int jobs_connect(struct job_session *s);
int jobs_connect_another(const struct job_session *s, PGconn **out);
void jobs_disconnect(struct job_session *s);
/* Closes a connection of jobs_connect_another (NULL: nothing). */
void jobs_close(PGconn *c);

/* Records the start of a run (connecting first); options_json holds no identifier. */
int jobs_run_start(struct job_session *s, const char *command, const char *options_json);
/* Closes the run row according to rc (a DR_* status) with counts and a message. */
void jobs_run_finish(struct job_session *s, int rc, const char *counts_json, const char *message);

/* Refreshes the analysts' figures named by `what` (ANALYTICS_CLAIMS, ...) as
 * of as_of (NULL: now); a failure is a warning, never a failed run. */
void jobs_refresh_figures(PGconn *c, const char *what, const char *as_of);

#endif
