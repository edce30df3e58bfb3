/*
 * cli/cmd_feed.c — `dmpremb feed` (store documents) and `dmpremb render` (print one).
 */
#include "cli/cli.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/num.h"
#include "lib/log.h"
#include "lib/feed_rows.h"
#include "jobs/feed.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const char feed_usage[] =
	"usage: dmpremb feed [--as-of TIMESTAMP [--allow-future]] [--refresh-days N] [--max-dossiers N]\n"
	"                    [--max-seconds N] [--shard K/N] [--ins-c FILE|-] [--jobs N]\n"
	"                    [--chunk N] [--max-document-mb N] [--dry-run] [--ins-nir-oid OID]\n"
	"\n"
	"Builds the CNAM-HR 2021.01 'Donnees de remboursement' document of every due\n"
	"dossier and stores it as the dossier's next version, with its trace\n"
	"'Assurance Maladie a ajoute / a modifie : Donnees de remboursement'.\n"
	"\n"
	"A dossier is due when it is open, not under an objection, and either never\n"
	"fed, or reactivated / its objection lifted since its last feed (a first\n"
	"feed: the 72-hour promise), or last fed --refresh-days ago or more (the\n"
	"weekly refresh). First feeds go first, oldest first, then the oldest\n"
	"refreshes; --max-dossiers and --max-seconds bound a run so that an hourly\n"
	"run that cannot do everything still keeps the 72-hour promise.\n"
	"\n"
	"The document shows the claim lines whose care date lies in the 24 months\n"
	"before the generation time (both ends included), netted, with labels from\n"
	"the loaded referentials (docs/documents.md).\n"
	"\n"
	"Dossiers are done by chunks, one transaction each, each dossier claimed\n"
	"while in flight: feeds may run at once (on one machine or several, e.g.\n"
	"with --shard; on one PostgreSQL or Citus) and never feed a dossier twice. After a crash, Ctrl-C or\n"
	"SIGTERM, run again: what was stored is no longer due (docs/scheduling.md).\n"
	"\n"
	"  --as-of TIMESTAMP   generation time (default: now), ISO 8601: 2026-11-15 (midnight),\n"
	"                      2026-11-15T10:00:00 (Europe/Paris) or 2026-11-15T10:00:00+01:00;\n"
	"                      not later than now unless --allow-future\n"
	"  --allow-future      accept an --as-of later than now (tests of what will be due)\n"
	"  --refresh-days N    a fed dossier is due again N days after (default 7)\n"
	"  --max-dossiers N    feed at most N dossiers (the most urgent)\n"
	"  --max-seconds N     start no new chunk after N seconds (e.g. 3000 hourly)\n"
	"  --shard K/N         only dossiers whose INS-C hashes to K modulo N (0 <= K < N):\n"
	"                      N processes with K = 0..N-1 share the work\n"
	"  --ins-c FILE        these dossiers instead of the due ones ('-' = stdin),\n"
	"                      if open and without objection, and not already fed at\n"
	"                      --as-of; blank lines and # comments are ignored; a line\n"
	"                      that is not an INS-C is reported by number and skipped\n"
	"                      (exit 65 at the end)\n"
	"  --jobs N            threads (default: number of cores). With N >= 2 a feed of the\n"
	"                      due dossiers (no --ins-c, --max-dossiers or --dry-run) runs\n"
	"                      min(N, 8) lanes, each on a database connection of its own\n"
	"  --chunk N           dossiers per transaction (default 200)\n"
	"  --max-document-mb N store no document larger than N MB (default 16, at\n"
	"                      most 30): such a dossier is skipped, recorded on the\n"
	"                      dossier and counted by 'dmpremb status', and stays due;\n"
	"                      the others are fed, and the run exits 65\n"
	"  --dry-run           build and render everything, store nothing\n"
	"  --ins-nir-oid OID   root of the INS-NIR identifier: 1.2.250.1.213.1.4.8 in\n"
	"                      production, 1.2.250.1.213.1.4.10 (default) for test data;\n"
	"                      environment DMPREMB_INS_NIR_OID\n"
	"\n"
	"Progress: a live line on a terminal, a feed.progress log line every minute\n"
	"otherwise (DMPREMB_PROGRESS_SECONDS changes the period).\n"
	"\n"
	"Role: dmpremb_feed.\n"
	"\n";

static const char render_usage[] =
	"usage: dmpremb render INS_C [--reason TEXT] [--as-of TIMESTAMP] [--ins-nir-oid OID]\n"
	"\n"
	"Prints on stdout the document 'dmpremb feed' would store now for this\n"
	"dossier, with the next version number; stores nothing. It reads the claim\n"
	"lines, the identity, the referentials and the version numbers, never a\n"
	"stored document. Options as for feed.\n"
	"\n"
	"Every render is recorded first by the database in dmpremb.render_audit\n"
	"(login, time, the dossier under a pseudonym, its state, the reason),\n"
	"which ops may read and nobody may change. A dossier the feed would not\n"
	"feed (closed, deceased, deleted, under objection, not created, unknown)\n"
	"is refused, exit 65, saying why, unless:\n"
	"  --reason TEXT       why an operator must see it (at most 500 characters;\n"
	"                      recorded, never logged; no health data in it)\n"
	"\n"
	"Role: dmpremb_feed.\n"
	"\n";


static const char *default_oid(void)
{
	const char *e = getenv("DMPREMB_INS_NIR_OID");
	return e && *e ? e : OID_INS_NIR_TEST;
}

static int check_oid(const char *oid)
{
	if (strcmp(oid, OID_INS_NIR_PROD) != 0 && strcmp(oid, OID_INS_NIR_TEST) != 0)
		return cli_usage_error("feed", "--ins-nir-oid must be %s (production) or %s (test)",
				       OID_INS_NIR_PROD, OID_INS_NIR_TEST);
	return 0;
}

static void print_report(const struct feed_report *r, bool dry_run)
{
	static const char *const names[FEED_DOC_SECTIONS] = {
		"Médicaments", "Vaccinations", "Dispositifs médicaux", "Hospitalisations",
		"Soins médicaux et dentaires", "Radiologie", "Biologie",
	};
	printf("feed as of %s, window %s .. %s%s\n", r->as_of, r->lo, r->hi,
	       dry_run ? " (dry run: nothing stored)" : "");
	if (r->listed || r->bad_list_lines)
		printf("  listed INS-Cs          %10ld  (%ld bad lines)\n", r->listed, r->bad_list_lines);
	if (r->events_pending)
		printf("  events not folded      %10lld  (the next dossiers import folds them)\n", r->events_pending);
	printf("  dossiers planned       %10lld  (%lld first feeds)\n", r->plan.total, r->plan.first);
	printf("  dossiers selected      %10ld\n", r->selected);
	printf("  documents %-12s %10ld  in %ld transactions\n", dry_run ? "rendered" : "stored",
	       r->documents, r->chunks);
	printf("  skipped, no identity   %10ld\n", r->no_identity);
	if (r->too_large)
		printf("  skipped, too large     %10ld  (document above --max-document-mb: still due)\n",
		       r->too_large);
	if (r->not_feedable)
		printf("  skipped, not feedable  %10ld  (dossier closed, deleted or under objection meanwhile)\n",
		       r->not_feedable);
	printf("  claim lines read       %10ld  (%ld folded by netting)\n", r->st.lines, r->st.netted_out);
	for (int s = 0; s < FEED_DOC_SECTIONS; s++)
		printf("  rows %-27s %10ld\n", names[s], r->st.rows[s]);
	for (int k = 0; k < FEED_WARNING_KINDS; k++)
		if (r->st.warnings[k])
			printf("  warning %-22s %10ld  (code shown with a neutral label)\n",
			       feed_warning_name(k), r->st.warnings[k]);
	printf("  XML bytes              %10lld  (average %lld, largest %ld)\n", r->bytes,
	       r->documents ? r->bytes / r->documents : 0, r->max_bytes);
	printf("  seconds                %10.1f  (%.0f documents/s, %.0f lines/s)\n", r->seconds,
	       r->seconds > 0 ? (double)r->documents / r->seconds : 0.0,
	       r->seconds > 0 ? (double)r->st.lines / r->seconds : 0.0);
	printf("    reading %.1f s, building and rendering %.1f s, storing %.1f s\n", r->fetch_s,
	       r->render_s, r->store_s);
	if (r->stopped)
		printf("  stopped by --max-seconds: %lld planned dossiers left for the next run\n",
		       r->plan.total - r->selected);
	if (r->backfill_skipped || r->backfill_left)
		printf("  backfill: %lld skipped (closed, objection, deleted or already current),"
		       " %lld left (held by another feed: --resume)\n", r->backfill_skipped, r->backfill_left);
}

static int parse_shard(const char *arg, struct feed_selection *sel)
{
	const char *slash = strchr(arg, '/');
	char kpart[24];
	long long k = -1, n = 0;

	if (slash && (size_t)(slash - arg) < sizeof(kpart)) {
		memcpy(kpart, arg, (size_t)(slash - arg));
		kpart[slash - arg] = '\0';
		if (num_parse_ll(kpart, &k) != 0 || num_parse_ll(slash + 1, &n) != 0)
			k = -1;
	}
	if (n < 1 || n > 4096 || k < 0 || k >= n)
		return dr_error(DR_E_USAGE, "--shard must be K/N with 0 <= K < N <= 4096, not '%s'", arg);
	sel->shard_k = (int)k;
	sel->shard_n = (int)n;
	return 0;
}

int cli_feed_option(struct feed_opts *o, int opt, const char *arg)
{
	long v;
	int rc = 0;

	switch (opt) {
	case OPT_AS_OF:
		rc = cli_parse_as_of("--as-of", arg);
		o->as_of = arg;
		break;
	case OPT_ALLOW_FUTURE: o->allow_future = true; break;
	case OPT_DRY_RUN: o->dry_run = true; break;
	case OPT_OID: o->ins_nir_root = arg; break;
	case OPT_SHARD: rc = parse_shard(arg, &o->sel); break;
	case OPT_JOBS:
		if ((rc = cli_parse_long("--jobs", arg, 1, 256, &v)) == 0)
			o->jobs = (int)v;
		break;
	case OPT_CHUNK:
		if ((rc = cli_parse_long("--chunk", arg, 1, 100000, &v)) == 0)
			o->sel.limit = (int)v;
		break;
	case OPT_MAX_DOC_MB:
		if ((rc = cli_parse_long("--max-document-mb", arg, 1, FEED_MAX_DOC_MB_LIMIT, &v)) == 0)
			o->max_doc_bytes = (size_t)v << 20;
		break;
	case OPT_MAX_SECONDS:
		rc = cli_parse_double("--max-seconds", arg, 1, 1e7, &o->max_seconds);
		break;
	default:
		return 1;   /* not a feed option */
	}
	return rc;
}

int cli_feed_check(struct cli *cli, const struct feed_opts *o)
{
	bool future = false;
	int rc = check_oid(o->ins_nir_root);

	/* before any run is recorded: an as-of later than now is a usage error */
	if (rc == 0 && o->as_of && !o->allow_future && (rc = cli_connect(cli)) == 0
	    && (rc = jobs_feed_as_of_future(cli->conn, o->as_of, &future)) == 0 && future)
		rc = dr_error(DR_E_USAGE, "--as-of %s is later than now: documents are built from what is"
			      " known now (--allow-future to build them as of a later time, e.g. in a test)",
			      o->as_of);
	return rc;
}

void cli_feed_defaults(struct feed_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = omp_get_num_procs();
	o->sel.limit = 200;
	o->max_doc_bytes = (size_t)FEED_MAX_DOC_MB << 20;
	o->sel.refresh_days = 7;
	o->ins_nir_root = default_oid();
}

/*
 * A referential missing or out of date shows as many claim lines shown with a
 * neutral label. Each kind above FEED_UNLABELLED_WARN of the lines read (and
 * 10 lines at least) is a warning the same hour, not only a count in the
 * report: feed.unlabelled, which dmpremb-run and the journal show.
 */
#define FEED_UNLABELLED_WARN 0.01
static void warn_unlabelled(const struct feed_report *rep)
{
	for (int k = 0; k < FEED_WARNING_KINDS; k++) {
		long n = rep->st.warnings[k];
		if (n >= 10 && (double)n >= FEED_UNLABELLED_WARN * (double)rep->st.lines)
			dr_log(DR_LOG_WARN, "feed.unlabelled", "kind=%s lines=%ld of=%ld (a referential missing"
			       " or out of date? 'dmpremb referentials load', docs/referentials.md)",
			       feed_warning_name(k), n, rep->st.lines);
	}
}

/* The run's counts, with "unlabelled": {"<kind>": N, ...} in the run row */
static void summarize(struct run_summary *s, const struct feed_report *rep, long warnings)
{
	summary_str(s, "as_of", rep->as_of);
	summary_int(s, "planned", rep->plan.total);
	summary_int(s, "first_feeds", rep->plan.first);
	summary_int(s, "selected", rep->selected);
	summary_int(s, "documents", rep->documents);
	summary_int(s, "no_identity", rep->no_identity);
	summary_int(s, "too_large", rep->too_large);
	summary_int(s, "not_feedable", rep->not_feedable);
	summary_int(s, "lines", rep->st.lines);
	summary_int(s, "warnings", warnings);
	summary_int(s, "bytes", rep->bytes);
	summary_int(s, "largest_bytes", rep->max_bytes);
	summary_real(s, "seconds", rep->seconds, 3);
	summary_real(s, "fetch_s", rep->fetch_s, 2);
	summary_real(s, "render_s", rep->render_s, 2);
	summary_real(s, "store_s", rep->store_s, 2);
	summary_real(s, "docs_per_s", rep->seconds > 0 ? (double)rep->documents / rep->seconds : 0.0, 0);
	summary_real(s, "lines_per_s", rep->seconds > 0 ? (double)rep->st.lines / rep->seconds : 0.0, 0);
	summary_bool(s, "stopped", rep->stopped);
	summary_int(s, "events_pending", rep->events_pending);
	summary_int(s, "backfill_skipped", rep->backfill_skipped);
	summary_int(s, "backfill_left", rep->backfill_left);
	summary_object(s, "unlabelled");
	for (int k = 0; k < FEED_WARNING_KINDS; k++)
		summary_int(s, feed_warning_name(k), rep->st.warnings[k]);
	summary_close(s);
}

int cli_feed_finish(struct cli *cli, const struct feed_opts *o, struct feed_report *rep, int rc)
{
	long warnings = 0;

	if (rep->as_of[0] && (rc == 0 || rc == DR_E_DATA || rep->documents > 0))
		print_report(rep, o->dry_run);
	for (int k = 0; k < FEED_WARNING_KINDS; k++)
		warnings += rep->st.warnings[k];
	warn_unlabelled(rep);
	summarize(&cli->sum, rep, warnings);
	/* the figures as of the feed's own instant, like its documents */
	cli->changed = (rc == 0 || rc == DR_E_DATA) && !o->dry_run;
	snprintf(cli->figures_as_of, sizeof(cli->figures_as_of), "%s", rep->as_of);
	return rc;
}

/* A lane's connection (jobs/feed.h): the command's database and role. */
static int open_lane(void *arg, PGconn **out)
{
	return cli_connect_another(arg, out);
}

int cmd_feed(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_FEED_LONGOPTS,
		{ "refresh-days", required_argument, NULL, OPT_REFRESH },
		{ "max-dossiers", required_argument, NULL, OPT_MAX_DOSSIERS },
		{ "ins-c", required_argument, NULL, OPT_INS_C },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	struct feed_opts o;
	struct feed_report rep;
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
		case OPT_INS_C: o.ins_c_file = optarg; break;
		case OPT_REFRESH:
			if ((rc = cli_parse_long("--refresh-days", optarg, 1, 3650, &v)))
				return rc;
			o.sel.refresh_days = (int)v;
			break;
		case OPT_MAX_DOSSIERS:
			if ((rc = cli_parse_long("--max-dossiers", optarg, 1, 1000000000L, &v)))
				return rc;
			o.sel.max_dossiers = v;
			break;
		default:
			rc = cli_common_option(cli, "feed", opt, optarg, feed_usage);
			if (rc)
				return rc > 0 ? DR_OK : rc;
		}
	}
	if (optind != argc)
		return cli_usage_error("feed", "unexpected argument");
	if ((rc = cli_feed_check(cli, &o)) != 0)
		return rc;
	o.quiet = cli->quiet;
	o.sel.mode = o.ins_c_file ? FEED_LISTED : FEED_DUE;

	buf_init(&options, 2048);
	json_begin(&j, &options);
	json_str(&j, "as_of", o.as_of ? "given" : NULL);
	json_bool(&j, "listed", o.ins_c_file != NULL);
	json_int(&j, "refresh_days", o.sel.refresh_days);
	json_int(&j, "max_dossiers", o.sel.max_dossiers);
	json_number(&j, "max_seconds", o.max_seconds);
	snprintf(shard, sizeof(shard), "%d/%d", o.sel.shard_k, o.sel.shard_n);
	json_str(&j, "shard", shard);
	json_int(&j, "jobs", o.jobs);
	json_int(&j, "chunk", o.sel.limit);
	json_int(&j, "max_document_mb", (long long)(o.max_doc_bytes >> 20));
	json_bool(&j, "dry_run", o.dry_run);
	rc = json_end(&j);
	if (rc == 0)
		rc = cli_run_begin(cli, "feed.done", o.dry_run ? "feed-dry-run" : "feed", options.data);
	buf_free(&options);
	if (rc != 0)
		return rc;
	o.connect = open_lane;
	o.connect_arg = cli;
	rc = feed_run(cli->conn, cli->run_id, &o, &rep);
	return cli_feed_finish(cli, &o, &rep, rc);
}

int cmd_render(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ "ins-nir-oid", required_argument, NULL, OPT_OID },
		{ "reason", required_argument, NULL, OPT_FEED_END },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	const char *as_of = NULL, *oid = default_oid(), *reason = NULL;
	struct build_stats st = { 0 };
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_AS_OF:
			if ((rc = cli_parse_as_of("--as-of", optarg)) != 0)
				return rc;
			as_of = optarg;
			break;
		case OPT_OID: oid = optarg; break;
		case OPT_FEED_END:   /* --reason */
			if (optarg[strspn(optarg, " \t")] == '\0')
				return cli_usage_error("render", "--reason must say why");
			reason = optarg;
			break;
		default:
			rc = cli_common_option(cli, "render", opt, optarg, render_usage);
			if (rc)
				return rc > 0 ? DR_OK : rc;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("render", "expected one INS_C");
	if ((rc = check_oid(oid)) != 0 || (rc = cli_connect(cli)) != 0
	    || (rc = cli_run_begin(cli, "render.done", NULL, NULL)) != 0)
		return rc;
	rc = feed_render_one(cli->conn, argv[optind], reason, as_of, oid, stdout, &st);
	long warnings = 0;
	for (int k = 0; k < FEED_WARNING_KINDS; k++)
		warnings += st.warnings[k];
	summary_int(&cli->sum, "lines", st.lines);
	summary_int(&cli->sum, "warnings", warnings);
	summary_bool(&cli->sum, "reason_given", reason != NULL);
	return rc;
}
