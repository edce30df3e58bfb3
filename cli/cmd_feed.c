/*
 * cli/cmd_feed.c — `dmpremb feed` (store documents) and `dmpremb render` (print one).
 */
#include "cli/cli.h"
#include "lib/err.h"
#include "lib/log.h"
#include "transform/doc_model.h"
#include "transform/feed.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const char feed_usage[] =
	"usage: dmpremb feed [--as-of TIMESTAMP] [--ins-c FILE|-] [--jobs N] [--chunk N] [--dry-run]\n"
	"                    [--ins-nir-oid OID]\n"
	"\n"
	"Builds the CNAM-HR 2021.01 'Donnees de remboursement' document of every open\n"
	"dossier without an objection (or of the INS-Cs listed in FILE, one per line)\n"
	"and stores it as the dossier's next version, with its trace 'Assurance\n"
	"Maladie a ajoute / a modifie : Donnees de remboursement'.\n"
	"\n"
	"The document shows the claim lines whose care date lies in the 24 months\n"
	"before the generation time (both ends included), netted, with labels from\n"
	"the loaded referentials (docs/documents.md).\n"
	"\n"
	"Dossiers are done by chunks, one transaction each. A dossier whose latest\n"
	"version was generated at or after --as-of is skipped: after a crash or an\n"
	"interruption, run the same command with the --as-of the log printed\n"
	"(feed.start) to finish without writing any version twice.\n"
	"\n"
	"  --as-of TIMESTAMP   generation time (default: now), e.g. 2026-11-15T10:00:00+01:00\n"
	"  --ins-c FILE        only these dossiers ('-' = stdin); blank lines and # comments\n"
	"                      are ignored; a line that is not an INS-C is reported by\n"
	"                      number and skipped (exit 65 at the end)\n"
	"  --jobs N            render threads (default: number of cores)\n"
	"  --chunk N           dossiers per transaction (default 200)\n"
	"  --dry-run           build and render everything, store nothing\n"
	"  --ins-nir-oid OID   root of the INS-NIR identifier: 1.2.250.1.213.1.4.8 in\n"
	"                      production, 1.2.250.1.213.1.4.10 (default) for test data;\n"
	"                      environment DMPREMB_INS_NIR_OID\n"
	"\n"
	"Role: dmpremb_feed.\n"
	"\n";

static const char render_usage[] =
	"usage: dmpremb render INS_C [--as-of TIMESTAMP] [--ins-nir-oid OID]\n"
	"\n"
	"Prints on stdout the document 'dmpremb feed' would store now for this\n"
	"dossier, with the next version number; stores nothing. It reads the claim\n"
	"lines, the identity, the referentials and the version numbers, never a\n"
	"stored document. Options as for feed.\n"
	"\n"
	"Role: dmpremb_feed.\n"
	"\n";

enum { OPT_AS_OF = 1, OPT_INS_C, OPT_JOBS, OPT_CHUNK, OPT_DRY_RUN, OPT_OID };

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
	static const char *const names[DOC_SECTIONS] = {
		"Médicaments", "Vaccinations", "Dispositifs médicaux", "Hospitalisations",
		"Soins médicaux et dentaires", "Radiologie", "Biologie",
	};
	printf("feed as of %s, window %s .. %s%s\n", r->as_of, r->lo, r->hi,
	       dry_run ? " (dry run: nothing stored)" : "");
	if (r->listed || r->bad_list_lines)
		printf("  listed INS-Cs          %10ld  (%ld bad lines)\n", r->listed, r->bad_list_lines);
	printf("  dossiers selected      %10ld\n", r->selected);
	printf("  documents %-12s %10ld  in %ld transactions\n", dry_run ? "rendered" : "stored",
	       r->documents, r->chunks);
	printf("  skipped, no identity   %10ld\n", r->no_identity);
	printf("  claim lines read       %10ld  (%ld folded by netting)\n", r->st.lines, r->st.netted_out);
	for (int s = 0; s < DOC_SECTIONS; s++)
		printf("  rows %-27s %10ld\n", names[s], r->st.rows[s]);
	for (int k = 0; k < BW_KINDS; k++)
		if (r->st.warnings[k])
			printf("  warning %-22s %10ld  (code shown with a neutral label)\n",
			       build_warning_names[k], r->st.warnings[k]);
	printf("  XML bytes              %10lld  (average %lld, largest %ld)\n", r->bytes,
	       r->documents ? r->bytes / r->documents : 0, r->max_bytes);
	printf("  seconds                %10.1f  (%.0f documents/s, %.0f lines/s)\n", r->seconds,
	       r->seconds > 0 ? (double)r->documents / r->seconds : 0.0,
	       r->seconds > 0 ? (double)r->st.lines / r->seconds : 0.0);
	printf("    reading %.1f s, building and rendering %.1f s, storing %.1f s\n", r->fetch_s,
	       r->render_s, r->store_s);
}

int cmd_feed(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ "ins-c", required_argument, NULL, OPT_INS_C },
		{ "jobs", required_argument, NULL, OPT_JOBS },
		{ "chunk", required_argument, NULL, OPT_CHUNK },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "ins-nir-oid", required_argument, NULL, OPT_OID },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	struct feed_opts o = { .jobs = omp_get_num_procs(), .chunk = 200, .ins_nir_root = default_oid() };
	struct feed_report rep;
	char options[512], counts[768];
	long v;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_AS_OF: o.as_of = optarg; break;
		case OPT_INS_C: o.ins_c_file = optarg; break;
		case OPT_DRY_RUN: o.dry_run = true; break;
		case OPT_OID: o.ins_nir_root = optarg; break;
		case OPT_JOBS:
			if ((rc = cli_parse_long("--jobs", optarg, 1, 256, &v)))
				return rc;
			o.jobs = (int)v;
			break;
		case OPT_CHUNK:
			if ((rc = cli_parse_long("--chunk", optarg, 1, 100000, &v)))
				return rc;
			o.chunk = (int)v;
			break;
		default:
			rc = cli_common_option(cli, "feed", opt, optarg, feed_usage);
			if (rc)
				return rc > 0 ? DR_OK : rc;
		}
	}
	if (optind != argc)
		return cli_usage_error("feed", "unexpected argument");
	if ((rc = check_oid(o.ins_nir_root)) != 0)
		return rc;

	snprintf(options, sizeof(options),
		 "{\"as_of\": %s%s%s, \"listed\": %s, \"jobs\": %d, \"chunk\": %d, \"dry_run\": %s}",
		 o.as_of ? "\"" : "", o.as_of ? "given" : "null", o.as_of ? "\"" : "",
		 o.ins_c_file ? "true" : "false", o.jobs, o.chunk, o.dry_run ? "true" : "false");
	if ((rc = cli_run_start(cli, o.dry_run ? "feed-dry-run" : "feed", options)) != 0)
		return rc;
	rc = feed_run(cli->conn, cli->run_id, &o, &rep);
	if (rep.as_of[0] && (rc == 0 || rc == DR_E_DATA || rep.documents > 0))
		print_report(&rep, o.dry_run);

	long warnings = 0;
	for (int k = 0; k < BW_KINDS; k++)
		warnings += rep.st.warnings[k];
	snprintf(counts, sizeof(counts),
		 "{\"as_of\": \"%s\", \"selected\": %ld, \"documents\": %ld, \"no_identity\": %ld,"
		 " \"lines\": %ld, \"warnings\": %ld, \"bytes\": %lld, \"seconds\": %.3f}",
		 rep.as_of, rep.selected, rep.documents, rep.no_identity, rep.st.lines, warnings, rep.bytes,
		 rep.seconds);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	dr_log(rc ? DR_LOG_ERROR : DR_LOG_INFO, "feed.done",
	       "status=%s as_of=\"%s\" selected=%ld documents=%ld no_identity=%ld lines=%ld warnings=%ld"
	       " bytes=%lld seconds=%.2f fetch_s=%.2f render_s=%.2f store_s=%.2f docs_per_s=%.0f"
	       " lines_per_s=%.0f max_rss_kb=%ld",
	       dr_status_name(rc), rep.as_of, rep.selected, rep.documents, rep.no_identity, rep.st.lines,
	       warnings, rep.bytes, rep.seconds, rep.fetch_s, rep.render_s, rep.store_s, rep.seconds > 0 ? (double)rep.documents / rep.seconds : 0.0,
	       rep.seconds > 0 ? (double)rep.st.lines / rep.seconds : 0.0, ru.ru_maxrss);
	cli_run_finish(cli, rc, counts, dr_errmsg());
	return rc;
}

int cmd_render(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ "ins-nir-oid", required_argument, NULL, OPT_OID },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	const char *as_of = NULL, *oid = default_oid();
	struct build_stats st = { 0 };
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_AS_OF: as_of = optarg; break;
		case OPT_OID: oid = optarg; break;
		default:
			rc = cli_common_option(cli, "render", opt, optarg, render_usage);
			if (rc)
				return rc > 0 ? DR_OK : rc;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("render", "expected one INS_C");
	if ((rc = check_oid(oid)) != 0 || (rc = cli_connect(cli)) != 0)
		return rc;
	rc = feed_render_one(cli->conn, argv[optind], as_of, oid, stdout, &st);
	long warnings = 0;
	for (int k = 0; k < BW_KINDS; k++)
		warnings += st.warnings[k];
	if (rc == 0)
		dr_log(DR_LOG_INFO, "render.done", "lines=%ld warnings=%ld", st.lines, warnings);
	return rc;
}
