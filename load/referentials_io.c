/*
 * load/referentials_io.c — the statements of a referential load (see referentials_io.h).
 */
#include "load/referentials_io.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "load/db.h"

#include <stdio.h>

#define REF_LOCK "7368210932"   /* advisory lock key of referential loads */
#define SQL_MAX 8192   /* bytes of a statement we build */

int ref_lock(PGconn *c)
{
	return db_exec(c, "SELECT pg_advisory_xact_lock(" REF_LOCK ")");
}

/* Appends the column list of a spec ("a, b, c") to b. */
static int column_list(const struct ref_spec *spec, struct buf *b)
{
	int rc = 0;

	for (int i = 0; i < spec->ncols && rc == 0; i++)
		rc = buf_printf(b, "%s%s", i ? ", " : "", spec->cols[i].sql);
	return rc;
}

int ref_stage_begin(PGconn *c, const struct ref_spec *spec, struct ref_stage *st)
{
	struct buf cols, sql;
	int rc;

	st->spec = spec;
	buf_init(&cols, SQL_MAX);
	buf_init(&sql, SQL_MAX);
	if ((rc = column_list(spec, &cols)) == 0
	    && (rc = buf_printf(&sql, "DROP TABLE IF EXISTS pg_temp.ref_stage;"
				" CREATE TEMP TABLE ref_stage ON COMMIT DROP AS"
				" SELECT %s, NULL::bigint AS line_no FROM %s WITH NO DATA", cols.data, spec->table)) == 0
	    && (rc = db_exec(c, sql.data)) == 0) {
		buf_reset(&sql);
		if ((rc = buf_printf(&sql, "COPY ref_stage (%s, line_no) FROM STDIN", cols.data)) == 0)
			rc = copy_begin(&st->cp, c, sql.data);
	}
	buf_free(&cols);
	buf_free(&sql);
	return rc;
}

int ref_stage_row(void *arg, const char *const *values, long line)
{
	struct ref_stage *st = arg;
	int rc = 0;

	for (int i = 0; i < st->spec->ncols && rc == 0; i++)
		rc = copy_fieldz(&st->cp, values[i]);
	if (rc == 0)
		rc = copy_long(&st->cp, line);
	if (rc == 0)
		rc = copy_end_row(&st->cp);
	if (rc == 0 && (st->cp.rows & 4095) == 0 && dr_interrupted())
		rc = dr_error(DR_E_INTERRUPTED, "interrupted while loading %s", st->spec->file);
	return rc;
}

int ref_stage_finish(struct ref_stage *st, long long *staged)
{
	return copy_finish(&st->cp, staged);
}

void ref_stage_abort(struct ref_stage *st, const char *why)
{
	copy_abort(&st->cp, why);
}

int ref_replace(PGconn *c, long long staged, struct ref_result *res)
{
	const struct ref_spec *spec = res->spec;
	const char *line_no = spec->line_no ? ", line_no" : "";
	struct buf cols, sql;
	PGresult *r;
	int rc;

	buf_init(&cols, SQL_MAX);
	buf_init(&sql, SQL_MAX);
	if ((rc = column_list(spec, &cols)) == 0 && (rc = buf_printf(&sql, "DELETE FROM %s", spec->table)) == 0
	    && (rc = db_exec(c, sql.data)) == 0) {
		buf_reset(&sql);
		rc = buf_printf(&sql, "INSERT INTO %s (%s%s) SELECT DISTINCT ON (%s) %s%s"
				" FROM ref_stage ORDER BY %s, line_no DESC", spec->table, cols.data,
				line_no, spec->pk, cols.data, line_no, spec->pk);
	}
	if (rc == 0) {
		r = PQexec(c, sql.data);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = db_fail(c, r, "replacing a referential table");
		else
			rc = db_cmd_rows(r, &res->loaded);
		PQclear(r);
		res->duplicates = staged - res->loaded;
	}
	buf_free(&cols);
	buf_free(&sql);
	return rc;
}

/* Upserts the referential_file row of a loaded file and logs it. */
int ref_record_file(PGconn *c, long long run_id, const struct ref_result *res)
{
	const struct ref_spec *spec = res->spec;
	struct db_ints n;
	const char *params[10] = { spec->file, spec->table, db_int(&n, 0, res->counts.records),
				   db_int(&n, 1, res->loaded), db_int(&n, 2, res->duplicates),
				   db_int(&n, 3, res->counts.skipped), db_int(&n, 4, res->counts.repaired),
				   db_int(&n, 5, res->counts.bytes), res->counts.sha256,
				   run_id > 0 ? db_int(&n, 6, run_id) : NULL };
	int rc;

	rc = db_execp(c, "INSERT INTO referential_file (file_name, table_name, records, rows,"
		      " duplicates, skipped, repaired, bytes, sha256, run_id)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
		      " ON CONFLICT (file_name) DO UPDATE SET table_name = EXCLUDED.table_name,"
		      " records = EXCLUDED.records, rows = EXCLUDED.rows,"
		      " duplicates = EXCLUDED.duplicates, skipped = EXCLUDED.skipped,"
		      " repaired = EXCLUDED.repaired, bytes = EXCLUDED.bytes,"
		      " sha256 = EXCLUDED.sha256, loaded_at = clock_timestamp(),"
		      " run_id = EXCLUDED.run_id", 10, params);
	if (rc == 0)
		dr_log(DR_LOG_INFO, "referentials.file", "file=%s table=%s records=%lld loaded=%lld"
		       " duplicates=%lld skipped=%lld repaired=%lld", spec->file, spec->table,
		       res->counts.records, res->loaded, res->duplicates, res->counts.skipped,
		       res->counts.repaired);
	return rc;
}
