/*
 * load/purge_io.c — the calls of `purge`, each one statement of a retention
 * function of sql/006_retention.sql (see purge_io.h).
 */
#include "load/purge_io.h"
#include "lib/err.h"
#include "load/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURGE_LOCK "7368210933"     /* advisory lock key of purges */


/* One bigint from a call (NULL: 0), with a message naming the step. */
static int call_long(PGconn *c, const char *what, const char *sql, int n, const char *const *params,
		     long long *out)
{
	PGresult *r;
	int rc = db_query_text(c, what, sql, n, params, &r);

	if (rc != 0)
		return rc;
	rc = db_get_long(r, 0, 0, 0, out);
	PQclear(r);
	return rc;
}

int purge_read_plan(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	struct db_ints n;
	const char *params[2] = { o->as_of, NULL };
	PGresult *res;
	long long future = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = db_query_option(c, "reading the as-of", "SELECT t::text, (t > now() + interval '1 day')::int"
				  " FROM (SELECT coalesce($1::timestamptz, now()) AS t) x", 1, params,
				  DB_AS_OF_USAGE, &res)) != 0)
		return rc;
	snprintf(r->as_of, sizeof(r->as_of), "%s", PQgetvalue(res, 0, 0));
	rc = db_get_long(res, 0, 1, 0, &future);
	PQclear(res);
	if (rc != 0)
		return rc;
	if (future)
		return dr_error(DR_E_USAGE, "--as-of is in the future: a purge only looks back");

	params[0] = r->as_of;
	params[1] = db_int(&n, 0, o->margin_months);
	if ((rc = db_query_text(c, "computing the cutoff", "SELECT purge_cutoff($1::timestamptz, $2::int)::text",
				2, params, &res)) != 0)
		return rc;
	snprintf(r->cutoff, sizeof(r->cutoff), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);

	if ((rc = db_query_text(c, "listing old partitions",
				"SELECT partition_name, range_from::text, range_to::text, est_rows"
				"  FROM purge_partitions($1::timestamptz, $2::int) ORDER BY range_from",
				2, params, &res)) != 0)
		return rc;
	r->n_parts = (size_t)PQntuples(res);
	r->parts = calloc(r->n_parts + 1, sizeof(*r->parts));
	if (r->parts == NULL) {
		PQclear(res);
		return dr_error(DR_E_NOMEM, "out of memory listing partitions");
	}
	for (size_t i = 0; rc == 0 && i < r->n_parts; i++) {
		struct purge_partition *p = &r->parts[i];
		snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, (int)i, 0));
		snprintf(p->from, sizeof(p->from), "%s", PQgetvalue(res, (int)i, 1));
		snprintf(p->to, sizeof(p->to), "%s", PQgetvalue(res, (int)i, 2));
		rc = db_get_long(res, (int)i, 3, 0, &p->rows);
	}
	PQclear(res);
	return rc;
}

int purge_lock(PGconn *c)
{
	long long got;
	int rc = db_query_long(c, "SELECT pg_try_advisory_lock(" PURGE_LOCK ")::int", 0, NULL, 0, &got);

	if (rc != 0)
		return rc;
	return got ? 0 : dr_hint(dr_error(DR_E_RETRY, "another purge is running; this one did nothing"),
				 "run it later");
}

int purge_set_lock_timeout(PGconn *c, long seconds)
{
	struct db_ints n;
	const char *params[1] = { db_int(&n, 0, seconds) };

	/* set_config: the value as a parameter, not spliced into the statement */
	return db_execp(c, "SELECT set_config('lock_timeout', $1 || 's', false)", 1, params);
}

int purge_drop_partition(PGconn *c, const struct purge_opts *o, const struct purge_report *r,
			 struct purge_partition *p, long long *rows, bool *busy)
{
	struct db_ints n;
	const char *params[3] = { p->name, r->as_of, db_int(&n, 0, o->margin_months) };
	PGresult *res = PQexecParams(c, "SELECT purge_drop_partition($1, $2::timestamptz, $3::int)", 3, NULL,
				     params, NULL, NULL, 0);
	int rc = 0;

	*rows = 0;
	*busy = false;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*busy = strcmp(db_sqlstate(res), "55P03") == 0;     /* lock_not_available */
		rc = db_fail(c, res, "dropping an old claim_line partition");
		PQclear(res);
		return *busy ? 0 : rc;
	}
	p->dropped = !PQgetisnull(res, 0, 0);    /* NULL: dropped by another purge meanwhile */
	if (p->dropped)
		rc = db_get_long(res, 0, 0, 0, rows);
	PQclear(res);
	return rc;
}

int purge_claim_stat(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	struct db_ints n;
	const char *params[3] = { r->as_of, db_int(&n, 0, o->margin_months), o->dry_run ? "true" : "false" };

	return call_long(c, "removing old claim_stat rows",
			 "SELECT purge_claim_stat($1::timestamptz, $2::int, $3::boolean)", 3, params,
			 &r->claim_stat_rows);
}

/*
 * The sliced steps. Each calls fn($1 as-of, the step's ages, [the key where
 * the slice starts,] slice, dry). An aged step returns one bigint, and is done
 * when a slice comes back short (a dry run counts everything in one call). A
 * keyset step's result row starts with the sealed key where the next slice
 * starts (NULL when there is none), passed back in the next call, then its
 * counts. Which option is an age and which total a count adds to are the
 * table's, as offsets into struct purge_opts and struct purge_report.
 */
struct step {
	const char *name, *sql;
	bool keyset;
	int nages, ncounts;
	size_t age[2];      /* offsetof(struct purge_opts, <a long>) */
	size_t count[4];    /* offsetof(struct purge_report, <a long long>) */
};

/* the offset of a field, which must be of the type the loop reads (else no _Generic match) */
#define AGE(field) (offsetof(struct purge_opts, field) + 0 * _Generic(((struct purge_opts *)0)->field, long: 1))
#define COUNT(field) \
	(offsetof(struct purge_report, field) + 0 * _Generic(((struct purge_report *)0)->field, long long: 1))
static const struct step steps[PURGE_NSTEPS] = {
	[PURGE_OLD_STAYS] = { "removing hospital stays that ended before the cutoff",
		"SELECT purge_old_stays($1::timestamptz, $2::int, $3::int, $4::boolean)",
		false, 1, 1, { AGE(margin_months) }, { COUNT(old_stays) } },
	[PURGE_CLOSED_CLAIMS] = { "purging the claims of closed and deceased dossiers",
		"SELECT next_key, dossiers, first_purges, claim_lines, stays FROM"
		" purge_closed_claims($1::timestamptz, $2::int, $3::int, $4, $5::int, $6::boolean)",
		true, 2, 4, { AGE(grace_days), AGE(margin_months) },
		{ COUNT(closed_dossiers), COUNT(closed_first), COUNT(closed_lines), COUNT(closed_stays) } },
	[PURGE_VERSIONS] = { "removing old version rows",
		"SELECT next_key, deleted FROM purge_versions($1::timestamptz, $2::int, $3, $4::int, $5::boolean)",
		true, 1, 1, { AGE(version_months) }, { COUNT(versions) } },
	[PURGE_REJECTS] = { "removing the rejects of old batches",
		"SELECT purge_rejects($1::timestamptz, $2::int, $3::int, $4::boolean)",
		false, 1, 1, { AGE(reject_days) }, { COUNT(rejects) } },
	[PURGE_BACKFILL_LISTS] = { "removing the lists of old backfills",
		"SELECT purge_backfill_lists($1::timestamptz, $2::int, $3::int, $4::boolean)",
		false, 1, 1, { AGE(backfill_days) }, { COUNT(backfill_items) } },
};
#undef AGE
#undef COUNT

const char *purge_step_name(enum purge_step step)
{
	return steps[step].name;
}

int purge_slice(PGconn *c, enum purge_step step, const struct purge_opts *o, struct purge_cursor *cur,
		struct purge_report *r)
{
	if ((unsigned)step >= PURGE_NSTEPS || steps[step].sql == NULL)
		return dr_error(DR_E_INTERNAL, "purge step %d unknown", (int)step);
	const struct step *st = &steps[step];
	const char *params[6];
	int np = 0, col = 0;
	struct db_ints n;
	PGresult *res;
	int rc;

	params[np++] = r->as_of;
	for (int i = 0; i < st->nages; i++)
		params[np++] = db_int(&n, i, *(const long *)((const char *)o + st->age[i]));
	if (st->keyset)
		params[np++] = cur->started ? cur->key : NULL;
	params[np++] = db_int(&n, st->nages, o->slice);
	params[np++] = o->dry_run ? "true" : "false";
	if ((rc = db_query_text(c, st->name, st->sql, np, params, &res)) != 0)
		return rc;
	if (st->keyset) {
		cur->done = PQgetisnull(res, 0, col);
		if (!cur->done && (size_t)snprintf(cur->key, sizeof(cur->key), "%s", PQgetvalue(res, 0, col))
				  >= sizeof(cur->key))
			rc = dr_error(DR_E_INTERNAL, "%s: the next slice's key is too long", st->name);
		col++;
	}
	for (int i = 0; rc == 0 && i < st->ncounts; i++) {
		long long v;
		if ((rc = db_get_long(res, 0, col + i, 0, &v)) == 0)
			*(long long *)((char *)r + st->count[i]) += v;
		/* an aged step is done when its slice comes back short */
		if (rc == 0 && !st->keyset)
			cur->done = o->dry_run || v < o->slice;
	}
	PQclear(res);
	cur->started = true;
	return rc;
}

void purge_report_free(struct purge_report *r)
{
	free(r->parts);
	r->parts = NULL;
	r->n_parts = 0;
}
