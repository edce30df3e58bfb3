/*
 * load/migrate.c — apply the embedded sql/ migrations in order.
 */
#include "load/migrate.h"
#include "load/db.h"
#include "load/distribute.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/sha256.h"
#include "lib/text.h"

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
	long long v = 0;
	int rc = db_query_long(c,
		"SELECT CASE WHEN to_regclass('" DB_SCHEMA ".schema_migration') IS NULL THEN 0"
		" ELSE (SELECT coalesce(max(version), 0) FROM " DB_SCHEMA ".schema_migration) END",
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

static int apply_one(PGconn *c, const struct migration *m, const char *digest, enum citus_state citus)
{
	char ver[16];
	const char *params[3] = { ver, m->name, digest };
	int rc;

	snprintf(ver, sizeof(ver), "%d", m->version);
	rc = db_begin(c);
	/*
	 * A Citus coordinator whose tables are not distributed yet is a single
	 * node: its schema stays local until 'db distribute', which creates on
	 * the workers what the distributed tables need. Propagating the DDL now
	 * would reach the workers as roles this transaction has only just created
	 * (docs/scale.md, "Migrations on Citus").
	 */
	if (rc == 0 && citus == CITUS_LOCAL)
		rc = db_exec(c, "SET LOCAL citus.enable_ddl_propagation = off");
	if (rc == 0)
		rc = db_exec(c, m->sql);
	if (rc == 0)
		rc = db_execp(c, "INSERT INTO " DB_SCHEMA ".schema_migration (version, name, sha256)"
			      " VALUES ($1, $2, $3)", 3, params);
	if (rc == 0)
		rc = db_commit(c);
	if (rc) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", dr_errmsg());
		db_rollback(c);
		return dr_error(rc, "migration %s: %s", m->name, msg);
	}
	return 0;
}

int migrate_apply(PGconn *c, int upto, int *applied, int *current)
{
	PGresult *r = NULL;
	enum citus_state citus = CITUS_NONE;
	int rc;

	*applied = 0;
	rc = db_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")");
	if (rc)
		return rc;
	rc = migrate_citus(c, &citus);
	if (rc == 0 && citus == CITUS_LOCAL) {
		/* the schema itself stays on the coordinator too (see apply_one) */
		rc = db_exec(c, "SET citus.enable_ddl_propagation = off");
		if (rc == 0)
			rc = db_exec(c, create_table_sql);
		if (rc == 0)
			rc = db_exec(c, "RESET citus.enable_ddl_propagation");
	} else if (rc == 0) {
		rc = db_exec(c, create_table_sql);
		if (rc == 0 && citus == CITUS_DISTRIBUTED)
			rc = distribute_roles_ensure(c);
	}
	if (rc == 0)
		rc = db_query(c, "reading applied migrations",
			      "SELECT version, sha256, name FROM " DB_SCHEMA ".schema_migration ORDER BY version",
			      0, NULL, &r);
	for (int i = 0; rc == 0 && i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		unsigned char d[32];
		char hex[65];
		const char *have = NULL;

		if (upto > 0 && m->version > upto)
			break;
		sha256_once(m->sql, strlen(m->sql), d);
		text_hex(d, 32, hex);
		for (int k = 0; k < PQntuples(r); k++)
			if (atoi(PQgetvalue(r, k, 0)) == m->version)
				have = PQgetvalue(r, k, 1);
		if (have) {
			if (strcmp(have, hex) != 0)
				rc = dr_error(DR_E_CONFIG,
					"migration %s was changed after it was applied; add a new migration instead",
					m->name);
			continue;
		}
		rc = apply_one(c, m, hex, citus);
		if (rc == 0) {
			(*applied)++;
			dr_log(DR_LOG_INFO, "db.migrated", "version=%d name=%s", m->version, m->name);
		}
	}
	PQclear(r);
	if (rc == 0)
		rc = migrate_current(c, current);
	PGresult *u = PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
	PQclear(u);
	return rc;
}
