/*
 * load/purge_io.c — the steps of `purge`, each slice one call of a
 * retention function of sql/006_retention.sql in its own transaction.
 */
#include "load/purge_io.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "load/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Up to 4 numbers as text parameters of one call. */
struct nums {
	char v[4][24];
};

static const char *num(struct nums *n, int k, long long v)
{
	snprintf(n->v[k], sizeof(n->v[k]), "%lld", v);
	return n->v[k];
}

static int interrupted(const char *step)
{
	return dr_error(DR_E_INTERRUPTED, "interrupted during %s: what was removed stays removed;"
			" run purge again to finish", step);
}

/* One bigint from a call, with a message naming the step. */
static int call_long(PGconn *c, const char *what, const char *sql, int n, const char *const *params,
		     long long *out)
{
	PGresult *r;
	int rc = db_query_text(c, what, sql, n, params, &r);

	if (rc != 0)
		return rc;
	*out = PQgetisnull(r, 0, 0) ? 0 : atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int purge_prepare(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	struct nums n;
	const char *params[2] = { o->as_of, NULL };
	PGresult *res;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = db_query_option(c, "reading the as-of", "SELECT t::text, (t > now() + interval '1 day')::int"
				  " FROM (SELECT coalesce($1::timestamptz, now()) AS t) x", 1, params,
				  DB_AS_OF_USAGE, &res)) != 0)
		return rc;
	snprintf(r->as_of, sizeof(r->as_of), "%s", PQgetvalue(res, 0, 0));
	bool future = atoi(PQgetvalue(res, 0, 1)) != 0;
	PQclear(res);
	if (future)
		return dr_error(DR_E_USAGE, "--as-of is in the future: a purge only looks back");

	params[0] = r->as_of;
	params[1] = num(&n, 0, o->margin_months);
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
	for (size_t i = 0; i < r->n_parts; i++) {
		struct purge_partition *p = &r->parts[i];
		snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, (int)i, 0));
		snprintf(p->from, sizeof(p->from), "%s", PQgetvalue(res, (int)i, 1));
		snprintf(p->to, sizeof(p->to), "%s", PQgetvalue(res, (int)i, 2));
		p->rows = atoll(PQgetvalue(res, (int)i, 3));
	}
	PQclear(res);
	return 0;
}

/* Step 1: one DROP per partition, each its own transaction under the
 * session's lock_timeout; then the claim_stat rows of those months. A DROP
 * that times out leaves that partition, the later ones and the claim_stat
 * rows to the next purge (*busy = true), and the other steps go on. */
static int drop_partitions(PGconn *c, const struct purge_opts *o, struct purge_report *r, bool *busy)
{
	struct nums n;
	const char *params[3] = { NULL, r->as_of, num(&n, 0, o->margin_months) };
	PGresult *res;
	int rc;

	for (size_t i = 0; i < r->n_parts && !*busy; i++) {
		struct purge_partition *p = &r->parts[i];
		if (o->dry_run) {
			r->partition_rows += p->rows;
			continue;
		}
		if (dr_interrupted())
			return interrupted("the partition drops");
		params[0] = p->name;
		res = PQexecParams(c, "SELECT purge_drop_partition($1, $2::timestamptz, $3::int)", 3, NULL, params,
				   NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			*busy = strcmp(db_sqlstate(res), "55P03") == 0;     /* lock_not_available */
			rc = db_fail(c, res, "dropping an old claim_line partition");
			PQclear(res);
			if (!*busy)
				return rc;
			dr_log(DR_LOG_WARN, "purge.busy", "partition=%s lock_timeout_s=%ld reason=\"claim_line in use"
			       " by another transaction; left to the next purge\"", p->name, o->lock_timeout_s);
			break;
		}
		bool gone_before = PQgetisnull(res, 0, 0);    /* by another purge meanwhile */
		long long rows = gone_before ? 0 : atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (gone_before)
			continue;
		p->dropped = true;
		r->partitions_dropped++;
		r->partition_rows += rows;
		dr_log(DR_LOG_INFO, "purge.partition", "partition=%s from=%s to=%s rows=%lld",
		       p->name, p->from, p->to, rows);
		dr_killpoint("purge-slice");
	}
	if (*busy)          /* their counts go with the partitions, next time */
		return 0;
	const char *sp[3] = { r->as_of, params[2], o->dry_run ? "true" : "false" };
	return call_long(c, "removing old claim_stat rows",
			 "SELECT purge_claim_stat($1::timestamptz, $2::int, $3::boolean)", 3, sp, &r->claim_stat_rows);
}

/*
 * Calls fn($1 as-of, $2 age, $3 slice, $4 dry) -> bigint until a slice
 * comes back short (a dry run counts everything in one call).
 */
static int drain(PGconn *c, const struct purge_opts *o, const char *as_of, const char *step,
		 const char *sql, long age, long long *total)
{
	struct nums n;
	const char *params[4] = { as_of, num(&n, 0, age), num(&n, 1, o->slice), o->dry_run ? "true" : "false" };
	long long got;
	int rc;

	for (;;) {
		if (dr_interrupted())
			return interrupted(step);
		if ((rc = call_long(c, step, sql, 4, params, &got)) != 0)
			return rc;
		*total += got;
		if (o->dry_run || got < o->slice)
			return 0;
		dr_killpoint("purge-slice");
	}
}

/*
 * Calls a keyset-sliced function until it says it is done: its result row
 * starts with nkeys key columns (where the next slice starts; NULL when
 * there is none), passed back as parameters key_at.. of the next call, then
 * ncounts counts added to *counts[i]. The keys are sealed by the server
 * (sql/012_privacy.sql): opaque here, never an identifier.
 */
static int keyset_slices(PGconn *c, const struct purge_opts *o, const char *step, const char *sql,
			 const char **params, int nparams, int key_at, int nkeys, long long *const *counts,
			 int ncounts)
{
	char keys[3][512];     /* a sealed key: 64 to 200 hex digits */
	PGresult *res;
	int rc;

	for (;;) {
		if (dr_interrupted())
			return interrupted(step);
		if ((rc = db_query_text(c, step, sql, nparams, params, &res)) != 0)
			return rc;
		bool done = PQgetisnull(res, 0, 0);
		for (int k = 0; k < nkeys && !done; k++) {
			snprintf(keys[k], sizeof(keys[k]), "%s", PQgetvalue(res, 0, k));
			params[key_at + k] = keys[k];
		}
		for (int i = 0; i < ncounts; i++)
			*counts[i] += atoll(PQgetvalue(res, 0, nkeys + i));
		PQclear(res);
		if (done)
			return 0;
		if (!o->dry_run)
			dr_killpoint("purge-slice");
	}
}

/* Step 2: slices of closed and deceased dossiers, in INS-C order (the
 * position comes back sealed). */
static int closed_claims(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	struct nums n;
	const char *params[6] = { r->as_of, num(&n, 0, o->grace_days), num(&n, 1, o->margin_months), NULL,
				  num(&n, 2, o->slice), o->dry_run ? "true" : "false" };
	long long *const counts[4] = { &r->closed_dossiers, &r->closed_first, &r->closed_lines, &r->closed_stays };

	return keyset_slices(c, o, "purging the claims of closed and deceased dossiers",
			     "SELECT next_key, dossiers, first_purges, claim_lines, stays FROM"
			     " purge_closed_claims($1::timestamptz, $2::int, $3::int, $4, $5::int, $6::boolean)",
			     params, 6, 3, 1, counts, 4);
}

/* Step 3: version rows, keyset slices on (generated_at, ins_c, version),
 * the position sealed. */
static int versions(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	struct nums n;
	const char *params[5] = { r->as_of, num(&n, 0, o->version_months), NULL, num(&n, 1, o->slice),
				  o->dry_run ? "true" : "false" };
	long long *const counts[1] = { &r->versions };

	return keyset_slices(c, o, "removing old version rows",
			     "SELECT next_key, deleted FROM purge_versions($1::timestamptz, $2::int, $3, $4::int,"
			     " $5::boolean)", params, 5, 2, 1, counts, 1);
}

int purge_execute(PGconn *c, const struct purge_opts *o, struct purge_report *r)
{
	struct timespec t0, t1;
	char sql[64];
	bool busy = false;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* a DROP waits for every transaction using claim_line, and every later
	 * reader would queue behind it: give up instead, after lock_timeout */
	snprintf(sql, sizeof(sql), "SET lock_timeout = '%lds'", o->lock_timeout_s);
	if ((rc = db_exec(c, sql)) == 0
	    && (rc = drop_partitions(c, o, r, &busy)) == 0
	    && (rc = drain(c, o, r->as_of, "removing hospital stays that ended before the cutoff",
			   "SELECT purge_old_stays($1::timestamptz, $2::int, $3::int, $4::boolean)",
			   o->margin_months, &r->old_stays)) == 0
	    && (rc = closed_claims(c, o, r)) == 0
	    && (rc = versions(c, o, r)) == 0
	    && (rc = drain(c, o, r->as_of, "removing the rejects of old batches",
			   "SELECT purge_rejects($1::timestamptz, $2::int, $3::int, $4::boolean)",
			   o->reject_days, &r->rejects)) == 0)
		rc = drain(c, o, r->as_of, "removing the lists of old backfills",
			   "SELECT purge_backfill_lists($1::timestamptz, $2::int, $3::int, $4::boolean)",
			   o->backfill_days, &r->backfill_items);
	if (rc == 0 && busy)
		rc = dr_error(DR_E_RETRY, "%zu partition(s) not dropped: claim_line was in use longer than the lock"
			      " timeout (%ld s); the rest was done; run purge again later",
			      r->n_parts - (size_t)r->partitions_dropped, o->lock_timeout_s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

void purge_report_free(struct purge_report *r)
{
	free(r->parts);
	r->parts = NULL;
	r->n_parts = 0;
}
