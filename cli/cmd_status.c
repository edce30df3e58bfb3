/*
 * cli/cmd_status.c — `dmpremb status`: are the feeding promises kept?
 *
 * The two promises (docs/scheduling.md): a first feed within 72 hours of a
 * dossier's creation (or reactivation, or the lifting of an objection), and
 * a refresh every week. Each figure is one indexed query on the same
 * predicates feed uses (the partial indexes of sql/003_lifecycle.sql), so
 * monitoring can call this every few minutes at national scale; only the
 * breakdown by state counts the whole dossier table.
 *
 * Exit 0 when both promises hold, 1 when one is broken (monitoring alerts on
 * it), the usual codes when the database cannot answer. Read-only: it
 * applies nothing and records no run. Never prints an identifier.
 */
#include "cli/cli.h"
#include "jobs/status.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char status_usage[] =
	"usage: dmpremb status [--as-of TIMESTAMP] [--json | --prometheus]\n"
	"                      [--first-feed-hours N] [--refresh-days N] [--grace-hours N]\n"
	"\n"
	"Says whether the feeding promises hold at --as-of (default now):\n"
	"  - first feeds: dossiers due for their first feed (created, reactivated or\n"
	"    objection lifted, not fed since), how many wait for longer than\n"
	"    --first-feed-hours (default 72) and the oldest wait;\n"
	"  - refreshes: dossiers due again (last fed --refresh-days ago, default 7),\n"
	"    how many were last fed longer ago than that plus --grace-hours\n"
	"    (default 24: an hourly cron refreshes within the hour) and the oldest;\n"
	"and the dossiers by state, events not applied yet, backfills not finished,\n"
	"and the last ingest, dossiers import, feed, backfill and purge runs with\n"
	"their outcome and duration.\n"
	"\n"
	"  --json              one JSON object (for scripts)\n"
	"  --prometheus        node_exporter textfile lines (cron/dmpremb-run appends them)\n"
	"\n"
	"Exit status: 0 the promises hold; 1 one is broken (first feeds or refreshes\n"
	"overdue); 69/75/78 the database cannot answer. Nothing is written.\n"
	"\n"
	"Role: dmpremb_ops.\n"
	"\n";

enum { OPT_JSON = OPT_FEED_END + 10, OPT_PROM, OPT_FIRST_HOURS, OPT_GRACE };
enum format { FMT_TEXT, FMT_JSON, FMT_PROM };

static void print_unlabelled_text(const struct status *s)
{
	for (int i = 0; i < s->nunlabelled; i++)
		if (s->unlabelled[i].lines != 0)
			printf("  last feed, unlabelled  %10lld  %s lines shown with a neutral label"
			       " (referentials: docs/referentials.md)\n", s->unlabelled[i].lines, s->unlabelled[i].kind);
}

static void print_unlabelled_prometheus(const struct status *s)
{
	printf("# HELP dmpremb_feed_unlabelled_lines claim lines the last feed showed with a neutral label,"
	       " by kind of unknown code (a referential missing or out of date)\n"
	       "# TYPE dmpremb_feed_unlabelled_lines gauge\n");
	for (int i = 0; i < s->nunlabelled; i++)
		printf("dmpremb_feed_unlabelled_lines{kind=\"%s\"} %lld\n", s->unlabelled[i].kind,
		       s->unlabelled[i].lines);
}

static void print_text(const struct status *s, bool broken)
{
	printf("status as of %s: %s\n\n", s->as_of, broken ? "PROMISE BROKEN" : "promises kept");
	printf("first feeds (within %ld h)\n", s->first_hours);
	printf("  due now                %10lld\n", s->first_due);
	printf("  overdue                %10lld", s->first_overdue);
	if (s->first_oldest_h >= 0)
		printf("  (oldest waits %.1f h)", s->first_oldest_h);
	printf("\n");
	if (s->first_overdue_no_identity)
		printf("    of which no identity %8lld  (no batch has named the person yet)\n",
		       s->first_overdue_no_identity);
	printf("refreshes (every %ld days, %ld h grace)\n", s->refresh_days, s->grace_hours);
	printf("  due now                %10lld\n", s->refresh_due);
	printf("  overdue                %10lld", s->refresh_overdue);
	if (s->refresh_oldest_h >= 0)
		printf("  (oldest fed %.1f h ago)", s->refresh_oldest_h);
	printf("\n");
	printf("dossiers\n");
	for (int k = 0; k < STATUS_NSTATES; k++)
		printf("  %-22s %10lld\n", status_state_name(k), s->by_state[k]);
	printf("  open under objection   %10lld\n", s->objection);
	printf("  events not applied     %10lld\n", s->events_pending);
	if (s->refused)
		printf("  refused, too large     %10lld  (document above feed --max-document-mb:"
		       " docs/troubleshooting.md)\n", s->refused);
	if (s->backfills_open)
		printf("  backfills not finished %10lld  (%lld dossiers left: dmpremb backfill --resume RUN_ID)\n",
		       s->backfills_open, s->backfill_items_left);
	print_unlabelled_text(s);
	printf("last runs\n");
	for (int i = 0; i < s->nruns; i++) {
		const struct status_run *u = &s->runs[i];
		char id[24];
		snprintf(id, sizeof(id), "%lld", u->run_id);
		printf("  %-16s run %-8s %s  %-11s exit %-3s %8s s\n", u->command, id, u->started_at, u->outcome,
		       u->exit_code, u->seconds);
	}
}

/* A timestamptz as the server writes it (DateStyle ISO: "2026-11-16
 * 12:00:00+01") in ISO 8601 for JSON: "2026-11-16T12:00:00+01:00". */
static void iso_8601(const char *in, char *out, size_t cap)
{
	size_t n = strlen(in);

	snprintf(out, cap, "%s", in);
	if (n > 10 && out[10] == ' ')
		out[10] = 'T';
	if (n >= 3 && (out[n - 3] == '+' || out[n - 3] == '-') && n + 3 < cap)
		memcpy(out + n, ":00", 4);   /* an offset of whole hours: +01 -> +01:00 */
}

/* an age in hours, one decimal; none (< 0) as null */
static void json_hours(struct json *j, const char *key, double h)
{
	if (h >= 0)
		json_real(j, key, h, 1);
	else
		json_raw(j, key, NULL);
}

static int print_json(const struct status *s, bool broken)
{
	char as_of[80];
	struct buf b;
	struct json j;
	int rc;

	iso_8601(s->as_of, as_of, sizeof(as_of));
	buf_init(&b, 1 << 20);
	json_begin(&j, &b);
	json_str(&j, "as_of", as_of);
	json_bool(&j, "promises_kept", !broken);
	json_object(&j, "first_feed");
	json_int(&j, "hours", s->first_hours);
	json_int(&j, "due", s->first_due);
	json_int(&j, "overdue", s->first_overdue);
	json_int(&j, "overdue_no_identity", s->first_overdue_no_identity);
	json_hours(&j, "oldest_overdue_hours", s->first_oldest_h);
	json_close(&j);
	json_object(&j, "refresh");
	json_int(&j, "days", s->refresh_days);
	json_int(&j, "grace_hours", s->grace_hours);
	json_int(&j, "due", s->refresh_due);
	json_int(&j, "overdue", s->refresh_overdue);
	json_hours(&j, "oldest_overdue_hours", s->refresh_oldest_h);
	json_close(&j);
	json_object(&j, "dossiers");
	for (int k = 0; k < STATUS_NSTATES; k++)
		json_int(&j, status_state_name(k), s->by_state[k]);
	json_int(&j, "objection", s->objection);
	json_close(&j);
	json_int(&j, "events_pending", s->events_pending);
	json_int(&j, "feed_refused", s->refused);
	json_int(&j, "backfills_open", s->backfills_open);
	json_int(&j, "backfill_items_left", s->backfill_items_left);
	json_object(&j, "last_runs");
	for (int i = 0; i < s->nruns; i++) {
		const struct status_run *u = &s->runs[i];
		json_object(&j, u->command);
		json_int(&j, "run_id", u->run_id);
		json_str(&j, "started_at", u->started_at);
		json_str(&j, "outcome", u->outcome);
		/* numbers and the counts' jsonb as the server printed them */
		json_raw(&j, "exit_code", u->exit_code[0] ? u->exit_code : NULL);
		json_raw(&j, "seconds", u->seconds[0] ? u->seconds : NULL);
		json_raw(&j, "counts", u->counts);
		json_close(&j);
	}
	if ((rc = json_end(&j)) == 0)
		printf("%s\n", b.data);
	buf_free(&b);
	return rc;
}

static void gauge(const char *name, const char *help, const char *labels, double v)
{
	printf("# HELP dmpremb_%s %s\n# TYPE dmpremb_%s gauge\ndmpremb_%s%s %.15g\n", name, help, name, name,
	       labels, v);
}

/* Prometheus wants base units: an age in hours (0.1 h steps) as whole
 * seconds; none (< 0) as 0. */
static double hours_to_seconds(double h)
{
	return h > 0 ? (double)(long long)(h * 3600 + 0.5) : 0;
}

static void print_prometheus(const struct status *s, bool broken)
{
	gauge("promises_kept", "1 when no first feed nor refresh is overdue", "", broken ? 0 : 1);
	gauge("dossiers_due", "dossiers due now (first feeds and refreshes)", "",
	      (double)(s->first_due + s->refresh_due));
	gauge("first_feeds_due", "dossiers waiting for their first feed", "", (double)s->first_due);
	gauge("first_feeds_overdue", "first feeds waiting longer than the promise", "", (double)s->first_overdue);
	gauge("first_feed_oldest_overdue_seconds", "age of the oldest overdue first feed, in seconds (0: none)", "",
	      hours_to_seconds(s->first_oldest_h));
	gauge("refreshes_due", "fed dossiers due for their refresh", "", (double)s->refresh_due);
	gauge("refreshes_overdue", "refreshes later than the promise plus grace", "", (double)s->refresh_overdue);
	gauge("refresh_oldest_overdue_seconds", "seconds since the oldest overdue dossier was fed (0: none)", "",
	      hours_to_seconds(s->refresh_oldest_h));
	gauge("events_pending", "lifecycle events recorded but not applied", "", (double)s->events_pending);
	gauge("feed_refused", "open dossiers whose document the last feed refused (too large)", "",
	      (double)s->refused);
	gauge("backfill_items_left", "dossiers of unfinished backfills", "", (double)s->backfill_items_left);
	printf("# HELP dmpremb_dossiers dossiers by state\n# TYPE dmpremb_dossiers gauge\n");
	for (int k = 0; k < STATUS_NSTATES; k++)
		printf("dmpremb_dossiers{state=\"%s\"} %lld\n", status_state_name(k), s->by_state[k]);
	printf("# HELP dmpremb_last_run_seconds duration of the latest run of each command\n"
	       "# TYPE dmpremb_last_run_seconds gauge\n");
	for (int i = 0; i < s->nruns; i++)
		printf("dmpremb_last_run_seconds{command=\"%s\",outcome=\"%s\"} %s\n", s->runs[i].command,
		       s->runs[i].outcome, s->runs[i].seconds);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "prometheus", no_argument, NULL, OPT_PROM },
		{ "first-feed-hours", required_argument, NULL, OPT_FIRST_HOURS },
		{ "refresh-days", required_argument, NULL, OPT_REFRESH },
		{ "grace-hours", required_argument, NULL, OPT_GRACE },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	struct status s = { .first_hours = 72, .refresh_days = 7, .grace_hours = 24,
			    .first_oldest_h = -1, .refresh_oldest_h = -1 };
	enum format fmt = FMT_TEXT;
	const char *as_of = NULL;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_AS_OF:
			if ((rc = cli_parse_as_of("--as-of", optarg)) != 0)
				return rc;
			as_of = optarg;
			break;
		case OPT_JSON:
		case OPT_PROM:
			if (fmt != FMT_TEXT)
				return cli_usage_error("status", "give --json or --prometheus, not both");
			fmt = opt == OPT_JSON ? FMT_JSON : FMT_PROM;
			break;
		case OPT_FIRST_HOURS:
			if ((rc = cli_parse_long("--first-feed-hours", optarg, 1, 10000, &s.first_hours)))
				return rc;
			break;
		case OPT_REFRESH:
			if ((rc = cli_parse_long("--refresh-days", optarg, 1, 3650, &s.refresh_days)))
				return rc;
			break;
		case OPT_GRACE:
			if ((rc = cli_parse_long("--grace-hours", optarg, 0, 10000, &s.grace_hours)))
				return rc;
			break;
		default:
			rc = cli_common_option(cli, "status", opt, optarg, status_usage);
			if (rc)
				return rc > 0 ? DR_OK : rc;
		}
	}
	if (optind != argc)
		return cli_usage_error("status", "unexpected argument");
	if ((rc = cli_connect(cli)) != 0)
		return rc;
	if ((rc = jobs_status(cli->conn, as_of, &s)) != 0) {
		jobs_status_free(&s);
		return rc;
	}

	bool broken = s.first_overdue > 0 || s.refresh_overdue > 0;
	if (fmt == FMT_JSON) {
		rc = print_json(&s, broken);      /* the feed's counts carry "unlabelled" */
	} else if (fmt == FMT_PROM) {
		print_prometheus(&s, broken);
		print_unlabelled_prometheus(&s);
	} else {
		print_text(&s, broken);
	}
	jobs_status_free(&s);
	if (rc != 0)
		return rc;
	if (broken)
		return dr_error(DR_E_PROMISE, "promise broken: %lld first feed(s) waiting over %ld h, %lld refresh(es)"
				" overdue", s.first_overdue, s.first_hours, s.refresh_overdue);
	return 0;
}
