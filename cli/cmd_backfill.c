/*
 * cli/cmd_backfill.c — `dmpremb backfill`: re-feed a set of dossiers, due or not.
 *
 *   jobs/backfill.c: the list, backfill_item (run_id, seq, ins_c), in one
 *   transaction, then the feed of its items (FEED_BACKFILL), each chunk
 *   marking its items done in the transaction that stores them;
 *   --resume RUN_ID: the not-done items of that run's list.
 *
 * After a referential fix, a late batch or an incident, operators re-feed
 * regardless of due-ness. The list is kept in the database so that an
 * interrupted backfill (crash, SIGKILL, Ctrl-C, SIGTERM) resumes where it
 * stopped, and a dossier is never fed twice by one backfill: its item is
 * done in the same transaction as its document. A session advisory lock on
 * the list's run id keeps two processes off one list.
 */
#include "cli/cli.h"
#include "jobs/backfill.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char backfill_usage[] =
	"usage: dmpremb backfill (--from DATE --to DATE | --ins-c FILE|- | --all)\n"
	"                        [--dry-run] [--as-of TIMESTAMP [--allow-future]] [--shard K/N] [--max-seconds N]\n"
	"                        [--jobs N] [--chunk N] [--max-document-mb N] [--ins-nir-oid OID]\n"
	"       dmpremb backfill --resume RUN_ID [options]\n"
	"\n"
	"Re-feeds dossiers whether they are due or not: after a referential fix\n"
	"(--all), a late or corrected batch (--from/--to), an incident (--ins-c).\n"
	"Only open dossiers without an objection are fed; a dossier already fed\n"
	"at or after --as-of is skipped (it is current).\n"
	"\n"
	"  --all              every open dossier without an objection\n"
	"  --from DATE --to DATE\n"
	"                     the dossiers with claim lines the insurer processed\n"
	"                     (FLX_TRT_DTD) between these days, both included,\n"
	"                     e.g. --from 2026-11-02 --to 2026-11-08\n"
	"  --ins-c FILE       the INS-Cs listed in FILE ('-' = stdin), one a line\n"
	"  --dry-run          say how many dossiers and claim lines it would take and\n"
	"                     how long it should take (at the rate of the recent feeds);\n"
	"                     nothing is listed or stored\n"
	"  --resume RUN_ID    finish an interrupted backfill: the dossiers of its list\n"
	"                     not done yet (the run id is in its log and in 'dmpremb\n"
	"                     status'); --as-of defaults to now again\n"
	"  --shard K/N        list only the dossiers whose INS-C hashes to K mod N\n"
	"  --max-seconds N    stop starting chunks after N seconds (resume later)\n"
	"  --as-of, --allow-future, --jobs, --chunk, --max-document-mb, --ins-nir-oid   as for feed\n"
	"\n"
	"The list is kept in the table backfill_item; each dossier's item is marked\n"
	"done with its document, in the same transaction. Exit 75 when interrupted\n"
	"or when dossiers held by another feed are left: run --resume RUN_ID.\n"
	"\n"
	"Role: dmpremb_feed.\n"
	"\n";

enum { OPT_FROM = OPT_FEED_END, OPT_TO, OPT_ALL, OPT_RESUME };

/* --dry-run: what the list would hold, and how long it should take. */
static int dry_run(struct cli *cli, const struct backfill_selection *a, const struct feed_opts *o)
{
	struct backfill_estimate e;
	int rc = jobs_backfill_estimate(cli->conn, a, o, &e);

	if (rc != 0)
		return rc;
	printf("backfill dry run: nothing listed or stored\n");
	printf("  dossiers selected      %10lld\n", e.listed);
	printf("  of which to feed       %10lld  (open, no objection)\n", e.feedable);
	printf("  claim lines to read    %10lld  (in their 24-month windows)\n", e.lines);
	if (e.docs_per_s > 0)
		printf("  expected duration      %10.0f s  (at %.1f documents/s, the rate of the feeds of the\n"
		       "                                     last 30 days, on one process; --shard splits it)\n",
		       (double)e.feedable / e.docs_per_s, e.docs_per_s);
	else
		printf("  expected duration      unknown: no feed finished in the last 30 days to measure the rate\n");
	dr_log(DR_LOG_INFO, "backfill.dry_run", "listed=%lld feedable=%lld lines=%lld docs_per_s=%.1f",
	       e.listed, e.feedable, e.lines, e.docs_per_s);
	return 0;
}

int cmd_backfill(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_FEED_LONGOPTS,
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "ins-c", required_argument, NULL, OPT_INS_C },
		{ "resume", required_argument, NULL, OPT_RESUME },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	struct backfill_selection a = { 0 };
	long long resume = 0;
	struct feed_opts o;
	struct feed_report rep, lrep;
	struct buf options;
	struct json j;
	char shard[32];
	long v;
	int opt, rc;

	cli_feed_defaults(&o);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if ((rc = cli_feed_option(&o, opt, optarg)) <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		switch (opt) {
		case OPT_FROM: a.from = optarg; break;
		case OPT_TO: a.to = optarg; break;
		case OPT_ALL: a.all = true; break;
		case OPT_INS_C: a.list = optarg; break;
		case OPT_RESUME:
			if ((rc = cli_parse_long("--resume", optarg, 1, 1L << 62, &v)))
				return rc;
			resume = v;
			break;
		default:
			rc = cli_common_option(cli, "backfill", opt, optarg, backfill_usage);
			if (rc)
				return rc > 0 ? DR_OK : rc;
		}
	}
	int kinds = (a.all ? 1 : 0) + (a.list ? 1 : 0) + (a.from || a.to ? 1 : 0);
	if (optind != argc)
		return cli_usage_error("backfill", "unexpected argument");
	if (resume ? kinds != 0 : kinds != 1)
		return cli_usage_error("backfill", resume ? "--resume takes the list of the run it resumes:"
				       " no --all, --from/--to or --ins-c"
				       : "say which dossiers: --from DATE --to DATE, --ins-c FILE or --all (one of them)");
	if ((a.from != NULL) != (a.to != NULL))
		return cli_usage_error("backfill", "--from and --to go together");
	if (resume && o.dry_run)
		return cli_usage_error("backfill", "--dry-run lists nothing, so it cannot resume");
	if ((rc = cli_feed_check(cli, &o)) != 0)
		return rc;
	o.quiet = cli->quiet;
	o.sel.mode = FEED_BACKFILL;

	if ((rc = cli_connect(cli)) != 0)
		return rc;
	memset(&lrep, 0, sizeof(lrep));
	if ((rc = jobs_backfill_prepare(cli->conn, &a, &lrep)) != 0)
		return rc;
	if (o.dry_run) {
		rc = dry_run(cli, &a, &o);
		if (rc == 0 && a.list && lrep.bad_list_lines)
			rc = dr_error(DR_E_DATA, "%ld line(s) of the list are not INS-Cs", lrep.bad_list_lines);
		return rc;
	}

	buf_init(&options, 2048);
	json_begin(&j, &options);
	json_str(&j, "selection", resume ? "resume" : a.all ? "all" : a.list ? "ins-c" : "flx_trt_dtd");
	json_str(&j, "from", a.from);
	json_str(&j, "to", a.to);
	json_int(&j, "resume", resume);
	snprintf(shard, sizeof(shard), "%d/%d", o.sel.shard_k, o.sel.shard_n);
	json_str(&j, "shard", shard);
	json_int(&j, "jobs", o.jobs);
	json_int(&j, "chunk", o.sel.limit);
	json_int(&j, "max_document_mb", (long long)(o.max_doc_bytes >> 20));
	if ((rc = json_end(&j)) != 0) {
		buf_free(&options);
		return rc;
	}
	/* a --resume of no backfill is a usage error: no run is recorded for it */
	rc = resume ? jobs_backfill_check_resume(cli->conn, resume) : 0;
	if (rc == 0)
		rc = cli_run_begin(cli, "backfill.done", "backfill", options.data);
	buf_free(&options);
	if (rc != 0)
		return rc;
	long long listed = 0;
	o.sel.backfill_run = resume ? resume : cli->run_id;
	if ((rc = jobs_backfill_list(cli->conn, &a, &o, resume != 0, &listed)) != 0) {
		memset(&rep, 0, sizeof(rep));
		return cli_feed_finish(cli, &o, &rep, rc);
	}
	dr_log(DR_LOG_INFO, "backfill.list", "list_run=%lld listed=%lld%s", o.sel.backfill_run, listed,
	       resume ? " resumed=true" : "");
	printf("backfill run %lld, list of run %lld%s\n", cli->run_id, o.sel.backfill_run,
	       resume ? " (resumed)" : "");
	rc = jobs_backfill_feed(cli->conn, cli->run_id, &o, &rep);
	if (rc == 0 && a.list && lrep.bad_list_lines)
		rc = dr_hint(dr_error(DR_E_DATA, "%ld line(s) of the list are not INS-Cs; the others were fed",
				      lrep.bad_list_lines), "see the feed.bad_ins_c log lines");
	return cli_feed_finish(cli, &o, &rep, rc);
}
