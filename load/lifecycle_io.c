/*
 * load/lifecycle_io.c — folding recorded events into dossiers (see lifecycle_io.h).
 */
#include "load/lifecycle_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "load/copy.h"
#include "load/copy_out.h"
#include "load/db.h"
#include "transform/lifecycle.h"

#define LC_SLICE 20000                /* dossiers per slice */
#define LC_LOCK "7368210932"          /* advisory lock key of the appliers */

/* One folded event, pointing into the kept COPY rows. */
struct folded {
	const char *ins_c, *event_at, *evenement;
	enum lc_outcome outcome;
	const char *why;
};

struct slice {
	char **rows;                       /* kept libpq buffers */
	size_t n_rows, cap_rows;
	struct folded *ev;
	size_t n_ev, cap_ev;
	struct { const char *ins_c; struct lc_dossier d; } *dos;
	size_t n_dos, cap_dos;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	return array_grow(p, cap, need, size, "folding dossier events");
}

static void slice_reset(struct slice *s)
{
	for (size_t i = 0; i < s->n_rows; i++)
		PQfreemem(s->rows[i]);
	s->n_rows = s->n_ev = s->n_dos = 0;
}

static void slice_free(struct slice *s)
{
	slice_reset(s);
	free(s->rows);
	free(s->ev);
	free(s->dos);
}

/* Reads the slice's events in fold order and folds each dossier's history. */
static int fold_slice(PGconn *c, struct slice *s, struct lifecycle_report *r)
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
		int e = co.nfield == 3 && co.field[1] ? lifecycle_event(co.field[1]) : -1;
		if (e < 0 || co.field[0] == NULL || co.field[2] == NULL) {
			rc = dr_error(DR_E_INTERNAL, "unexpected dossier event row");
			break;
		}
		if ((rc = grow((void **)&s->rows, &s->cap_rows, s->n_rows + 1, sizeof(*s->rows))) != 0
		    || (rc = grow((void **)&s->ev, &s->cap_ev, s->n_ev + 1, sizeof(*s->ev))) != 0
		    || (rc = grow((void **)&s->dos, &s->cap_dos, s->n_dos + 1, sizeof(*s->dos))) != 0)
			break;
		s->rows[s->n_rows++] = copy_out_keep(&co);
		if (s->n_dos == 0 || strcmp(s->dos[s->n_dos - 1].ins_c, co.field[0]) != 0) {
			s->dos[s->n_dos].ins_c = co.field[0];
			lifecycle_init(&s->dos[s->n_dos].d);
			s->n_dos++;
		}
		struct folded *f = &s->ev[s->n_ev++];
		f->ins_c = co.field[0];
		f->evenement = co.field[1];
		f->event_at = co.field[2];
		f->outcome = lifecycle_step(&s->dos[s->n_dos - 1].d, (enum lc_event)e, co.field[2], &f->why);
		r->events++;
		if (f->outcome == LC_APPLIED)
			r->applied++;
		else if (f->outcome == LC_WAITING)
			r->waiting++;
		else
			r->refused++;
	}
	if (rc < 0)
		copy_out_drain(&co);
	r->dossiers += (long long)s->n_dos;
	return rc < 0 ? rc : 0;
}

/* Sends the fold's results into lc_event_out and lc_dossier_out. */
static int send_slice(PGconn *c, const struct slice *s)
{
	struct copy cp;
	char outcome[160];
	int rc = copy_begin(&cp, c, "COPY lc_event_out (ins_c, event_at, evenement, outcome) FROM STDIN");

	for (size_t i = 0; rc == 0 && i < s->n_ev; i++) {
		const struct folded *f = &s->ev[i];
		snprintf(outcome, sizeof(outcome), "%s%s%s",
			 f->outcome == LC_APPLIED ? "applied" : f->outcome == LC_WAITING ? "waiting" : "refused",
			 f->why ? ": " : "", f->why ? f->why : "");
		if ((rc = copy_fieldz(&cp, f->ins_c)) || (rc = copy_fieldz(&cp, f->event_at))
		    || (rc = copy_fieldz(&cp, f->evenement)) || (rc = copy_fieldz(&cp, outcome))
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
	for (size_t i = 0; rc == 0 && i < s->n_dos; i++) {
		const struct lc_dossier *d = &s->dos[i].d;
		if ((rc = copy_fieldz(&cp, s->dos[i].ins_c)) || (rc = copy_fieldz(&cp, lifecycle_state_name(d->state)))
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

/* Writes states and outcomes, and destroys what newly deleted dossiers had:
 * lifecycle_store() (sql/010_citus.sql), as the owner, from lc_dossier_out
 * and lc_event_out. */
static int write_slice(PGconn *c, struct lifecycle_report *r)
{
	PGresult *res;
	int rc = db_query(c, "storing the fold", "SELECT * FROM lifecycle_store()", 0, NULL, &res);

	if (rc != 0)
		return rc;
	r->deleted += atoll(PQgetvalue(res, 0, 0));
	r->destroyed_documents += atoll(PQgetvalue(res, 0, 1));
	r->destroyed_versions += atoll(PQgetvalue(res, 0, 2));
	r->destroyed_traces += atoll(PQgetvalue(res, 0, 3));
	r->destroyed_claims += atoll(PQgetvalue(res, 0, 4));
	PQclear(res);
	return 0;
}

/* One slice in its own transaction; *n = dossiers taken (0: nothing left). */
static int apply_slice(PGconn *c, struct slice *s, const char *const *params, struct lifecycle_report *r,
		       long long *n)
{
	int rc = db_begin(c);

	*n = 0;
	if (rc != 0)
		return rc;
	if ((rc = db_query_long(c, "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(" LC_LOCK ")) x",
				0, NULL, 0, n)) != 0
	    || (rc = db_query_long(c,
		"WITH ins AS (INSERT INTO lc_slice SELECT DISTINCT ins_c FROM dossier_event"
		"             WHERE applied_at IS NULL ORDER BY ins_c LIMIT $1::int"
		"             RETURNING 1) SELECT count(*) FROM ins", 1, params, 0, n)) != 0
	    || *n == 0) {
		db_rollback(c);
		return rc;
	}
	slice_reset(s);
	if ((rc = fold_slice(c, s, r)) != 0 || (rc = send_slice(c, s)) != 0
	    || (rc = write_slice(c, r)) != 0 || (rc = db_commit(c)) != 0) {
		db_rollback(c);
		return rc;
	}
	return 0;
}

int lifecycle_apply(PGconn *c, struct lifecycle_report *r)
{
	struct slice s = { 0 };
	char slice_size[16];
	const char *params[1] = { slice_size };
	long long n;
	int rc;

	snprintf(slice_size, sizeof(slice_size), "%d", LC_SLICE);
	memset(r, 0, sizeof(*r));
	/* the session's staging tables, once: emptied by each slice's commit */
	rc = db_exec(c,
		"CREATE TEMP TABLE IF NOT EXISTS lc_slice (ins_c text PRIMARY KEY) ON COMMIT DELETE ROWS;"
		"CREATE TEMP TABLE IF NOT EXISTS lc_event_out (ins_c text, event_at timestamptz, evenement text,"
		"  outcome text) ON COMMIT DELETE ROWS;"
		"CREATE TEMP TABLE IF NOT EXISTS lc_dossier_out (ins_c text PRIMARY KEY, state text,"
		"  opposition boolean, created_at timestamptz, due_at timestamptz, last_event_at timestamptz)"
		"  ON COMMIT DELETE ROWS;"
		/* lifecycle_store() runs as the owner and reads them */
		"GRANT SELECT ON pg_temp.lc_event_out, pg_temp.lc_dossier_out TO dmpremb_owner");
	if (rc != 0)
		return rc;
	do
		rc = apply_slice(c, &s, params, r, &n);
	while (rc == 0 && n == LC_SLICE);
	slice_free(&s);
	return rc;
}

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
