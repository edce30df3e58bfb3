/*
 * jobs/db.c — `dmpremb db`: one transaction per migration.
 *
 * `db migrate` holds a session advisory lock (concurrent runs wait for each
 * other), then applies each pending migration and its schema_migration row
 * in one transaction: a kill leaves every migration applied whole or not at
 * all, and the next run applies the rest (t0060; t1100 on Citus). A
 * migration whose text changed after it was applied is refused: add a new
 * one.
 */
#include "jobs/db.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/sha256.h"
#include "lib/text.h"
#include "load/db.h"
#include "load/distribute.h"
#include "load/migrate.h"

#include <stdio.h>
#include <string.h>

static int apply_one(PGconn *c, const struct migration *m, const char *digest, enum citus_state citus)
{
	int rc = db_begin(c);

	if (rc == 0)
		rc = migrate_run(c, m, digest, citus);
	if (rc == 0)
		rc = db_commit(c);
	if (rc) {
		db_rollback(c);   /* says nothing: the message is still the cause */
		return dr_error(rc, "migration %s: %s", m->name, dr_errmsg());
	}
	return 0;
}

int jobs_db_migrate(PGconn *c, int upto, int *applied, int *current)
{
	struct migrate_recorded rec = { 0 };
	enum citus_state citus = CITUS_NONE;
	int rc;

	*applied = 0;
	if ((rc = migrate_lock(c)) != 0)
		return rc;
	if ((rc = migrate_citus(c, &citus)) == 0 && (rc = migrate_prepare(c, citus)) == 0)
		rc = migrate_recorded_read(c, &rec);
	for (int i = 0; rc == 0 && i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		unsigned char d[32];
		char hex[65];

		if (upto > 0 && m->version > upto)
			break;
		sha256_once(m->sql, strlen(m->sql), d);
		text_hex(d, 32, hex);
		const char *have = migrate_recorded_sha(&rec, m->version);
		if (have[0]) {
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
	migrate_recorded_free(&rec);
	if (rc == 0)
		rc = migrate_current(c, current);
	migrate_unlock(c);
	return rc;
}

int jobs_db_version(PGconn *c, int *current, int *carried)
{
	*carried = migrations[migrations_count - 1].version;
	return migrate_current(c, current);
}

int jobs_db_distribute(PGconn *c, int shard_count, struct distribute_report *rep)
{
	return distribute_apply(c, shard_count, rep);
}
