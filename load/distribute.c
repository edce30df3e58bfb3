/*
 * load/distribute.c — the SQL of `dmpremb db distribute` (see distribute.h).
 *
 * The lists below are the "Distribution" section of docs/scale.md, which
 * tests/cli/t1000-citus-ready.sh checks against the catalog: a new table goes
 * into one list there and here.
 */
#include "load/distribute.h"
#include "load/db.h"
#include "load/migrate.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One copy on every node: joined by every shard. */
static const char *const reference_tables[] = {
	"dmpremb.ref_ir_act_cod", "dmpremb.ref_ir_bio_r", "dmpremb.ref_ir_ccam", "dmpremb.ref_ir_cmd_v",
	"dmpremb.ref_ir_ghs_v", "dmpremb.ref_ir_nat_v", "dmpremb.ref_ir_spe_v", "dmpremb.ref_ms_gm9_v",
	"dmpremb.ref_nt_lpp", "dmpremb.ref_bdpm_cis", "dmpremb.ref_bdpm_cip", "dmpremb.ref_bdpm_compo",
	"dmpremb.professional", "dmpremb.establishment", "analytics_private.pseudonym_key",
};

/* Hashed by ins_c, co-located with dossier (first: the others follow it). */
static const char *const distributed_tables[] = {
	"dmpremb.dossier", "dmpremb.dossier_event", "dmpremb.beneficiary", "dmpremb.claim_line",
	"dmpremb.hospital_stay", "dmpremb.document", "dmpremb.document_version", "dmpremb.trace",
	"dmpremb.backfill_item", "analytics_private.dossier_pseudonym",
};

/* The group roles: Citus connects to the workers as the current role. */
static const char *const group_roles[] = {
	"dmpremb_owner", "dmpremb_ingest", "dmpremb_events", "dmpremb_feed", "dmpremb_reader",
	"dmpremb_analyst", "dmpremb_ops",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Refuses what distribution needs and does not have; changes nothing. */
static int distribute_check(PGconn *c, struct distribute_report *rep)
{
	enum citus_state citus;
	long long v = 0;
	int current = 0;
	int rc;

	rc = migrate_citus(c, &citus);
	if (rc)
		return rc;
	if (citus == CITUS_NONE)
		return dr_error(DR_E_CONFIG, "this database has no Citus: on the coordinator and on each worker,"
				" preload the library (shared_preload_libraries = 'citus') and CREATE EXTENSION citus,"
				" then add the workers (citus_add_node); docs/scale.md");
	rc = db_query_long(c, "SELECT rolsuper::int FROM pg_roles WHERE rolname = current_user", 0, NULL, 0, &v);
	if (rc)
		return rc;
	if (!v)
		return dr_error(DR_E_CONFIG, "db distribute needs a superuser login (it creates shards on"
				" every node and changes the group roles)");
	rc = db_query_long(c, "SELECT citus_is_coordinator()::int", 0, NULL, 0, &v);
	if (rc)
		return rc;
	if (!v)
		return dr_error(DR_E_CONFIG, "this node is not the Citus coordinator: run db distribute on the"
				" coordinator (SELECT citus_set_coordinator_host(...) names it)");
	rc = db_query_long(c,
		"SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' AND isactive",
		0, NULL, 0, &v);
	if (rc)
		return rc;
	rep->workers = (int)v;
	if (v == 0)
		return dr_error(DR_E_CONFIG, "the Citus cluster has no worker: add them first"
				" (SELECT citus_add_node('HOST', PORT) on the coordinator)");
	rc = migrate_current(c, &current);
	if (rc)
		return rc;
	if (current < DISTRIBUTE_MIN_VERSION)
		return dr_error(DR_E_CONFIG, "the schema is at version %d: run 'dmpremb db migrate' first"
				" (db distribute needs version %d or later)", current, DISTRIBUTE_MIN_VERSION);
	return 0;
}

/* 1 when the table is already a Citus table (reference or distributed). */
static int is_citus_table(PGconn *c, const char *table, long long *yes)
{
	const char *p[1] = { table };

	return db_query_long(c, "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = $1::regclass",
			     1, p, 0, yes);
}

/*
 * Makes one table a Citus table with fn (create_reference_table or
 * create_distributed_table), then drops the coordinator's local copy of its
 * rows, which Citus leaves on disk, invisible, after copying them to the
 * shards.
 */
static int make_citus_table(PGconn *c, const char *table, const char *sql, int n,
			    const char *const *params, int *made, int *already)
{
	const char *p[1] = { table };
	long long yes = 0;
	PGresult *r = NULL;
	int rc;

	rc = is_citus_table(c, table, &yes);
	if (rc)
		return rc;
	if (yes) {
		(*already)++;
		return 0;
	}
	rc = db_query(c, table, sql, n, params, &r);
	PQclear(r);
	if (rc == 0)
		rc = db_query(c, table, "SELECT truncate_local_data_after_distributing_table($1::regclass)", 1, p, &r);
	PQclear(r);
	if (rc)
		return rc;
	(*made)++;
	dr_log(DR_LOG_INFO, "db.distributed", "table=%s", table);
	return 0;
}

static int distribute_tables(PGconn *c, int shard_count, struct distribute_report *rep)
{
	char shards[16];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < N_OF(reference_tables); i++) {
		const char *p[1] = { reference_tables[i] };
		rc = make_citus_table(c, reference_tables[i], "SELECT create_reference_table($1::regclass)",
				      1, p, &rep->reference, &rep->already);
	}
	snprintf(shards, sizeof(shards), "%d", shard_count);
	for (size_t i = 0; rc == 0 && i < N_OF(distributed_tables); i++) {
		const char *p[2] = { distributed_tables[i], shards };
		if (i == 0)
			rc = make_citus_table(c, distributed_tables[i],
				"SELECT create_distributed_table($1::regclass, 'ins_c',"
				" shard_count => coalesce(nullif($2::int, 0), current_setting('citus.shard_count')::int))",
				2, p, &rep->distributed, &rep->already);
		else
			rc = make_citus_table(c, distributed_tables[i],
				"SELECT create_distributed_table($1::regclass, 'ins_c', colocate_with => 'dmpremb.dossier')",
				1, p, &rep->distributed, &rep->already);
	}
	return rc;
}

/*
 * Citus opens its worker connections as the current role: after a command's
 * SET ROLE, as the group role; in an owner's function, as dmpremb_owner. So
 * the group roles must be able to log in on the workers. ALTER ROLE is
 * propagated to every node (and replayed on a worker added later), so they
 * log in on the coordinator too, with no password: the coordinator's
 * pg_hba.conf rejects them there, and each worker's accepts them from the
 * coordinator only, with the credentials of pg_dist_authinfo (docs/scale.md).
 */
static int roles_login(PGconn *c, bool create, int *changed)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < N_OF(group_roles); i++) {
		const char *p[1] = { group_roles[i] };
		long long exists = 0, nologin = 0;
		struct buf sql;

		rc = db_query_long(c, "SELECT count(*) FROM pg_roles WHERE rolname = $1", 1, p, 0, &exists);
		if (rc == 0 && exists)
			rc = db_query_long(c, "SELECT count(*) FROM pg_roles WHERE rolname = $1 AND NOT rolcanlogin",
					   1, p, 0, &nologin);
		if (rc || (exists && !nologin) || (!exists && !create))
			continue;
		/* top-level statements, committed at once: Citus creates or alters
		 * the role on every node */
		buf_init(&sql, 256);
		if ((rc = buf_printf(&sql, "%s ROLE %s LOGIN", exists ? "ALTER" : "CREATE", group_roles[i])) == 0)
			rc = db_exec(c, sql.data);
		buf_free(&sql);
		if (rc == 0)
			(*changed)++;
	}
	return rc;
}

static int distribute_roles(PGconn *c, struct distribute_report *rep)
{
	return roles_login(c, false, &rep->roles);
}

int distribute_roles_ensure(PGconn *c)
{
	int changed = 0;

	return roles_login(c, true, &changed);
}

int distribute_apply(PGconn *c, int shard_count, struct distribute_report *rep)
{
	long long v = 0;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = distribute_check(c, rep);
	if (rc == 0)
		rc = distribute_tables(c, shard_count, rep);
	if (rc == 0)
		rc = distribute_roles(c, rep);
	if (rc == 0)
		rc = db_query_long(c,
			"SELECT shard_count FROM citus_tables WHERE table_name = 'dmpremb.dossier'::regclass",
			0, NULL, 0, &v);
	rep->shard_count = (int)v;
	return rc;
}
