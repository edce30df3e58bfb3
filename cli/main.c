/*
 * cli/main.c — entry point of dmpremb: the command table and shared setup.
 *
 *   dmpremb [COMMON OPTIONS] COMMAND [ARGS]
 *
 * The table lists each command with its role, its flags, the analysts'
 * figures it changes and its one-line summary. The dispatcher sets up logging
 * and signals, runs the command, and owns what every command shares: the
 * connection (CMD_DB), the run row begun by cli_run_begin() and closed here
 * with the command's summary, which also becomes its `.done` line (CMD_RUN),
 * and the figures' refresh. It checks that stdout was written (a full disk is
 * a failure, not a silent truncation) and maps the returned DR_* status to a
 * sysexits.h exit code.
 */
#include "cli/cli.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/summary.h"
#include "lib/text.h"
#include "jobs/run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sysexits.h>

#ifndef DMPREMB_VERSION      /* the commit (git describe), from the Makefile */
#define DMPREMB_VERSION "unknown"
#endif
#ifndef DMPREMB_RELEASE      /* the release, from the Makefile */
#define DMPREMB_RELEASE "0.0.0-dev"
#endif

/* What the dispatcher does around a command (git's run_builtin() flags). */
enum {
	CMD_DB = 1 << 0,   /* reaches the database: cli_connect() allowed, closed after */
	CMD_RUN = 1 << 1,  /* records a run row (cli_run_begin) that the dispatcher closes */
};

struct command {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	const char *role;      /* the dmpremb_* role it runs as (SET ROLE); NULL: as the login */
	unsigned flags;        /* CMD_* */
	const char *figures;   /* ANALYTICS_* refreshed after a run that changed them; NULL: none */
	const char *summary;
};

static const struct command commands[] = {
	{ "db", cmd_db, NULL, CMD_DB, NULL,
	  "db migrate|version|distribute: the schema, its version, Citus distribution" },
	{ "referentials", cmd_referentials, "dmpremb_ingest", CMD_DB | CMD_RUN, NULL,
	  "referentials load: load SNDS nomenclatures and BDPM files" },
	{ "ingest", cmd_ingest, "dmpremb_ingest", CMD_DB | CMD_RUN, ANALYTICS_CLAIMS,
	  "ingest BATCH_DIR: verify, validate and load a batch of claim extracts" },
	{ "dossiers", cmd_dossiers, "dmpremb_events", CMD_DB | CMD_RUN, ANALYTICS_DOSSIERS,
	  "dossiers import FILE: record and apply dossier lifecycle events" },
	{ "feed", cmd_feed, "dmpremb_feed", CMD_DB | CMD_RUN, ANALYTICS_FED,
	  "feed: build and store the document of every due dossier" },
	{ "backfill", cmd_backfill, "dmpremb_feed", CMD_DB | CMD_RUN, ANALYTICS_FED,
	  "backfill: re-feed chosen dossiers, due or not; resumable" },
	{ "status", cmd_status, "dmpremb_ops", CMD_DB, NULL,
	  "status: are the 72-hour and weekly promises kept? (exit 1 if not)" },
	{ "purge", cmd_purge, "dmpremb_ingest", CMD_DB | CMD_RUN, ANALYTICS_CLAIMS,
	  "purge: remove what retention no longer keeps (docs/retention.md)" },
	{ "render", cmd_render, "dmpremb_feed", CMD_DB, NULL,
	  "render INS_C: print the document feed would store now" },
	{ "insc", cmd_insc, NULL, 0, NULL, "insc: compute INS-C from 'prenom;AAMMJJ;NIR13' lines on stdin" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dmpremb [--db CONNINFO] [--log-format text|json] [--quiet] COMMAND [ARGS]\n"
		"       dmpremb --version | --help\n"
		"\n"
		"Builds the 'Donnees de remboursement' document of every DMP from the\n"
		"insurer's claim extracts and keeps it in PostgreSQL.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRoles (each command runs as one; see README 'Security'):\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].role)
			fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].role);
	fprintf(out,
		"\nOptions (before or after the command):\n"
		"  --db CONNINFO       connection string or URI (default: PG* environment)\n"
		"  --log-format FMT    text (default) or json: one line per event on stderr\n"
		"  --quiet             no progress lines\n"
		"  --version           the version of dmpremb and the commit it was built from\n"
		"\n'dmpremb COMMAND --help' describes a command.\n"
		"Exit status: 0 done, 1 a promise broken (status only), 64 usage,\n"
		"65 data refused, 66 input missing,\n"
		"69 database unavailable, 70 internal error, 74 I/O error,\n"
		"75 temporary failure (retry), 78 configuration: schema missing\n"
		"or out of date (run 'dmpremb db migrate'), or the login lacks the command's role.\n");
}

/*
 * The command's final error line: plain text, or under --log-format json one
 * more JSON line (command.failed), so that every line of stderr is JSON. The
 * hint of the message (dr_hint), when there is one, is the event's "hint"
 * field; in text it ends the same line in brackets, "dmpremb CMD: MESSAGE
 * (HINT)", so that the failure stays one line (t0020 counts them).
 */
static void cli_say_failure(const char *cmd, int rc)
{
	const char *hint = dr_errhint();

	if (dr_log_get_format() == DR_LOG_JSON) {
		char msg[TEXT_ESCAPE_MAX(1024)], h[TEXT_ESCAPE_MAX(1024)];
		text_escape(dr_errmsg(), TEXT_ESC_QUOTED, msg, sizeof(msg));
		text_escape(hint, TEXT_ESC_QUOTED, h, sizeof(h));
		if (hint[0])
			dr_log(DR_LOG_ERROR, "command.failed", "command=%s exit=%d message=\"%s\" hint=\"%s\"",
			       cmd, dr_exit_code(rc), msg, h);
		else
			dr_log(DR_LOG_ERROR, "command.failed", "command=%s exit=%d message=\"%s\"", cmd,
			       dr_exit_code(rc), msg);
	} else {
		if (hint[0])
			fprintf(stderr, "dmpremb %s: %s (%s)\n", cmd, dr_errmsg(), hint);
		else
			fprintf(stderr, "dmpremb %s: %s\n", cmd, dr_errmsg());
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return dr_hint(dr_error(DR_E_USAGE, "%s", msg), "see 'dmpremb %s --help'", cmd);
}

int cli_common_option(struct cli *cli, const char *cmd, int opt, const char *arg, const char *usage_text)
{
	enum dr_log_format fmt;

	switch (opt) {
	case OPT_DB:
		cli->conninfo = arg;
		return 0;
	case OPT_LOG_FORMAT:
		if (dr_log_parse_format(arg, &fmt) != 0)
			return dr_error(DR_E_USAGE, "--log-format must be 'text' or 'json', not '%s'", arg);
		dr_log_setup(fmt, DR_LOG_INFO);
		return 0;
	case OPT_QUIET:
		cli->quiet = true;
		return 0;
	case OPT_HELP:
		fputs(usage_text, stdout);
		fputs(CLI_COMMON_USAGE, stdout);
		return CLI_HELP_SHOWN;
	default:   /* getopt_long is silent (opterr = 0): one line, naming the word */
		return cli_usage_error(cmd, "unknown option, or an option without its value: '%s'",
				       optind > 0 && optind <= cli->argc ? cli->argv[optind - 1] : "?");
	}
}

/* n digits at s, their value into *v */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int cli_parse_as_of(const char *flag, const char *arg)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = arg;
	int y, m, d, hh, mi, ss;
	bool ok = digits(p, 4, &y) && p[4] == '-' && digits(p + 5, 2, &m) && p[7] == '-'
		  && digits(p + 8, 2, &d) && y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1]
		  && !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));

	p += 10;
	if (ok && *p == 'T') {
		ok = digits(p + 1, 2, &hh) && p[3] == ':' && digits(p + 4, 2, &mi) && hh <= 23 && mi <= 59;
		p += 6;
		if (ok && *p == ':') {
			ok = digits(p + 1, 2, &ss) && ss <= 59;
			p += 3;
			if (ok && *p == '.') {
				int n = 0;
				for (p++; *p >= '0' && *p <= '9'; p++)
					n++;
				ok = n >= 1 && n <= 6;
			}
		}
		if (ok && *p == 'Z')
			p++;
		else if (ok && (*p == '+' || *p == '-'))
			ok = digits(p + 1, 2, &hh) && p[3] == ':' && digits(p + 4, 2, &mi) && hh <= 14 && mi <= 59
			     && (p += 6, true);
	}
	if (ok && *p == '\0')
		return 0;
	return dr_error(DR_E_USAGE, "%s must be an ISO 8601 date or date-time: 2026-11-15, 2026-11-15T10:00,"
			" 2026-11-15T10:00:00 (Europe/Paris time), 2026-11-15T10:00:00+01:00 or ...Z; not '%s'",
			flag, arg);
}

int cli_parse_long(const char *flag, const char *arg, long min, long max, long *out)
{
	long long v;

	if (num_parse_ll(arg, &v) != 0 || v < min || v > max)
		return dr_error(DR_E_USAGE, "%s must be a whole number from %ld to %ld, not '%s'",
				flag, min, max, arg);
	*out = (long)v;
	return 0;
}

int cli_parse_double(const char *flag, const char *arg, double min, double max, double *out)
{
	double v;

	if (num_parse_double(arg, &v) != 0 || !(v >= min && v <= max))
		return dr_error(DR_E_USAGE, "%s must be a number from %g to %g, not '%s'",
				flag, min, max, arg);
	*out = v;
	return 0;
}

/* the command's session, as jobs/run.h sees it */
static struct job_session session_of(const struct cli *cli)
{
	return (struct job_session){ .conninfo = cli->conninfo, .role = cli->role, .conn = cli->conn,
				     .run_id = cli->run_id };
}

int cli_connect_another(const struct cli *cli, PGconn **out)
{
	struct job_session s = session_of(cli);

	if (!(cli->flags & CMD_DB))
		return dr_error(DR_E_INTERNAL, "internal: '%s' reaches the database, which its row of the"
				" command table does not allow", cli->argv[0]);
	return jobs_connect_another(&s, out);
}

void cli_disconnect(PGconn *c)
{
	jobs_close(c);
}

int cli_connect(struct cli *cli)
{
	return cli->conn ? 0 : cli_connect_another(cli, &cli->conn);
}

int cli_run_begin(struct cli *cli, const char *event, const char *command, const char *options_json)
{
	struct job_session s;
	int rc;

	if (command && !(cli->flags & CMD_RUN))
		return dr_error(DR_E_INTERNAL, "internal: '%s' records a run, which its row of the command table"
				" does not allow", cli->argv[0]);
	if (command) {
		if ((rc = cli_connect(cli)) != 0)
			return rc;
		s = session_of(cli);
		if ((rc = jobs_run_start(&s, command, options_json)) != 0)
			return rc;
		cli->run_id = s.run_id;
	}
	cli->done_event = event;
	return 0;
}

/*
 * Ends what cli_run_begin() began, whatever the command's outcome: the
 * summary becomes the `.done` line and the run row's counts (one writer each,
 * lib/summary.h), the row is closed with the exit status and the command's
 * message, then the figures are refreshed if the run changed them. The
 * command's message and hint are kept for its final line, whatever the
 * bookkeeping says on the way.
 */
static void end_run(struct cli *cli, const struct command *cmd, int rc)
{
	struct dr_errsaved said;
	struct buf text;
	struct rusage ru;
	struct job_session s = session_of(cli);

	if (cli->done_event == NULL)
		return;
	dr_errsave(&said);
	getrusage(RUSAGE_SELF, &ru);
	summary_int(&cli->sum, "max_rss_kb", ru.ru_maxrss);
	buf_init(&text, 1 << 16);
	if (summary_logfmt(&cli->sum, &text) == 0)
		dr_log(rc ? DR_LOG_ERROR : DR_LOG_INFO, cli->done_event, "status=%s %s", dr_status_name(rc), text.data);
	else
		dr_log(DR_LOG_ERROR, cli->done_event, "status=%s summary=\"%s\"", dr_status_name(rc), dr_errmsg());
	if (cli->run_id > 0) {
		if (summary_json(&cli->sum, &text) != 0)
			buf_reset(&text);
		jobs_run_finish(&s, rc, text.len ? text.data : "{}", said.msg);
	}
	buf_free(&text);
	if (cmd->figures && cli->changed)
		jobs_refresh_figures(cli->conn, cmd->figures, cli->figures_as_of[0] ? cli->figures_as_of : NULL);
	if (rc != DR_OK)
		dr_errrestore(rc, &said);
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct command *cmd = NULL;
	int i, rc;

	dr_interrupt_install();
	/* global options before the command name */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("dmpremb %s (commit %s)\n", DMPREMB_RELEASE, DMPREMB_VERSION);
			return EX_OK;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cli.conninfo = argv[++i];
		} else if (strcmp(argv[i], "--log-format") == 0 && i + 1 < argc) {
			rc = cli_common_option(&cli, "dmpremb", OPT_LOG_FORMAT, argv[++i], "");
			if (rc < 0) {
				fprintf(stderr, "dmpremb: %s\n", dr_errmsg());
				return EX_USAGE;
			}
		} else if (strcmp(argv[i], "--quiet") == 0) {
			cli.quiet = true;
		} else {
			fprintf(stderr, "dmpremb: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			cmd = &commands[k];
	if (cmd == NULL) {
		fprintf(stderr, "dmpremb: '%s' is not a command (see 'dmpremb --help')\n", argv[i]);
		return EX_USAGE;
	}

	cli.role = cmd->role;
	cli.flags = cmd->flags;
	cli.argc = argc - i;
	cli.argv = argv + i;
	opterr = 0;   /* an unknown option is said once, by cli_common_option() */
	rc = cmd->fn(&cli, argc - i, argv + i);
	end_run(&cli, cmd, rc);

	if (fflush(stdout) != 0 && rc == DR_OK)
		rc = dr_error(DR_E_IO, "write failure on standard output: %s", strerror(errno));
	if (rc != DR_OK)
		cli_say_failure(cmd->name, rc);
	struct job_session s = session_of(&cli);
	jobs_disconnect(&s);
	return dr_exit_code(rc);
}
