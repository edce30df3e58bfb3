/*
 * load/batch_io.c — the statements on batch, batch_file and reject (see batch_io.h).
 */
#include "load/batch_io.h"
#include "lib/err.h"
#include "lib/text.h"
#include "load/db.h"

#include <stdio.h>
#include <string.h>

int batch_claim(PGconn *c, const char *manifest_sha256, const char *label, long long run_id,
		long long *batch_id, bool *already)
{
	char run[32];
	const char *params[3] = { manifest_sha256, label, run };
	PGresult *r;
	int rc;

	*batch_id = 0;
	*already = false;
	text_decimal(run_id, run);
	rc = db_execp(c, "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", 1, params);
	if (rc == 0)
		rc = db_query(c, "looking up the batch",
			      "SELECT batch_id, status FROM batch WHERE manifest_sha256 = $1", 1, params, &r);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		rc = db_get_long(r, 0, 0, 0, batch_id);
		*already = strcmp(PQgetvalue(r, 0, 1), "applied") == 0;
		PQclear(r);
		if (rc || *already)
			return rc;
		/* a refused batch comes back (e.g. with --force): start its report afresh */
		char id[32];
		const char *p1[1] = { id };
		text_decimal(*batch_id, id);
		rc = db_execp(c, "DELETE FROM reject WHERE batch_id = $1::bigint", 1, p1);
		if (rc == 0)
			rc = db_execp(c, "DELETE FROM batch_file WHERE batch_id = $1::bigint", 1, p1);
		return rc;
	}
	PQclear(r);
	return db_query_long(c, "INSERT INTO batch (manifest_sha256, label, status, run_id, reason)"
			     " VALUES ($1, $2, 'refused', nullif($3, '0')::bigint, 'in progress') RETURNING batch_id",
			     3, params, 0, batch_id);
}

int batch_store_file(PGconn *c, long long batch_id, const struct ingest_file_report *f,
		     const char *by_rule_json)
{
	struct db_ints n;
	const char *p2[11] = { db_int(&n, 0, batch_id), f->name, db_int(&n, 1, f->bytes), db_int(&n, 2, f->read),
			       db_int(&n, 3, f->loaded), db_int(&n, 4, f->filtered), db_int(&n, 5, f->rejected),
			       db_int(&n, 6, f->duplicate), by_rule_json, f->encoding, f->sha256 };

	return db_execp(c,
		"INSERT INTO batch_file (batch_id, file_name, encoding, sha256, bytes, lines_read, loaded,"
		" filtered, rejected, duplicate, filtered_by_rule, rejected_by_reason)"
		" SELECT $1::bigint, $2, $10, $11, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint,"
		" $8::bigint, $9::jsonb,"
		" (SELECT coalesce(jsonb_object_agg(reason_code, n), '{}') FROM"
		"   (SELECT reason_code, count(*) AS n FROM reject WHERE batch_id = $1::bigint"
		"    AND file_name = $2 GROUP BY 1) x)", 11, p2);
}

int batch_finish(PGconn *c, long long batch_id, bool refused, const char *reason, bool forced)
{
	char id[32];
	const char *params[4] = { id, refused ? "refused" : "applied", reason ? reason : "", forced ? "t" : "f" };

	text_decimal(batch_id, id);
	return db_execp(c, "UPDATE batch SET status = $2, reason = nullif($3, ''), forced = $4::boolean,"
			" applied_at = CASE WHEN $2 = 'applied' THEN clock_timestamp() END"
			" WHERE batch_id = $1::bigint", 4, params);
}

int batch_read_rejects(PGconn *c, long long batch_id, struct ingest_rejects *out)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	text_decimal(batch_id, id);
	if ((rc = db_query(c, "listing rejects",
			   "SELECT file_name, reason_code, count(*) FROM reject WHERE batch_id = $1::bigint"
			   " GROUP BY 1, 2 ORDER BY 1, 2", 1, params, &r)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r) && i < INGEST_REJECT_GROUPS; i++) {
		snprintf(out->groups[i].file, sizeof(out->groups[i].file), "%s", PQgetvalue(r, i, 0));
		snprintf(out->groups[i].code, sizeof(out->groups[i].code), "%s", PQgetvalue(r, i, 1));
		if ((rc = db_get_long(r, i, 2, 0, &out->groups[i].n)) == 0)
			out->ngroups = i + 1;
	}
	PQclear(r);
	if (rc != 0 || (rc = db_query(c, "listing rejects",
			   "SELECT file_name, line_no, coalesce(column_name, '-'), reason FROM reject"
			   " WHERE batch_id = $1::bigint ORDER BY file_name, line_no LIMIT 20", 1, params, &r)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r) && i < INGEST_FIRST_REJECTS; i++) {
		snprintf(out->first[i].file, sizeof(out->first[i].file), "%s", PQgetvalue(r, i, 0));
		snprintf(out->first[i].column, sizeof(out->first[i].column), "%s", PQgetvalue(r, i, 2));
		snprintf(out->first[i].reason, sizeof(out->first[i].reason), "%s", PQgetvalue(r, i, 3));
		if ((rc = db_get_long(r, i, 1, 0, &out->first[i].line)) == 0)
			out->nfirst = i + 1;
	}
	PQclear(r);
	return rc;
}
