/*
 * load/status_io.c — the queries of `dmpremb status` (see status_io.h).
 */
#include "load/status_io.h"
#include "load/db.h"
#include "load/lifecycle_io.h"
#include "lib/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1 as-of, $2 first-feed hours, $3 refresh days, $4 grace hours. The
 * functions (sql/010_citus.sql) run as the owner, ops sees only their
 * figures; their predicates are the feed's (load/feed_io.h). */
int status_read_promises(PGconn *c, struct status *s)
{
	char h[24], d[24], g[24];
	const char *params[4] = { s->as_of, h, d, g };
	PGresult *r;
	int rc;

	snprintf(h, sizeof(h), "%ld", s->first_hours);
	snprintf(d, sizeof(d), "%ld", s->refresh_days);
	snprintf(g, sizeof(g), "%ld", s->grace_hours);
	rc = db_query_text(c, "measuring first feeds",
		"SELECT * FROM sla_first_feeds($1::timestamptz, $2::int)", 4, params, &r);
	if (rc != 0)
		return rc;
	if ((rc = db_get_long(r, 0, 0, 0, &s->first_due)) == 0
	    && (rc = db_get_long(r, 0, 1, 0, &s->first_overdue)) == 0
	    && (rc = db_get_long(r, 0, 2, 0, &s->first_overdue_no_identity)) == 0)
		rc = db_get_double(r, 0, 3, -1, &s->first_oldest_h);
	PQclear(r);
	if (rc != 0)
		return rc;
	rc = db_query_text(c, "measuring refreshes",
		"SELECT * FROM sla_refreshes($1::timestamptz, $3::int, $4::int)", 4, params, &r);
	if (rc != 0)
		return rc;
	if ((rc = db_get_long(r, 0, 0, 0, &s->refresh_due)) == 0
	    && (rc = db_get_long(r, 0, 1, 0, &s->refresh_overdue)) == 0)
		rc = db_get_double(r, 0, 2, -1, &s->refresh_oldest_h);
	PQclear(r);
	return rc;
}

int status_read_dossiers(PGconn *c, struct status *s)
{
	PGresult *r;
	int rc = db_query(c, "counting dossiers by state", "SELECT * FROM sla_states()", 0, NULL, &r);

	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		for (int k = 0; rc == 0 && k < STATUS_NSTATES; k++)
			if (strcmp(PQgetvalue(r, i, 0), status_state_name(k)) == 0) {
				rc = db_get_long(r, i, 1, 0, &s->by_state[k]);
				if (rc == 0 && k == STATUS_open && (rc = db_get_long(r, i, 2, 0, &s->objection)) == 0)
					rc = db_get_long(r, i, 3, 0, &s->refused);
			}
	PQclear(r);
	if (rc != 0)
		return rc;
	if ((rc = events_pending(c, &s->events_pending)) != 0
	    || (rc = db_query(c, "counting open backfills",
			      "SELECT count(DISTINCT run_id), count(*) FROM backfill_item WHERE done_at IS NULL",
			      0, NULL, &r)) != 0)
		return rc;
	if ((rc = db_get_long(r, 0, 0, 0, &s->backfills_open)) == 0)
		rc = db_get_long(r, 0, 1, 0, &s->backfill_items_left);
	PQclear(r);
	return rc;
}

/* text column col of row i into a fixed field; DR_E_INTERNAL when it does not fit */
static int copy_text(const PGresult *r, int i, int col, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s", PQgetvalue(r, i, col)) >= cap)
		return dr_error(DR_E_INTERNAL, "column %s of the server's answer is longer than %zu bytes",
				PQfname(r, col), cap - 1);
	return 0;
}

/* The latest run of each command: run_id, command, start, outcome, exit
 * code, seconds, counts; then the claim lines the last feed showed with a
 * neutral label, by kind of code (its run's counts, cli/cmd_feed.c): a
 * referential missing or out of date shows there the same hour. */
int status_read_runs(PGconn *c, struct status *s)
{
	PGresult *r;
	int rc = db_query(c, "reading the last runs",
		"SELECT x.command, x.run_id, to_char(x.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		"       x.outcome, coalesce(x.exit_code::text, ''),"
		"       round(extract(epoch FROM coalesce(x.ended_at, clock_timestamp()) - x.started_at)::numeric, 1),"
		"       x.counts::text"
		"  FROM unnest(ARRAY['ingest', 'dossiers-import', 'feed', 'backfill', 'purge']) AS k(command)"
		"  CROSS JOIN LATERAL (SELECT * FROM run WHERE run.command = k.command"
		"                      ORDER BY started_at DESC LIMIT 1) x", 0, NULL, &r);

	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r) && i < STATUS_MAX_RUNS; i++) {
		struct status_run *u = &s->runs[i];
		if ((rc = copy_text(r, i, 0, u->command, sizeof(u->command))) == 0
		    && (rc = db_get_long(r, i, 1, 0, &u->run_id)) == 0
		    && (rc = copy_text(r, i, 2, u->started_at, sizeof(u->started_at))) == 0
		    && (rc = copy_text(r, i, 3, u->outcome, sizeof(u->outcome))) == 0
		    && (rc = copy_text(r, i, 4, u->exit_code, sizeof(u->exit_code))) == 0
		    && (rc = copy_text(r, i, 5, u->seconds, sizeof(u->seconds))) == 0) {
			u->counts = strdup(PQgetvalue(r, i, 6));
			if (u->counts == NULL)
				rc = dr_error(DR_E_NOMEM, "out of memory");
			else
				s->nruns = i + 1;
		}
	}
	PQclear(r);
	if (rc != 0)
		return rc;
	rc = db_query(c, "reading the last feed's unlabelled lines",
		"SELECT e.key, e.value FROM (SELECT counts FROM run WHERE command = 'feed' AND ended_at IS NOT NULL"
		"                            ORDER BY started_at DESC LIMIT 1) x"
		" CROSS JOIN LATERAL jsonb_each_text(coalesce(x.counts -> 'unlabelled', '{}')) e ORDER BY 1",
		0, NULL, &r);
	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r) && i < STATUS_MAX_KINDS; i++)
		if ((rc = copy_text(r, i, 0, s->unlabelled[i].kind, sizeof(s->unlabelled[i].kind))) == 0
		    && (rc = db_get_long(r, i, 1, 0, &s->unlabelled[i].lines)) == 0)
			s->nunlabelled = i + 1;
	PQclear(r);
	return rc;
}

void status_free(struct status *s)
{
	for (int i = 0; i < s->nruns; i++) {
		free(s->runs[i].counts);
		s->runs[i].counts = NULL;
	}
	s->nruns = 0;
}
