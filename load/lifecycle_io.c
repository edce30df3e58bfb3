/*
 * load/lifecycle_io.c — the lifecycle's statements (see lifecycle_io.h).
 */
#include "load/lifecycle_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/text.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "load/copy.h"
#include "load/copy_out.h"
#include "load/db.h"

#define LC_LOCK "7368210932"          /* advisory lock key of the appliers */
#define EVENT_SKEW "5 minutes"        /* clock skew allowed to an event's instant */

/* --- recording ------------------------------------------------------------ */

int events_stage_open(PGconn *c, struct copy *cp)
{
	int rc = db_exec(c, "CREATE TEMP TABLE dossier_event_stage"
			 " (line_no bigint NOT NULL, ins_c text NOT NULL, event_at timestamptz NOT NULL,"
			 " evenement text NOT NULL)");

	return rc ? rc : copy_begin(cp, c, "COPY dossier_event_stage (line_no, ins_c, event_at, evenement) FROM STDIN");
}

int events_stage_future(PGconn *c, void (*fn)(void *arg, long long line), void *arg, long long *n)
{
	PGresult *r;
	int rc = db_query(c, "refusing events dated in the future",
		"WITH gone AS (DELETE FROM dossier_event_stage WHERE event_at > now() + interval '" EVENT_SKEW "'"
		"              RETURNING line_no)"
		" SELECT line_no FROM gone ORDER BY 1", 0, NULL, &r);

	*n = 0;
	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		long long line;
		if ((rc = db_get_long(r, i, 0, 0, &line)) == 0)
			fn(arg, line);
	}
	*n = PQntuples(r);
	PQclear(r);
	return rc;
}

int events_stage_apply(PGconn *c, long long run_id, long long *imported, long long *created)
{
	char run[24];
	const char *params[1] = { run };
	int rc;

	text_decimal(run_id, run);
	rc = db_query_long(c,
		"WITH ins AS ("
		" INSERT INTO dossier_event (ins_c, event_at, evenement, run_id)"
		" SELECT DISTINCT ins_c, event_at, evenement, $1::bigint FROM dossier_event_stage"
		" ON CONFLICT DO NOTHING RETURNING 1)"
		" SELECT count(*) FROM ins", 1, params, 0, imported);
	if (rc)
		return rc;
	return db_query_long(c,
		"WITH ins AS ("
		" INSERT INTO dossier (ins_c) SELECT DISTINCT ins_c FROM dossier_event_stage"
		" ON CONFLICT (ins_c) DO NOTHING RETURNING 1)"
		" SELECT count(*) FROM ins", 0, NULL, 0, created);
}

int events_stage_refused(PGconn *c, void (*fn)(void *arg, long long line, const char *evenement,
					      const char *event_at, const char *outcome),
			 void *arg, bool *more)
{
	PGresult *r;
	int rc = db_query(c, "listing refused events",
		"SELECT min(s.line_no), e.evenement, e.event_at AT TIME ZONE 'UTC', e.outcome"
		" FROM dossier_event e JOIN (SELECT DISTINCT ins_c FROM dossier_event_stage) t USING (ins_c)"
		" LEFT JOIN dossier_event_stage s ON s.ins_c = e.ins_c AND s.event_at = e.event_at"
		"  AND s.evenement = e.evenement"
		" WHERE e.outcome LIKE 'refused%' GROUP BY e.ins_c, e.event_at, e.evenement, e.outcome"
		" ORDER BY 1 NULLS LAST, 3 LIMIT 1000", 0, NULL, &r);

	*more = false;
	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		long long line;
		if ((rc = db_get_long(r, i, 0, 0, &line)) == 0)
			fn(arg, line, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3));
	}
	*more = PQntuples(r) == 1000;
	PQclear(r);
	return rc;
}

/* --- folding -------------------------------------------------------------- */

int lifecycle_prepare(PGconn *c)
{
	return db_exec(c,
		"CREATE TEMP TABLE IF NOT EXISTS lc_slice (ins_c text PRIMARY KEY) ON COMMIT DELETE ROWS;"
		"CREATE TEMP TABLE IF NOT EXISTS lc_event_out (ins_c text, event_at timestamptz, evenement text,"
		"  outcome text) ON COMMIT DELETE ROWS;"
		"CREATE TEMP TABLE IF NOT EXISTS lc_dossier_out (ins_c text PRIMARY KEY, state text,"
		"  opposition boolean, created_at timestamptz, due_at timestamptz, last_event_at timestamptz)"
		"  ON COMMIT DELETE ROWS;"
		/* lifecycle_store() runs as the owner and reads them */
		"GRANT SELECT ON pg_temp.lc_event_out, pg_temp.lc_dossier_out TO dmpremb_owner");
}

int lifecycle_take_slice(PGconn *c, long limit, long long *n)
{
	char lim[24];
	const char *params[1] = { lim };
	int rc;

	snprintf(lim, sizeof(lim), "%ld", limit);
	*n = 0;
	if ((rc = db_query_long(c, "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(" LC_LOCK ")) x",
				0, NULL, 0, n)) != 0)
		return rc;
	return db_query_long(c,
		"WITH ins AS (INSERT INTO lc_slice SELECT DISTINCT ins_c FROM dossier_event"
		"             WHERE applied_at IS NULL ORDER BY ins_c LIMIT $1::int"
		"             RETURNING 1) SELECT count(*) FROM ins", 1, params, 0, n);
}

int lifecycle_read_slice(PGconn *c, lifecycle_event_fn fn, void *arg)
{
	struct copy_out co;
	int rc = copy_out_begin(&co, c, "reading dossier events",
		"COPY (SELECT e.ins_c, e.evenement, e.event_at::text FROM dossier_event e"
		"       JOIN lc_slice USING (ins_c)"
		"      ORDER BY e.ins_c, e.event_at, array_position(ARRAY['CREATION', 'REACTIVATION',"
		"               'LEVEE_OPPOSITION', 'OPPOSITION', 'FERMETURE', 'DECES', 'SUPPRESSION'],"
		"               e.evenement)) TO STDOUT");
	if (rc != 0)
		return rc;
	while ((rc = copy_out_next(&co)) > 0) {
		if (co.nfield != 3 || co.field[0] == NULL || co.field[1] == NULL || co.field[2] == NULL) {
			rc = dr_error(DR_E_INTERNAL, "unexpected dossier event row");
			break;
		}
		const char *ins_c = co.field[0], *evenement = co.field[1], *event_at = co.field[2];
		if ((rc = fn(arg, copy_out_keep(&co), ins_c, evenement, event_at)) != 0)
			break;
	}
	if (rc != 0)
		copy_out_drain(&co);
	return rc < 0 ? rc : 0;
}

void lifecycle_row_free(char *row)
{
	PQfreemem(row);
}

int lifecycle_send(PGconn *c, const struct lc_event_out *ev, size_t n_ev, const struct lc_dossier_out *dos,
		   size_t n_dos)
{
	struct copy cp;
	int rc = copy_begin(&cp, c, "COPY lc_event_out (ins_c, event_at, evenement, outcome) FROM STDIN");

	for (size_t i = 0; rc == 0 && i < n_ev; i++) {
		const struct lc_event_out *f = &ev[i];
		if ((rc = copy_fieldz(&cp, f->ins_c)) || (rc = copy_fieldz(&cp, f->event_at))
		    || (rc = copy_fieldz(&cp, f->evenement)) || (rc = copy_fieldz(&cp, f->outcome))
		    || (rc = copy_end_row(&cp)))
			break;
	}
	if (rc != 0) {
		copy_abort(&cp, "lifecycle: staging failed");
		return rc;
	}
	if ((rc = copy_finish(&cp, NULL)) != 0)
		return rc;
	rc = copy_begin(&cp, c, "COPY lc_dossier_out (ins_c, state, opposition, created_at, due_at,"
			" last_event_at) FROM STDIN");
	for (size_t i = 0; rc == 0 && i < n_dos; i++) {
		const struct lc_dossier_out *d = &dos[i];
		if ((rc = copy_fieldz(&cp, d->ins_c)) || (rc = copy_fieldz(&cp, d->state))
		    || (rc = copy_fieldz(&cp, d->opposition ? "t" : "f")) || (rc = copy_fieldz(&cp, d->created_at))
		    || (rc = copy_fieldz(&cp, d->due_at)) || (rc = copy_fieldz(&cp, d->last_event_at))
		    || (rc = copy_end_row(&cp)))
			break;
	}
	if (rc != 0) {
		copy_abort(&cp, "lifecycle: staging failed");
		return rc;
	}
	return copy_finish(&cp, NULL);
}

int lifecycle_write(PGconn *c, struct lifecycle_report *r)
{
	long long *const counts[5] = { &r->deleted, &r->destroyed_documents, &r->destroyed_versions,
				       &r->destroyed_traces, &r->destroyed_claims };
	PGresult *res;
	int rc = db_query(c, "storing the fold", "SELECT * FROM lifecycle_store()", 0, NULL, &res);

	if (rc != 0)
		return rc;
	for (int k = 0; rc == 0 && k < 5; k++) {
		long long v;
		if ((rc = db_get_long(res, 0, k, 0, &v)) == 0)
			*counts[k] += v;
	}
	PQclear(res);
	return rc;
}

/* --- physical destruction ------------------------------------------------- */

/* The login may VACUUM the schema's tables: the owner's member or a superuser. */
static int may_vacuum(PGconn *c)
{
	long long ok = 0;
	int rc = db_query_long(c,
		"SELECT (r.rolsuper OR pg_has_role(current_user, 'dmpremb_owner', 'USAGE'))::int"
		" FROM pg_roles r WHERE r.rolname = current_user", 0, NULL, 0, &ok);

	if (rc == 0 && !ok)
		rc = dr_error(DR_E_CONFIG, "dossiers vacuum needs the owner's rights (VACUUM): run it as the"
			      " DBA's login, a member of dmpremb_owner (docs/retention.md, Physical destruction)");
	return rc;
}

/* The server's current snapshot (pg_snapshot text), to free(). */
static int snapshot_now(PGconn *c, char **out)
{
	PGresult *r;
	int rc = db_query(c, "reading the snapshot", "SELECT pg_current_snapshot()::text", 0, NULL, &r);

	*out = NULL;
	if (rc)
		return rc;
	*out = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return *out ? 0 : dr_error(DR_E_NOMEM, "out of memory reading the snapshot");
}

int lifecycle_destroy_pending(PGconn *c, bool full, struct destruction_report *r)
{
	PGresult *todo = NULL;
	char *snap = NULL;
	double t0 = progress_now();
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = may_vacuum(c)) != 0)
		return rc;
	rc = db_query(c, "reading destruction_pending",
		"SELECT format('%I.%I', n.nspname, k.relname), p.rewrite::int,"
		"       p.relation::oid::text"
		" FROM dmpremb.destruction_pending p"
		" JOIN pg_class k ON k.oid = p.relation JOIN pg_namespace n ON n.oid = k.relnamespace"
		" ORDER BY p.rewrite, 2", 0, NULL, &todo);
	if (rc == 0) {
		long long gone = 0;
		/* a relation dropped since (a purged claim partition) took its bytes with it */
		rc = db_query_long(c, "WITH d AS (DELETE FROM dmpremb.destruction_pending p"
				   " WHERE NOT EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = p.relation)"
				   " RETURNING 1) SELECT count(*) FROM d", 0, NULL, 0, &gone);
		r->dropped = (long)gone;
	}
	for (int i = 0; rc == 0 && todo && i < PQntuples(todo); i++) {
		const char *rel = PQgetvalue(todo, i, 0);
		bool rewrite = full || strcmp(PQgetvalue(todo, i, 1), "1") == 0;
		const char *params[2] = { PQgetvalue(todo, i, 2), NULL };
		struct buf sql;
		double t1 = progress_now();

		/* rel is quoted by format('%I.%I') */
		buf_init(&sql, 4096);
		rc = buf_printf(&sql, "VACUUM (%s) %s", rewrite ? "FULL" : "INDEX_CLEANUP ON", rel);
		/* the transactions committed before the VACUUM begins: their deleted
		 * tuples are dead to it; a deletion still in progress is not, and its
		 * row waits for the next run */
		free(snap);
		snap = NULL;
		if (rc == 0 && (rc = snapshot_now(c, &snap)) == 0)
			rc = db_exec(c, sql.data);
		buf_free(&sql);
		if (rc != 0)
			break;
		params[1] = snap;
		rc = db_execp(c, "DELETE FROM dmpremb.destruction_pending"
			      " WHERE relation = $1::oid::regclass AND pg_visible_in_snapshot(xact, $2::pg_snapshot)",
			      2, params);
		r->relations++;
		r->rewritten += rewrite;
		dr_log(DR_LOG_INFO, "dossiers.vacuumed", "relation=%s mode=%s seconds=%.2f", rel,
		       rewrite ? "full" : "plain", progress_now() - t1);
	}
	free(snap);
	PQclear(todo);
	r->seconds = progress_now() - t0;
	return rc;
}

int events_pending(PGconn *c, long long *n)
{
	return db_query_long(c, "SELECT count(*) FROM dossier_event WHERE applied_at IS NULL", 0, NULL, 0, n);
}
