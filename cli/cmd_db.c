/*
 * cli/cmd_db.c — `dmpremb db migrate|version|distribute`: create or upgrade
 * the schema, say its version, spread it over a Citus cluster.
 */
#include "cli/cli.h"
#include "lib/err.h"
#include "lib/log.h"
#include "jobs/db.h"
#include "lib/reports.h"

#include <stdio.h>
#include <string.h>

static const char db_usage[] =
	"usage: dmpremb db migrate [--to VERSION] [--db CONNINFO]\n"
	"       dmpremb db version\n"
	"       dmpremb db distribute [--shard-count N] [--db CONNINFO]\n"
	"\n"
	"migrate     applies the schema migrations this binary carries (sql/NNN_*.sql)\n"
	"            that the database does not have yet, each in one transaction, and\n"
	"            records them in dmpremb.schema_migration. Safe to run any number of\n"
	"            times, and concurrently (an advisory lock serialises runs).\n"
	"            --to VERSION stops after that version (a stepwise upgrade).\n"
	"            On a Citus coordinator, the schema stays on the coordinator until\n"
	"            'db distribute'; after it, migrations reach every node.\n"
	"version     prints the schema version of the database and of this binary.\n"
	"distribute  on a Citus coordinator whose workers are added (citus_add_node),\n"
	"            after 'db migrate': makes the referentials reference tables, the\n"
	"            dossier-scoped tables distributed by ins_c and co-located, and lets\n"
	"            the group roles log in on the nodes (Citus connects to the workers\n"
	"            as the current role; authentication there is the deployment's:\n"
	"            pg_dist_authinfo, docs/scale.md). Needs a superuser. Idempotent: run\n"
	"            it again after a failure or after adding a worker. Refuses (exit 78)\n"
	"            a database without Citus, a worker node, a cluster without workers.\n"
	"            --shard-count N  shards of the co-location group when it is made\n"
	"            (default: Citus's citus.shard_count, 32); fixed afterwards.\n"
	"\n"
	"Role: a login that is a member of dmpremb_owner. The first migrate creates the\n"
	"roles (migration 004): it needs a superuser or a login with CREATEROLE.\n"
	"\n";

int cmd_db(struct cli *cli, int argc, char **argv)
{
	enum { OPT_TO = 1, OPT_SHARD_COUNT };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "shard-count", required_argument, NULL, OPT_SHARD_COUNT },
		CLI_COMMON_LONGOPTS, { 0 } };
	const char *sub = NULL;
	long upto = 0, shard_count = 0;
	bool have_to = false, have_shards = false;
	int opt, rc, applied = 0, current = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_TO:
			rc = cli_parse_long("--to", optarg, 1, 999, &upto);
			have_to = true;
			break;
		case OPT_SHARD_COUNT:
			rc = cli_parse_long("--shard-count", optarg, 1, 64000, &shard_count);
			have_shards = true;
			break;
		default:
			rc = cli_common_option(cli, "db", opt, optarg, db_usage);
			if (rc > 0)
				return DR_OK;
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		sub = argv[optind++];
	if (sub == NULL || optind < argc)
		return cli_usage_error("db", "expected 'migrate', 'version' or 'distribute'");
	if (strcmp(sub, "migrate") != 0 && strcmp(sub, "version") != 0 && strcmp(sub, "distribute") != 0)
		return cli_usage_error("db", "unknown subcommand '%s'", sub);
	if (have_to && strcmp(sub, "migrate") != 0)
		return cli_usage_error("db", "--to is an option of 'db migrate'");
	if (have_shards && strcmp(sub, "distribute") != 0)
		return cli_usage_error("db", "--shard-count is an option of 'db distribute'");

	rc = cli_connect(cli);
	if (rc)
		return rc;
	if (strcmp(sub, "distribute") == 0) {
		struct distribute_report rep;

		rc = jobs_db_distribute(cli->conn, (int)shard_count, &rep);
		if (rc == 0)
			printf("distributed over %d worker%s, %d shards: %d reference and %d distributed tables"
			       " made now, %d already in place; %d group role%s may now log in to the nodes\n",
			       rep.workers, rep.workers == 1 ? "" : "s", rep.shard_count, rep.reference,
			       rep.distributed, rep.already, rep.roles, rep.roles == 1 ? "" : "s");
		return rc;
	}
	if (strcmp(sub, "version") == 0) {
		int carried;
		rc = jobs_db_version(cli->conn, &current, &carried);
		if (rc == 0)
			printf("database schema version %d; this binary carries version %d\n", current, carried);
		return rc;
	}
	rc = jobs_db_migrate(cli->conn, (int)upto, &applied, &current);
	if (rc == 0)
		printf("schema at version %d (%d migration%s applied now)\n",
		       current, applied, applied == 1 ? "" : "s");
	return rc;
}
