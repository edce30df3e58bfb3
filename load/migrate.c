/*
 * load/migrate.c — apply the embedded sql/ migrations in order.
 */
#include "load/migrate.h"
#include "load/db.h"
#include "load/distribute.h"
#include "lib/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK "7368210931"  /* advisory lock key for migrations */

static const char create_table_sql[] =
	"CREATE SCHEMA IF NOT EXISTS " DB_SCHEMA ";"
	"CREATE TABLE IF NOT EXISTS " DB_SCHEMA ".schema_migration ("
	" version int PRIMARY KEY,"
	" name text NOT NULL,"
	" sha256 text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

int migrate_current(PGconn *c, int *current)
{
	long long exists = 0, v = 0;
	/* two statements: one naming a table that does not exist fails at
	 * planning, even in a branch never taken (a fresh database) */
	int rc = db_query_long(c, "SELECT (to_regclass('" DB_SCHEMA ".schema_migration') IS NOT NULL)::int",
			       0, NULL, 0, &exists);

	if (rc == 0 && exists)
		rc = db_query_long(c, "SELECT coalesce(max(version), 0) FROM " DB_SCHEMA ".schema_migration",
				   0, NULL, 0, &v);
	*current = (int)v;
	return rc;
}

int migrate_citus(PGconn *c, enum citus_state *out)
{
	long long v = 0;
	int rc = db_query_long(c, "SELECT count(*) FROM pg_extension WHERE extname = 'citus'", 0, NULL, 0, &v);

	*out = CITUS_NONE;
	if (rc || v == 0)
		return rc;
	*out = CITUS_LOCAL;
	/* pg_dist_partition exists only with the extension: a second query */
	rc = db_query_long(c,
		"SELECT count(*) FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
		" JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" DB_SCHEMA "'",
		0, NULL, 0, &v);
	if (rc == 0 && v > 0)
		*out = CITUS_DISTRIBUTED;
	return rc;
}

int migrate_lock(PGconn *c)
{
	return db_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")");
}

void migrate_unlock(PGconn *c)
{
	PGresult *u = PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
	PQclear(u);
}

int migrate_prepare(PGconn *c, enum citus_state citus)
{
	int rc;

	if (citus == CITUS_LOCAL) {
		/* the schema itself stays on the coordinator too (see migrate_run) */
		rc = db_exec(c, "SET citus.enable_ddl_propagation = off");
		if (rc == 0)
			rc = db_exec(c, create_table_sql);
		if (rc == 0)
			rc = db_exec(c, "RESET citus.enable_ddl_propagation");
		return rc;
	}
	rc = db_exec(c, create_table_sql);
	if (rc == 0 && citus == CITUS_DISTRIBUTED)
		rc = distribute_roles_ensure(c);
	return rc;
}

int migrate_recorded_read(PGconn *c, struct migrate_recorded *rec)
{
	PGresult *r;
	int rc = db_query(c, "reading applied migrations",
			  "SELECT version, sha256 FROM " DB_SCHEMA ".schema_migration ORDER BY version", 0, NULL, &r);

	memset(rec, 0, sizeof(*rec));
	if (rc != 0)
		return rc;
	int n = PQntuples(r);
	rec->version = calloc((size_t)n + 1, sizeof(*rec->version));
	rec->sha256 = calloc((size_t)n + 1, sizeof(*rec->sha256));
	if (rec->version == NULL || rec->sha256 == NULL)
		rc = dr_error(DR_E_NOMEM, "out of memory");
	for (int k = 0; rc == 0 && k < n; k++) {
		long long v;
		if ((rc = db_get_long(r, k, 0, 0, &v)) == 0) {
			rec->version[k] = (int)v;
			snprintf(rec->sha256[k], sizeof(rec->sha256[k]), "%s", PQgetvalue(r, k, 1));
			rec->n = k + 1;
		}
	}
	PQclear(r);
	return rc;
}

const char *migrate_recorded_sha(const struct migrate_recorded *rec, int version)
{
	for (int k = 0; k < rec->n; k++)
		if (rec->version[k] == version)
			return rec->sha256[k];
	return "";
}

void migrate_recorded_free(struct migrate_recorded *rec)
{
	free(rec->version);
	free(rec->sha256);
	memset(rec, 0, sizeof(*rec));
}

int migrate_run(PGconn *c, const struct migration *m, const char *digest, enum citus_state citus)
{
	char ver[16];
	const char *params[3] = { ver, m->name, digest };
	int rc = 0;

	snprintf(ver, sizeof(ver), "%d", m->version);
	/*
	 * A Citus coordinator whose tables are not distributed yet is a single
	 * node: its schema stays local until 'db distribute', which creates on
	 * the workers what the distributed tables need. Propagating the DDL now
	 * would reach the workers as roles this transaction has only just created
	 * (docs/scale.md, "Migrations on Citus").
	 */
	if (citus == CITUS_LOCAL)
		rc = db_exec(c, "SET LOCAL citus.enable_ddl_propagation = off");
	if (rc == 0)
		rc = db_exec(c, m->sql);
	if (rc == 0)
		rc = db_execp(c, "INSERT INTO " DB_SCHEMA ".schema_migration (version, name, sha256)"
			      " VALUES ($1, $2, $3)", 3, params);
	return rc;
}
