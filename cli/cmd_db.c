/*
 * cli/cmd_db.c — `dmpremb db migrate`: create or upgrade the schema.
 */
#include "cli/cli.h"
#include "lib/err.h"
#include "lib/log.h"
#include "load/migrate.h"

#include <stdio.h>
#include <string.h>

static const char db_usage[] =
	"usage: dmpremb db migrate [--db CONNINFO]\n"
	"       dmpremb db version\n"
	"\n"
	"migrate  applies the schema migrations this binary carries (sql/NNN_*.sql)\n"
	"         that the database does not have yet, each in one transaction, and\n"
	"         records them in dmpremb.schema_migration. Safe to run any number of\n"
	"         times, and concurrently (an advisory lock serialises runs).\n"
	"version  prints the schema version of the database and of this binary.\n"
	"\n"
	"Role: a login that is a member of dmpremb_owner. The first migrate creates the\n"
	"roles (migration 004): it needs a superuser or a login with CREATEROLE.\n"
	"\n";

int cmd_db(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONGOPTS, { 0 } };
	const char *sub = NULL;
	int opt, rc, applied = 0, current = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		rc = cli_common_option(cli, "db", opt, optarg, db_usage);
		if (rc)
			return rc > 0 ? DR_OK : rc;
	}
	if (optind < argc)
		sub = argv[optind++];
	if (sub == NULL || optind < argc)
		return cli_usage_error("db", "expected 'migrate' or 'version'");
	if (strcmp(sub, "migrate") != 0 && strcmp(sub, "version") != 0)
		return cli_usage_error("db", "unknown subcommand '%s'", sub);

	rc = cli_connect(cli);
	if (rc)
		return rc;
	if (strcmp(sub, "version") == 0) {
		rc = migrate_current(cli->conn, &current);
		if (rc == 0)
			printf("database schema version %d; this binary carries version %d\n",
			       current, migrations[migrations_count - 1].version);
		return rc;
	}
	rc = migrate_apply(cli->conn, &applied, &current);
	if (rc == 0)
		printf("schema at version %d (%d migration%s applied now)\n",
		       current, applied, applied == 1 ? "" : "s");
	return rc;
}
