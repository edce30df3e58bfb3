/*
 * cli/cmd_purge.c — `dmpremb purge`: age out what the retention rules say.
 *
 *   lock    a session advisory lock: one purge at a time (exit 75 when busy)
 *   run     a run row 'purge' with the as-of, the ages and, at the end, counts
 *   steps   jobs/purge.c: partitions and old stays, closed dossiers'
 *           claims, version rows, rejects and backfill lists; one slice per
 *           transaction, so an interrupted purge is finished by the next
 *
 * The rules themselves are functions of sql/006_retention.sql, which the
 * role dmpremb_ingest may execute and nothing else may: docs/retention.md.
 * Prints counts and partition names only, never an identifier.
 */
#include "cli/cli.h"
#include "jobs/purge.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/reports.h"

#include <stdio.h>
#include <stdlib.h>

static const char purge_usage[] =
	"usage: dmpremb purge [--as-of TIMESTAMP] [--dry-run] [--margin-months N]\n"
	"                     [--closed-grace-days N] [--version-months N] [--reject-days N]\n"
	"                     [--backfill-days N] [--slice N] [--lock-timeout SECONDS]\n"
	"\n"
	"Removes what the retention rules no longer keep (docs/retention.md), ages\n"
	"counted back from --as-of (default now; never in the future):\n"
	"  1. claim_line partitions whose whole processing month (FLX_TRT_DTD) is\n"
	"     before the cutoff = the as-of day - 24 months - --margin-months: one\n"
	"     DROP each, no row by row delete; their months' claim_stat rows; and\n"
	"     hospital stays that ended before the cutoff;\n"
	"  2. the claim lines and stays of deceased dossiers, and of closed ones\n"
	"     closed more than --closed-grace-days ago (their documents stay: they\n"
	"     are kept 10 years; a reactivation within the grace finds the whole\n"
	"     history, a later one only the claims processed since the purge);\n"
	"  3. document_version rows generated more than --version-months before the\n"
	"     as-of, except each dossier's current version (documents and traces\n"
	"     are never touched);\n"
	"  4. rejected lines of batches received more than --reject-days ago (the\n"
	"     batch and its per-file counts stay), and the work lists of backfills\n"
	"     last active more than --backfill-days ago.\n"
	"\n"
	"  --as-of TIMESTAMP        the purge's now (e.g. 2026-11-15T10:00:00+01:00)\n"
	"  --dry-run                say what would go: partitions with their estimated\n"
	"                           rows, rows per step; removes nothing, records no run\n"
	"  --margin-months N        months kept beyond the 24 of the window (default 3;\n"
	"                           a feed replayed with an older --as-of, a line whose\n"
	"                           care date is later than its processing date)\n"
	"  --closed-grace-days N    days a closed dossier keeps its claims (default 90)\n"
	"  --version-months N       months of version rows kept (default 12)\n"
	"  --reject-days N          days rejects are kept after their batch (default 90)\n"
	"  --backfill-days N        days a finished or abandoned backfill's list is kept\n"
	"                           (default 30)\n"
	"  --slice N                dossiers or rows per transaction (default 5000)\n"
	"  --lock-timeout SECONDS   longest wait for a lock, above all the DROP's, which\n"
	"                           needs claim_line to itself (default 10): beyond it,\n"
	"                           exit 75 and the next purge does it\n"
	"\n"
	"A second purge with the same as-of removes nothing. Each slice is its own\n"
	"transaction: after a crash, Ctrl-C (exit 75) or a lock timeout, run it again.\n"
	"Exit 75 too when another purge is running. The run row (command 'purge')\n"
	"holds the counts; a later purge sweeps an already purged dossier's recent\n"
	"partitions only, trusting the last purge that ended ok. The removals are\n"
	"functions owned by dmpremb_owner that only dmpremb_ingest may call.\n"
	"\n"
	"Role: dmpremb_ingest.\n"
	"\n";

enum { OPT_MARGIN = OPT_FEED_END + 20, OPT_GRACE_DAYS, OPT_VERSION_MONTHS, OPT_REJECT_DAYS,
       OPT_BACKFILL_DAYS, OPT_SLICE, OPT_LOCK_TIMEOUT };

static void line(const char *label, long long n, const char *note)
{
	printf("%-34s %10lld%s%s\n", label, n, note[0] ? "  " : "", note);
}

static void print_report(const struct purge_opts *o, const struct purge_report *r)
{
	char note[128];

	printf("purge as of %s%s\n", r->as_of, o->dry_run ? " (dry run: what would go; nothing removed)" : "");
	printf("cutoff %s: the as-of day - 24 months - %ld months of margin\n", r->cutoff, o->margin_months);
	snprintf(note, sizeof(note), "(%lld rows, estimate)", r->partition_rows);
	line("claim_line partitions", o->dry_run ? (long long)r->n_parts : r->partitions_dropped, note);
	for (size_t i = 0; i < r->n_parts; i++)
		if (o->dry_run || r->parts[i].dropped)
			printf("  %-20s %s .. %s %10lld rows\n", r->parts[i].name, r->parts[i].from, r->parts[i].to,
			       r->parts[i].rows);
	line("claim_stat rows", r->claim_stat_rows, "(months of those partitions)");
	line("hospital stays ended before cutoff", r->old_stays, "");
	snprintf(note, sizeof(note), "(deceased, or closed over %ld days ago; %lld for the first time)",
		 o->grace_days, r->closed_first);
	line("closed and deceased dossiers", r->closed_dossiers, note);
	line("  their claim lines", r->closed_lines, "");
	line("  their hospital stays", r->closed_stays, "");
	snprintf(note, sizeof(note), "(generated over %ld months ago, not current)", o->version_months);
	line("document version rows", r->versions, note);
	snprintf(note, sizeof(note), "(batches received over %ld days ago)", o->reject_days);
	line("rejected lines", r->rejects, note);
	snprintf(note, sizeof(note), "(backfills idle for over %ld days)", o->backfill_days);
	line("backfill list items", r->backfill_items, note);
}

static void summarize(struct run_summary *s, const struct purge_opts *o, const struct purge_report *r)
{
	summary_str(s, "as_of", r->as_of);
	summary_str(s, "cutoff", r->cutoff);
	summary_bool(s, "dry_run", o->dry_run);
	summary_int(s, "partitions_before_cutoff", (long long)r->n_parts);
	summary_int(s, "partitions_dropped", r->partitions_dropped);
	summary_int(s, "partition_rows", r->partition_rows);
	summary_int(s, "claim_stat_rows", r->claim_stat_rows);
	summary_int(s, "old_stays", r->old_stays);
	summary_int(s, "closed_dossiers", r->closed_dossiers);
	summary_int(s, "closed_first_purges", r->closed_first);
	summary_int(s, "closed_claim_lines", r->closed_lines);
	summary_int(s, "closed_stays", r->closed_stays);
	summary_int(s, "version_rows", r->versions);
	summary_int(s, "rejects", r->rejects);
	summary_int(s, "backfill_items", r->backfill_items);
	summary_real(s, "seconds", r->seconds, 3);
}

static int options_json(struct buf *b, const struct purge_opts *o, const struct purge_report *r)
{
	struct json j;

	json_begin(&j, b);
	json_str(&j, "as_of", r->as_of);
	json_int(&j, "margin_months", o->margin_months);
	json_int(&j, "closed_grace_days", o->grace_days);
	json_int(&j, "version_months", o->version_months);
	json_int(&j, "reject_days", o->reject_days);
	json_int(&j, "backfill_days", o->backfill_days);
	json_int(&j, "slice", o->slice);
	json_int(&j, "lock_timeout_s", o->lock_timeout_s);
	return json_end(&j);
}

static int parse_option(struct purge_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case OPT_AS_OF: o->as_of = arg; return cli_parse_as_of("--as-of", arg);
	case OPT_DRY_RUN: o->dry_run = true; return 0;
	case OPT_MARGIN: return cli_parse_long("--margin-months", arg, 0, 120, &o->margin_months);
	case OPT_GRACE_DAYS: return cli_parse_long("--closed-grace-days", arg, 0, 3650, &o->grace_days);
	case OPT_VERSION_MONTHS: return cli_parse_long("--version-months", arg, 1, 1200, &o->version_months);
	case OPT_REJECT_DAYS: return cli_parse_long("--reject-days", arg, 1, 36500, &o->reject_days);
	case OPT_BACKFILL_DAYS: return cli_parse_long("--backfill-days", arg, 1, 36500, &o->backfill_days);
	case OPT_SLICE: return cli_parse_long("--slice", arg, 1, 1000000, &o->slice);
	case OPT_LOCK_TIMEOUT: return cli_parse_long("--lock-timeout", arg, 1, 3600, &o->lock_timeout_s);
	default: return 1;
	}
}

int cmd_purge(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "margin-months", required_argument, NULL, OPT_MARGIN },
		{ "closed-grace-days", required_argument, NULL, OPT_GRACE_DAYS },
		{ "version-months", required_argument, NULL, OPT_VERSION_MONTHS },
		{ "reject-days", required_argument, NULL, OPT_REJECT_DAYS },
		{ "backfill-days", required_argument, NULL, OPT_BACKFILL_DAYS },
		{ "slice", required_argument, NULL, OPT_SLICE },
		{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	struct purge_opts o = { .margin_months = 3, .grace_days = 90, .version_months = 12, .reject_days = 90,
				.backfill_days = 30, .slice = 5000, .lock_timeout_s = 10 };
	struct purge_report r = { 0 };
	struct buf options;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if ((rc = parse_option(&o, opt, optarg)) <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		rc = cli_common_option(cli, "purge", opt, optarg, purge_usage);
		if (rc)
			return rc > 0 ? DR_OK : rc;
	}
	if (optind != argc)
		return cli_usage_error("purge", "unexpected argument");
	if ((rc = cli_connect(cli)) != 0)
		return rc;
	if ((rc = jobs_purge_prepare(cli->conn, &o, &r)) != 0) {
		jobs_purge_free(&r);
		return rc;
	}
	buf_init(&options, 2048);
	if ((rc = options_json(&options, &o, &r)) == 0)
		rc = cli_run_begin(cli, "purge.done", o.dry_run ? NULL : "purge", options.data);
	buf_free(&options);
	if (rc == 0) {
		dr_log(DR_LOG_INFO, "purge.start", "as_of=\"%s\" cutoff=%s partitions=%zu dry_run=%s", r.as_of,
		       r.cutoff, r.n_parts, o.dry_run ? "true" : "false");
		rc = jobs_purge_run(cli->conn, &o, &r);
		print_report(&o, &r);
		summarize(&cli->sum, &o, &r);
		/* the top codes are summed from claim_stat, which lost the purged months */
		cli->changed = !o.dry_run && r.claim_stat_rows > 0;
	}
	jobs_purge_free(&r);
	return rc;
}
