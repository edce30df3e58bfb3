/*
 * ingest/referentials.c — replaces the ref_* tables from the files found.
 *
 *   opendir --known names--> for each file, in ref_specs order:
 *     ref_read --rows--> COPY pg_temp.ref_stage (kept columns, line_no)
 *     DELETE FROM ref_x; INSERT INTO ref_x SELECT DISTINCT ON (pk) ... ORDER BY pk, line_no DESC
 *     upsert referential_file (counts, SHA-256, run)
 *   all files in one transaction, behind an advisory lock.
 *
 * DELETE rather than TRUNCATE: TRUNCATE is not MVCC-safe (a reader whose
 * snapshot predates the commit would see an empty table) and would block
 * readers for the whole load; the tables are small enough for DELETE.
 * The staging table turns "keep the last record of a repeated key" into one
 * statement and keeps memory flat here: nothing is held per record.
 */
#include "ingest/referentials.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "load/copy.h"
#include "load/db.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_LOCK "7368210932"   /* advisory lock key of referential loads */
#define SQL_MAX 8192   /* bytes of a statement we build */

static const char *const source_names[] = { "snds", "bdpm" };

/* Appends the column list of a spec ("a, b, c") to b. */
static void column_list(const struct ref_spec *spec, struct buf *b)
{
	for (int i = 0; i < spec->ncols; i++)
		buf_printf(b, "%s%s", i ? ", " : "", spec->cols[i].sql);
}

/* Runs the statement built in sql, then empties it. */
static int exec_sql(PGconn *c, struct buf *sql)
{
	int rc = sql->data ? db_exec(c, sql->data) : dr_error(DR_E_NOMEM, "cannot build a statement");

	buf_reset(sql);
	return rc;
}

/* COPY callback: one staged row. */
struct stage {
	struct copy cp;
	const struct ref_spec *spec;
};

static int stage_row(void *arg, const char *const *values, long line)
{
	struct stage *st = arg;
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

/* Upserts the referential_file row of a loaded file and logs it. */
static int record_file(PGconn *c, long long run_id, const struct ref_result *res)
{
	const struct ref_spec *spec = res->spec;
	char n[7][24];
	int rc;

	snprintf(n[0], sizeof(n[0]), "%lld", res->counts.records);
	snprintf(n[1], sizeof(n[1]), "%lld", res->loaded);
	snprintf(n[2], sizeof(n[2]), "%lld", res->duplicates);
	snprintf(n[3], sizeof(n[3]), "%lld", res->counts.skipped);
	snprintf(n[4], sizeof(n[4]), "%lld", res->counts.repaired);
	snprintf(n[5], sizeof(n[5]), "%lld", res->counts.bytes);
	snprintf(n[6], sizeof(n[6]), "%lld", run_id);
	const char *params[10] = { spec->file, spec->table, n[0], n[1], n[2], n[3], n[4], n[5],
				   res->counts.sha256, run_id > 0 ? n[6] : NULL };
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

/* Stages the file's records, then replaces the table with them. */
static int load_one(PGconn *c, const char *path, long long run_id, struct ref_result *res)
{
	const struct ref_spec *spec = res->spec;
	const char *line_no = spec->line_no ? ", line_no" : "";
	struct stage st = { .spec = spec };
	struct buf cols, sql;
	long long staged = 0;
	PGresult *r;
	int rc;

	buf_init(&cols, SQL_MAX);
	buf_init(&sql, SQL_MAX);
	column_list(spec, &cols);
	buf_printf(&sql, "DROP TABLE IF EXISTS pg_temp.ref_stage;"
		   " CREATE TEMP TABLE ref_stage ON COMMIT DROP AS"
		   " SELECT %s, NULL::bigint AS line_no FROM %s WITH NO DATA", cols.data, spec->table);
	rc = exec_sql(c, &sql);
	if (rc == 0) {
		buf_printf(&sql, "COPY ref_stage (%s, line_no) FROM STDIN", cols.data);
		rc = copy_begin(&st.cp, c, sql.data);
		buf_reset(&sql);
	}
	if (rc == 0) {
		rc = ref_read(spec, path, stage_row, &st, &res->counts);
		if (rc)
			copy_abort(&st.cp, "referential file refused");   /* keeps the message */
		else
			rc = copy_finish(&st.cp, &staged);
	}
	if (rc == 0) {
		buf_printf(&sql, "DELETE FROM %s", spec->table);
		rc = exec_sql(c, &sql);
	}
	if (rc == 0) {
		buf_printf(&sql, "INSERT INTO %s (%s%s) SELECT DISTINCT ON (%s) %s%s"
			   " FROM ref_stage ORDER BY %s, line_no DESC", spec->table, cols.data,
			   line_no, spec->pk, cols.data, line_no, spec->pk);
		r = PQexec(c, sql.data);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = db_fail(c, r, "replacing a referential table");
		else
			res->loaded = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		res->duplicates = staged - res->loaded;
	}
	buf_free(&cols);
	buf_free(&sql);
	return rc ? rc : record_file(c, run_id, res);
}

/* Marks the known files of dir as found; warns about the others. */
static int scan(const char *dir, enum ref_source source, struct ref_result *res, int nres,
		int *found)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char base[256];

	if (d == NULL)
		return dr_error(errno == ENOENT || errno == ENOTDIR ? DR_E_NOINPUT : DR_E_IO,
				"cannot read the %s directory '%s': %s", source_names[source], dir,
				strerror(errno));
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name, *dot = strrchr(name, '.');
		bool known = false;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		for (int i = 0; i < nres; i++)
			if (res[i].spec->source == source && strcmp(res[i].spec->file, name) == 0) {
				res[i].found = known = true;
				(*found)++;
			}
		/* the Table Schema next to each SNDS file (X.json beside X.csv) */
		if (!known && source == REF_SNDS && dot && strcmp(dot, ".json") == 0
		    && (size_t)(dot - name) < sizeof(base) - 4) {
			snprintf(base, sizeof(base), "%.*s.csv", (int)(dot - name), name);
			known = ref_spec_find(REF_SNDS, base) != NULL;
		}
		if (!known)
			dr_log(DR_LOG_WARN, "referentials.ignored", "dir=%s file=\"%s\" why=\"not a known %s file\"",
			       source_names[source], name, source_names[source]);
	}
	closedir(d);
	return 0;
}

int ref_load(PGconn *c, const char *snds_dir, const char *bdpm_dir, long long run_id,
	     struct ref_result *res, int *nres)
{
	const char *dirs[2] = { snds_dir, bdpm_dir };
	char path[4096];
	int n = 0, found = 0, rc = 0;

	for (int i = 0; i < ref_nspecs; i++)
		if (dirs[ref_specs[i].source]) {
			memset(&res[n], 0, sizeof(res[n]));
			res[n++].spec = &ref_specs[i];
		}
	*nres = n;
	for (int s = 0; s < 2 && rc == 0; s++)
		if (dirs[s])
			rc = scan(dirs[s], (enum ref_source)s, res, n, &found);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (!res[i].found)
			dr_log(DR_LOG_WARN, "referentials.missing", "dir=%s file=%s table=%s"
			       " why=\"not found: table left as it was\"",
			       source_names[res[i].spec->source], res[i].spec->file, res[i].spec->table);
	if (found == 0)
		return dr_error(DR_E_NOINPUT, "no known referential file in %s%s%s",
				snds_dir ? snds_dir : "", snds_dir && bdpm_dir ? " nor in " : "",
				bdpm_dir ? bdpm_dir : "");

	rc = db_begin(c);
	if (rc == 0)
		rc = db_exec(c, "SELECT pg_advisory_xact_lock(" REF_LOCK ")");
	for (int i = 0; i < n && rc == 0; i++) {
		if (!res[i].found)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[res[i].spec->source], res[i].spec->file);
		rc = load_one(c, path, run_id, &res[i]);
		dr_killpoint("referentials-file");
	}
	if (rc == 0 && dr_interrupted())
		rc = dr_error(DR_E_INTERRUPTED, "interrupted before commit: nothing changed");
	if (rc == 0)
		rc = db_commit(c);
	if (rc)
		db_rollback(c);   /* keeps the error message */
	return rc;
}
