/*
 * load/backfill_io.c — the statements of a backfill's list (see backfill_io.h).
 */
#include "load/backfill_io.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/text.h"
#include "load/db.h"

#include <stdio.h>
#include <string.h>

#define BACKFILL_LOCK "736821093"    /* advisory lock class (int4) of backfill lists */
#define BACKFILL_SQL_MAX (64 * 1024)

/* Appends the SELECT of the dossiers to list ($1, $2 = from, to, when given:
 * the statement goes with db_query_text). */
static int put_list_sql(struct buf *b, const struct backfill_selection *a, const struct feed_selection *sel)
{
	char shard[128];

	feed_shard_sql(shard, sizeof(shard), sel->shard_k, sel->shard_n);
	if (a->all)
		return buf_printf(b, "SELECT d.ins_c FROM dossier d WHERE " FEED_SQL_FEEDABLE "%s", shard);
	if (a->list)
		return buf_printf(b, "SELECT d.ins_c FROM feed_list d WHERE true%s", shard);
	/* a semi-join: each dossier once, however many lines it has */
	return buf_printf(b, "SELECT d.ins_c FROM dossier d WHERE " FEED_SQL_FEEDABLE "%s"
			  " AND EXISTS (SELECT 1 FROM claim_line c WHERE c.ins_c = d.ins_c"
			  "             AND c.flx_trt_dtd BETWEEN $1::date AND $2::date)", shard);
}

int backfill_check_dates(PGconn *c, const char *from, const char *to)
{
	/* checked by the server, named by the option */
	const char *params[2] = { from, to };
	PGresult *r;
	long long ok = 0;
	int rc;

	if ((rc = db_query_option(c, "checking --from and --to", "SELECT ($1::date <= $2::date)::int",
				  2, params, "--from and --to must be dates (YYYY-MM-DD)", &r)) != 0)
		return rc;
	rc = db_get_long(r, 0, 0, 0, &ok);
	PQclear(r);
	if (rc == 0 && !ok)
		rc = dr_error(DR_E_USAGE, "--from must not be after --to");
	return rc;
}

int backfill_estimate(PGconn *c, const struct backfill_selection *a, const struct feed_selection *sel,
		      const char *as_of, struct backfill_estimate *e)
{
	const char *params[3] = { a->from, a->to, as_of };
	struct buf sql;
	PGresult *r;
	int rc;

	buf_init(&sql, BACKFILL_SQL_MAX);
	if ((rc = buf_puts(&sql, "WITH l AS (")) == 0 && (rc = put_list_sql(&sql, a, sel)) == 0)
		rc = buf_puts(&sql,
			"), f AS (SELECT l.ins_c FROM l JOIN dossier d USING (ins_c)"
			"                      WHERE " FEED_SQL_FEEDABLE "),"
			" w AS (SELECT coalesce($3::timestamptz, now())::date AS hi),"
			" rate AS (SELECT sum((counts->>'documents')::numeric) AS docs,"
			"                 sum(extract(epoch FROM ended_at - started_at)) AS secs FROM run"
			"           WHERE command IN ('feed', 'backfill') AND outcome = 'ok'"
			"             AND started_at > now() - interval '30 days' AND (counts->>'documents')::int > 0)"
			" SELECT (SELECT count(*) FROM l), (SELECT count(*) FROM f),"
			"        (SELECT count(*) FROM f JOIN claim_line c USING (ins_c), w"
			"          WHERE c.exe_soi_dtd BETWEEN (w.hi - interval '24 months')::date AND w.hi"
			"            AND c.flx_trt_dtd >= (w.hi - interval '24 months')::date),"
			"        (SELECT round(docs / nullif(secs, 0), 1) FROM rate)");
	if (rc == 0)
		rc = db_query_text(c, "estimating the backfill", sql.data, 3, params, &r);
	buf_free(&sql);
	if (rc != 0)
		return rc;
	if ((rc = db_get_long(r, 0, 0, 0, &e->listed)) == 0 && (rc = db_get_long(r, 0, 1, 0, &e->feedable)) == 0
	    && (rc = db_get_long(r, 0, 2, 0, &e->lines)) == 0)
		rc = db_get_double(r, 0, 3, 0.0, &e->docs_per_s);
	PQclear(r);
	return rc;
}

int backfill_write_list(PGconn *c, const struct backfill_selection *a, const struct feed_selection *sel,
			long long run_id, long long *listed)
{
	char run[24];
	const char *params[3] = { a->from, a->to, run };
	struct buf sql;
	PGresult *r;
	int rc;

	text_decimal(run_id, run);
	buf_init(&sql, BACKFILL_SQL_MAX);
	if ((rc = buf_puts(&sql, "WITH ins AS (INSERT INTO backfill_item (run_id, seq, ins_c)"
			   " SELECT $3::bigint, row_number() OVER (ORDER BY ins_c), ins_c FROM (")) == 0
	    && (rc = put_list_sql(&sql, a, sel)) == 0)
		rc = buf_puts(&sql, ") l RETURNING 1) SELECT count(*) FROM ins");
	if (rc == 0)
		rc = db_query_text(c, "listing the dossiers", sql.data, 3, params, &r);
	buf_free(&sql);
	if (rc != 0)
		return rc;
	rc = db_get_long(r, 0, 0, 0, listed);
	PQclear(r);
	return rc;
}

int backfill_lock_list(PGconn *c, long long run_id)
{
	char run[24];
	const char *params[1] = { run };
	long long got;
	int rc;

	text_decimal(run_id, run);
	if ((rc = db_query_long(c, "SELECT pg_try_advisory_lock(" BACKFILL_LOCK ","
				" ($1::bigint % 2147483647)::int)::int",
				1, params, 0, &got)) != 0)
		return rc;
	return got ? 0 : dr_error(DR_E_RETRY, "backfill %lld is being run by another process right now", run_id);
}

/* the run's row, if the process was killed, was closed as interrupted by run_start */
int backfill_check_resume(PGconn *c, long long run_id)
{
	char run[24];
	const char *params[1] = { run };
	long long n;
	int rc;

	text_decimal(run_id, run);
	if ((rc = db_query_long(c, "SELECT count(*) FROM run WHERE run_id = $1::bigint"
				" AND command = 'backfill'", 1, params, 0, &n)) != 0)
		return rc;
	return n ? 0 : dr_hint(dr_error(DR_E_USAGE, "run %lld is not a backfill", run_id),
			       "see the run table or 'dmpremb status'");
}
