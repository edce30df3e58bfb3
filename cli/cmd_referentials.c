/*
 * cli/cmd_referentials.c — `dmpremb referentials load`: replace the ref_*
 * tables from the SNDS nomenclatures and the BDPM files, and print what each
 * file gave.
 */
#include "cli/cli.h"
#include "jobs/referentials.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/err.h"
#include "lib/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char ref_usage[] =
	"usage: dmpremb referentials load [--snds DIR] [--bdpm DIR] [--db CONNINFO]\n"
	"\n"
	"Loads the referentials the documents need into the ref_* tables:\n"
	"  --snds DIR   SNDS nomenclatures: IR_ACT_COD.csv IR_BIO_R.csv IR_CCAM_V63.csv\n"
	"               IR_CMD_V.csv IR_GHS_V.csv IR_NAT_V.csv IR_SPE_V.csv MS_GM9_V.csv\n"
	"               NT_LPP.csv (';', UTF-8, header; columns found by name)\n"
	"  --bdpm DIR   BDPM: CIS_bdpm.txt CIS_CIP_bdpm.txt CIS_COMPO_bdpm.txt\n"
	"               (TAB-separated, CP1252, no header)\n"
	"At least one is required. Every known file found is loaded; other files are\n"
	"ignored with a warning; a known file that is missing is reported and its\n"
	"table kept as it was. All files are loaded in one transaction: each table\n"
	"is replaced whole, and a file that cannot be read (exit 65, naming file,\n"
	"line and column) leaves every table as it was. A code repeated in a file\n"
	"keeps its last record; the others count as duplicates.\n"
	"Prints one line per file: records read, rows loaded, duplicates, skipped\n"
	"(empty code) and repaired (stray tabs, notes after a CCAM code), and a total.\n"
	"\n"
	"Role: dmpremb_ingest.\n"
	"\n";

enum { OPT_SNDS = OPT_COMMON_END, OPT_BDPM };

static int check_dir(const char *flag, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return dr_error(DR_E_NOINPUT, "%s '%s' is not a directory", flag, dir);
	return 0;
}

static void print_report(const struct ref_result *res, int n)
{
	long long t[5] = { 0 };

	printf("%-20s %-16s %9s %9s %10s %8s %8s\n", "file", "table", "records", "loaded",
	       "duplicates", "skipped", "repaired");
	for (int i = 0; i < n; i++) {
		const struct ref_result *r = &res[i];
		if (!r->found) {
			printf("%-20s %-16s %9s\n", r->spec->file, r->spec->table, "missing");
			continue;
		}
		printf("%-20s %-16s %9lld %9lld %10lld %8lld %8lld\n", r->spec->file, r->spec->table,
		       r->counts.records, r->loaded, r->duplicates, r->counts.skipped,
		       r->counts.repaired);
		t[0] += r->counts.records;
		t[1] += r->loaded;
		t[2] += r->duplicates;
		t[3] += r->counts.skipped;
		t[4] += r->counts.repaired;
	}
	printf("%-20s %-16s %9lld %9lld %10lld %8lld %8lld\n", "total", "", t[0], t[1], t[2], t[3], t[4]);
}

static void summarize(struct run_summary *s, const struct ref_result *res, int n)
{
	long long files = 0, records = 0, loaded = 0, dup = 0, skipped = 0, repaired = 0;

	for (int i = 0; i < n; i++) {
		if (!res[i].found)
			continue;
		files++;
		records += res[i].counts.records;
		loaded += res[i].loaded;
		dup += res[i].duplicates;
		skipped += res[i].counts.skipped;
		repaired += res[i].counts.repaired;
	}
	summary_int(s, "files", files);
	summary_int(s, "missing", (long long)n - files);
	summary_int(s, "records", records);
	summary_int(s, "loaded", loaded);
	summary_int(s, "duplicates", dup);
	summary_int(s, "skipped", skipped);
	summary_int(s, "repaired", repaired);
}

int cmd_referentials(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "snds", required_argument, NULL, OPT_SNDS },
		{ "bdpm", required_argument, NULL, OPT_BDPM },
		CLI_COMMON_LONGOPTS,
		{ 0 }
	};
	struct ref_result res[REF_MAX_FILES];
	const char *snds = NULL, *bdpm = NULL;
	struct buf opts;
	struct json j;
	int opt, rc, nres = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == OPT_SNDS) {
			snds = optarg;
			continue;
		}
		if (opt == OPT_BDPM) {
			bdpm = optarg;
			continue;
		}
		rc = cli_common_option(cli, "referentials", opt, optarg, ref_usage);
		if (rc)
			return rc > 0 ? DR_OK : rc;
	}
	if (optind >= argc || strcmp(argv[optind], "load") != 0 || optind + 1 < argc)
		return cli_usage_error("referentials", "expected 'load'");
	if (snds == NULL && bdpm == NULL)
		return cli_usage_error("referentials", "give --snds DIR, --bdpm DIR or both");
	if ((snds && (rc = check_dir("--snds", snds)) != 0) ||
	    (bdpm && (rc = check_dir("--bdpm", bdpm)) != 0))
		return rc;
	buf_init(&opts, 16384);
	json_begin(&j, &opts);
	json_str(&j, "snds", snds);
	json_str(&j, "bdpm", bdpm);
	rc = json_end(&j);
	if (rc == 0)
		rc = cli_run_begin(cli, "referentials.done", "referentials", opts.data);
	buf_free(&opts);
	if (rc == 0) {
		rc = jobs_referentials_load(cli->conn, snds, bdpm, cli->run_id, res, &nres);
		if (rc == 0)
			print_report(res, nres);
		summarize(&cli->sum, res, rc == 0 ? nres : 0);
	}
	return rc;
}
