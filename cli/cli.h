/*
 * cli/cli.h — what every subcommand shares: options, connection, output.
 *
 * Only cli/ talks to the user: results on stdout, events on stderr (lib/log).
 * Each command is `int cmd_NAME(struct cli *, int argc, char **argv)` and
 * returns a DR_* status; main.c turns it into the exit code. Options common to
 * all commands (--db, --log-format, --quiet, --help) are parsed by
 * cli_common_option() from each command's own getopt_long loop, so they may be
 * given before or after the command name.
 */
#ifndef DR_CLI_H
#define DR_CLI_H

#include <getopt.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "lib/summary.h"

struct cli {
	const char *conninfo;  /* --db, or NULL for libpq's environment */
	const char *role;      /* the role the command runs as (SET ROLE at connection) */
	bool quiet;
	PGconn *conn;          /* opened by cli_connect() */
	long long run_id;      /* dmpremb.run row of this command, 0 when none */
	unsigned flags;        /* the command table's CMD_* (main.c) */
	/* The run, begun by cli_run_begin() and ended by the dispatcher: */
	const char *done_event;     /* the `.done` line due ("ingest.done"); NULL: none */
	struct run_summary sum;     /* its counts: the run row's and the line's */
	bool changed;               /* committed what the analysts' figures count */
	char figures_as_of[64];     /* the figures' instant ("": now) */
	int argc;              /* the command's arguments (argv[0]: its name), for messages */
	char **argv;
};

/* Long options shared by every command; OPT_COMMON_BASE.. are their codes. */
enum { OPT_DB = 1000, OPT_LOG_FORMAT, OPT_QUIET, OPT_HELP, OPT_COMMON_END };

#define CLI_COMMON_LONGOPTS \
	{ "db", required_argument, NULL, OPT_DB }, \
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT }, \
	{ "quiet", no_argument, NULL, OPT_QUIET }, \
	{ "help", no_argument, NULL, OPT_HELP }

#define CLI_LOCAL_OPTIONS_USAGE \
	"  --log-format FMT    text (default) or json: one line per event on stderr\n" \
	"  --quiet             no progress lines\n" \
	"  --help              this text\n"
#define CLI_COMMON_USAGE \
	"Common options:\n" \
	"  --db CONNINFO       connection string or URI (default: PG* environment)\n" \
	CLI_LOCAL_OPTIONS_USAGE
/* for a command that connects to no database (insc) */
#define CLI_LOCAL_USAGE \
	"Common options:\n" \
	CLI_LOCAL_OPTIONS_USAGE

/*
 * Handles an option a command's getopt_long loop did not: a common option, or
 * an unknown one. Returns 0 to go on, CLI_HELP_SHOWN after printing the usage
 * (the command then returns DR_OK), or DR_E_USAGE naming cmd. So:
 *
 *     default:
 *         if ((rc = cli_common_option(cli, "ingest", opt, optarg, usage)))
 *             return rc > 0 ? DR_OK : rc;
 */
#define CLI_HELP_SHOWN 1
int cli_common_option(struct cli *cli, const char *cmd, int opt, const char *arg, const char *usage);

/* getopt_long loop helper: prints "unknown option" hint; returns DR_E_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens cli->conn (once) and sets it to cli->role. */
int cli_connect(struct cli *cli);
/* Opens one more connection, the same way (feed's lanes); cli_disconnect closes it. */
int cli_connect_another(const struct cli *cli, PGconn **out);
void cli_disconnect(PGconn *c);

/*
 * The run lifecycle belongs to the dispatcher (main.c), driven by the command
 * table's flags. A command calls cli_run_begin() once its options are checked,
 * just before its work: from then on the dispatcher owes a `.done` line named
 * `event`, and, when `command` is not NULL (a command with CMD_RUN; not a dry
 * run), a run row with options_json (no identifier) is recorded now, on
 * cli->conn. The command adds its counts to cli->sum and sets cli->changed
 * when it committed what the analysts' figures count. When the command
 * returns, the dispatcher writes cli->sum once as the `.done` line and as
 * the run row's counts, closes the row with the exit status, and refreshes
 * the command's figures if cli->changed.
 */
int cli_run_begin(struct cli *cli, const char *event, const char *command, const char *options_json);

/*
 * Checks an --as-of: ISO 8601 only, a date (its midnight) or a date-time
 * (minutes, seconds, 1 to 6 digits of fraction), with an offset (Z or +HH:MM)
 * or without (Europe/Paris, the session's time zone, load/db.c). Anything
 * else PostgreSQL would also read ('yesterday', 'epoch', 'infinity') is a
 * usage error naming the accepted forms. One parser for every command.
 */
int cli_parse_as_of(const char *flag, const char *arg);

/* Parses a non-negative integer/float option with range check, naming the flag. */
int cli_parse_long(const char *flag, const char *arg, long min, long max, long *out);
int cli_parse_double(const char *flag, const char *arg, double min, double max, double *out);

/* Options shared by feed and backfill (cli/cmd_feed.c). */
struct feed_opts;
struct feed_report;
enum { OPT_AS_OF = 1, OPT_INS_C, OPT_JOBS, OPT_CHUNK, OPT_DRY_RUN, OPT_OID, OPT_REFRESH,
       OPT_MAX_DOSSIERS, OPT_MAX_SECONDS, OPT_SHARD, OPT_MAX_DOC_MB, OPT_ALLOW_FUTURE, OPT_FEED_END };
#define CLI_FEED_LONGOPTS \
	{ "as-of", required_argument, NULL, OPT_AS_OF }, \
	{ "jobs", required_argument, NULL, OPT_JOBS }, \
	{ "chunk", required_argument, NULL, OPT_CHUNK }, \
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN }, \
	{ "ins-nir-oid", required_argument, NULL, OPT_OID }, \
	{ "max-seconds", required_argument, NULL, OPT_MAX_SECONDS }, \
	{ "shard", required_argument, NULL, OPT_SHARD }, \
	{ "max-document-mb", required_argument, NULL, OPT_MAX_DOC_MB }, \
	{ "allow-future", no_argument, NULL, OPT_ALLOW_FUTURE }
void cli_feed_defaults(struct feed_opts *o);
/* 0: handled; 1: not one of CLI_FEED_LONGOPTS; < 0: DR_E_USAGE. */
int cli_feed_option(struct feed_opts *o, int opt, const char *arg);
/* Checks --ins-nir-oid, and that --as-of is not later than now (the server's
 * clock, 5 minutes of skew) unless --allow-future: connects for that. */
int cli_feed_check(struct cli *cli, const struct feed_opts *o);
/* Prints the report and puts its counts into the run summary (cli->sum);
 * the figures change unless a dry run. Returns rc. */
int cli_feed_finish(struct cli *cli, const struct feed_opts *o, struct feed_report *rep, int rc);

/* Subcommands. */
int cmd_db(struct cli *cli, int argc, char **argv);
int cmd_insc(struct cli *cli, int argc, char **argv);
int cmd_referentials(struct cli *cli, int argc, char **argv);
int cmd_ingest(struct cli *cli, int argc, char **argv);
int cmd_dossiers(struct cli *cli, int argc, char **argv);
int cmd_feed(struct cli *cli, int argc, char **argv);
int cmd_render(struct cli *cli, int argc, char **argv);
int cmd_backfill(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_purge(struct cli *cli, int argc, char **argv);

#endif
