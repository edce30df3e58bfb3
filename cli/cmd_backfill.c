/*
 * cli/cmd_backfill.c — `dmpremb backfill`: re-feed a set of dossiers, due or not.
 *
 *   list (one transaction): backfill_item (run_id, seq, ins_c) of this run
 *   feed_run(FEED_BACKFILL): chunks as for feed; each chunk marks its items
 *                            done in the transaction that stores them
 *   --resume RUN_ID:         the not-done items of that run's list
 *
 * After a referential fix, a late batch or an incident, operators re-feed
 * regardless of due-ness. The list is kept in the database so that an
 * interrupted backfill (crash, SIGKILL, Ctrl-C, SIGTERM) resumes where it
 * stopped, and a dossier is never fed twice by one backfill: its item is
 * done in the same transaction as its document. A session advisory lock on
 * the list's run id keeps two processes off one list.
 */
#include "cli/cli.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "load/db.h"
#include "load/feed_io.h"
#include "transform/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKFILL_LOCK "736821093"    /* advisory lock class (int4) of backfill lists */

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

struct backfill_args {
	const char *from, *to, *list;
	bool all;
	long long resume;
};

/* The SELECT of the dossiers to list ($1, $2 = from, to, when given: the
 * statement goes with db_query_text), into buffer sql. */
static void list_sql(char *sql, size_t size, const struct backfill_args *a, const struct feed_selection *sel)
{
	char shard[128];

	feed_shard_sql(shard, sizeof(shard), sel->shard_k, sel->shard_n);
	if (a->all)
		snprintf(sql, size, "SELECT d.ins_c FROM dossier d WHERE " FEED_SQL_FEEDABLE "%s", shard);
	else if (a->list)
		snprintf(sql, size, "SELECT d.ins_c FROM feed_list d WHERE true%s", shard);
	else
		/* a semi-join: each dossier once, however many lines it has */
		snprintf(sql, size, "SELECT d.ins_c FROM dossier d WHERE " FEED_SQL_FEEDABLE "%s"
			 " AND EXISTS (SELECT 1 FROM claim_line c WHERE c.ins_c = d.ins_c"
			 "             AND c.flx_trt_dtd BETWEEN $1::date AND $2::date)", shard);
}

/* --dry-run: what the list would hold, and how long it should take. */
static int dry_run(struct cli *cli, const struct backfill_args *a, const struct feed_opts *o)
{
	char sel_sql[1024], sql[4096];
	const char *params[3] = { a->from, a->to, o->as_of };
	PGresult *r;
	int rc;

	list_sql(sel_sql, sizeof(sel_sql), a, &o->sel);
	snprintf(sql, sizeof(sql),
		"WITH l AS (%s), f AS (SELECT l.ins_c FROM l JOIN dossier d USING (ins_c)"
		"                      WHERE " FEED_SQL_FEEDABLE "),"
		" w AS (SELECT coalesce($3::timestamptz, now())::date AS hi),"
		" rate AS (SELECT sum((counts->>'documents')::numeric) AS docs,"
		"                 sum(extract(epoch FROM ended_at - started_at)) AS secs FROM run"
		"           WHERE command IN ('feed', 'backfill') AND outcome = 'ok'"
		"             AND started_at > now() - interval '30 days' AND (counts->>'documents')::int > 0)"
		" SELECT (SELECT count(*) FROM l), (SELECT count(*) FROM f),"
		"        (SELECT count(*) FROM f JOIN claim_line c USING (ins_c), w"
		"          WHERE c.exe_soi_dtd BETWEEN (w.hi - interval '24 months')::date AND w.hi"
		"            AND c.flx_trt_dtd >= (w.hi - interval '24 months')::date),"
		"        (SELECT round(docs / nullif(secs, 0), 1) FROM rate)", sel_sql);
	if ((rc = db_query_text(cli->conn, "estimating the backfill", sql, 3, params, &r)) != 0)
		return rc;
	long long listed = atoll(PQgetvalue(r, 0, 0)), feedable = atoll(PQgetvalue(r, 0, 1));
	long long lines = atoll(PQgetvalue(r, 0, 2));
	double rate = PQgetisnull(r, 0, 3) ? 0.0 : atof(PQgetvalue(r, 0, 3));
	PQclear(r);
	printf("backfill dry run: nothing listed or stored\n");
	printf("  dossiers selected      %10lld\n", listed);
	printf("  of which to feed       %10lld  (open, no objection)\n", feedable);
	printf("  claim lines to read    %10lld  (in their 24-month windows)\n", lines);
	if (rate > 0)
		printf("  expected duration      %10.0f s  (at %.1f documents/s, the rate of the feeds of the\n"
		       "                                     last 30 days, on one process; --shard splits it)\n",
		       (double)feedable / rate, rate);
	else
		printf("  expected duration      unknown: no feed finished in the last 30 days to measure the rate\n");
	dr_log(DR_LOG_INFO, "backfill.dry_run", "listed=%lld feedable=%lld lines=%lld docs_per_s=%.1f",
	       listed, feedable, lines, rate);
	return 0;
}

/* Writes this run's list (one transaction). */
static int make_list(struct cli *cli, const struct backfill_args *a, const struct feed_opts *o,
		     long long *listed)
{
	char sel_sql[1024], sql[2048], run[24];
	const char *params[3] = { a->from, a->to, run };
	PGresult *r;
	int rc;

	snprintf(run, sizeof(run), "%lld", cli->run_id);
	list_sql(sel_sql, sizeof(sel_sql), a, &o->sel);
	snprintf(sql, sizeof(sql),
		"WITH ins AS (INSERT INTO backfill_item (run_id, seq, ins_c)"
		" SELECT $3::bigint, row_number() OVER (ORDER BY ins_c), ins_c FROM (%s) l RETURNING 1)"
		" SELECT count(*) FROM ins", sel_sql);
	if ((rc = db_begin(cli->conn)) != 0)
		return rc;
	if ((rc = db_query_text(cli->conn, "listing the dossiers", sql, 3, params, &r)) == 0) {
		*listed = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		rc = db_commit(cli->conn);
	}
	if (rc != 0)
		db_rollback(cli->conn);
	return rc;
}

/* Takes the list's lock for this session; DR_E_RETRY when another process has it. */
static int lock_list(struct cli *cli, long long run_id)
{
	char run[24];
	const char *params[1] = { run };
	long long got;
	int rc;

	snprintf(run, sizeof(run), "%lld", run_id);
	if ((rc = db_query_long(cli->conn, "SELECT pg_try_advisory_lock(" BACKFILL_LOCK ","
				" ($1::bigint % 2147483647)::int)::int",
				1, params, 0, &got)) != 0)
		return rc;
	return got ? 0 : dr_error(DR_E_RETRY, "backfill %lld is being run by another process right now", run_id);
}

/* --resume: the run must be a backfill (its row, if the process was killed,
 * was closed as interrupted by run_start). */
static int check_resume(struct cli *cli, long long resume)
{
	char run[24];
	const char *params[1] = { run };
	long long n;
	int rc;

	snprintf(run, sizeof(run), "%lld", resume);
	if ((rc = db_query_long(cli->conn, "SELECT count(*) FROM run WHERE run_id = $1::bigint"
				" AND command = 'backfill'", 1, params, 0, &n)) != 0)
		return rc;
	return n ? 0 : dr_error(DR_E_USAGE, "run %lld is not a backfill (see the run table or 'dmpremb status')",
				resume);
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
	struct backfill_args a = { 0 };
	struct feed_opts o;
	struct feed_report rep, lrep;
	char options[512];
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
			a.resume = v;
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
	if (a.resume ? kinds != 0 : kinds != 1)
		return cli_usage_error("backfill", a.resume ? "--resume takes the list of the run it resumes:"
				       " no --all, --from/--to or --ins-c"
				       : "say which dossiers: --from DATE --to DATE, --ins-c FILE or --all (one of them)");
	if ((a.from != NULL) != (a.to != NULL))
		return cli_usage_error("backfill", "--from and --to go together");
	if (a.resume && o.dry_run)
		return cli_usage_error("backfill", "--dry-run lists nothing, so it cannot resume");
	if ((rc = cli_feed_check(cli, &o)) != 0)
		return rc;
	o.quiet = cli->quiet;
	o.sel.mode = FEED_BACKFILL;

	if ((rc = cli_connect(cli)) != 0)
		return rc;
	if (a.from) {
		/* checked by the server, named by the option */
		const char *params[2] = { a.from, a.to };
		PGresult *r;
		if ((rc = db_query_option(cli->conn, "checking --from and --to", "SELECT ($1::date <= $2::date)::int",
					  2, params, "--from and --to must be dates (YYYY-MM-DD)", &r)) != 0)
			return rc;
		bool ok = strcmp(PQgetvalue(r, 0, 0), "1") == 0;
		PQclear(r);
		if (!ok)
			return dr_error(DR_E_USAGE, "--from must not be after --to");
	}
	if (a.list) {
		memset(&lrep, 0, sizeof(lrep));
		if ((rc = feed_load_list(cli->conn, a.list, &lrep)) != 0)
			return rc;
	}
	if (o.dry_run) {
		rc = dry_run(cli, &a, &o);
		if (rc == 0 && a.list && lrep.bad_list_lines)
			rc = dr_error(DR_E_DATA, "%ld line(s) of the list are not INS-Cs", lrep.bad_list_lines);
		return rc;
	}

	snprintf(options, sizeof(options),
		 "{\"selection\": \"%s\", \"from\": %s%s%s, \"to\": %s%s%s, \"resume\": %lld,"
		 " \"shard\": \"%d/%d\", \"jobs\": %d, \"chunk\": %d, \"max_document_mb\": %zu}",
		 a.resume ? "resume" : a.all ? "all" : a.list ? "ins-c" : "flx_trt_dtd",
		 a.from ? "\"" : "", a.from ? a.from : "null", a.from ? "\"" : "",
		 a.to ? "\"" : "", a.to ? a.to : "null", a.to ? "\"" : "",
		 a.resume, o.sel.shard_k, o.sel.shard_n, o.jobs, o.sel.limit, o.max_doc_bytes >> 20);
	/* a --resume of no backfill is a usage error: no run is recorded for it */
	if (a.resume && ((rc = cli_connect(cli)) != 0 || (rc = check_resume(cli, a.resume)) != 0))
		return rc;
	if ((rc = cli_run_start(cli, "backfill", options)) != 0)
		return rc;
	long long listed = 0;
	o.sel.backfill_run = a.resume ? a.resume : cli->run_id;
	if ((rc = lock_list(cli, o.sel.backfill_run)) == 0 && !a.resume)
		rc = make_list(cli, &a, &o, &listed);
	if (rc != 0) {
		memset(&rep, 0, sizeof(rep));
		return cli_feed_finish(cli, "backfill.done", &o, &rep, rc);
	}
	dr_killpoint("backfill-after-list");
	dr_log(DR_LOG_INFO, "backfill.list", "list_run=%lld listed=%lld%s", o.sel.backfill_run, listed,
	       a.resume ? " resumed=true" : "");
	printf("backfill run %lld, list of run %lld%s\n", cli->run_id, o.sel.backfill_run,
	       a.resume ? " (resumed)" : "");
	rc = feed_run(cli->conn, cli->run_id, &o, &rep);
	if (rc == 0 && (rep.backfill_left > 0 || rep.stopped))
		rc = dr_error(DR_E_RETRY, "%lld dossiers of the list are not done yet: run 'dmpremb backfill"
			      " --resume %lld'", rep.backfill_left > 0 ? rep.backfill_left
			      : rep.plan.total - rep.selected, o.sel.backfill_run);
	else if (rc == DR_E_INTERRUPTED)
		rc = dr_error(DR_E_INTERRUPTED, "interrupted after %ld documents: run 'dmpremb backfill --resume %lld'"
			      " to finish", rep.documents, o.sel.backfill_run);
	if (rc == 0 && a.list && lrep.bad_list_lines)
		rc = dr_error(DR_E_DATA, "%ld line(s) of the list are not INS-Cs (see the feed.bad_ins_c log lines);"
			      " the others were fed", lrep.bad_list_lines);
	return cli_feed_finish(cli, "backfill.done", &o, &rep, rc);
}
