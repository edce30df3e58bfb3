/*
 * cli/cmd_ingest.c — `dmpremb ingest BATCH_DIR`: verify, validate, load a batch.
 */
#include "cli/cli.h"
#include "jobs/ingest.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/reports.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ingest_usage[] =
	"usage: dmpremb ingest BATCH_DIR [--max-reject-ratio R] [--force] [--dry-run] [--jobs N]\n"
	"\n"
	"Loads one batch of claim extracts (a directory with manifest.csv and the\n"
	"CSV files of the contract) in one transaction: all or nothing.\n"
	"\n"
	"  1. manifest.csv is checked first: a missing or extra file, a wrong SHA-256\n"
	"     or line count refuses the whole batch (exit 65, nothing written);\n"
	"  2. every line is validated (docs/validation.md) and ends loaded, duplicate,\n"
	"     filtered (by rule; DOSSIER_SUPPRIME: the person's dossier is deleted)\n"
	"     or rejected (by reason, with file, line and column);\n"
	"  3. a file whose rejected/read ratio exceeds R refuses the batch: its report\n"
	"     and rejects are kept, nothing else is applied (exit 65).\n"
	"Ingesting a batch that was applied before changes nothing (exit 0).\n"
	"\n"
	"  --max-reject-ratio R  highest tolerated rejected/read ratio per file\n"
	"                        (default 0.01)\n"
	"  --force               apply the batch even above the ratio\n"
	"  --dry-run             check and parse only; no database needed (counts\n"
	"                        then ignore duplicates, unknown persons and\n"
	"                        deleted dossiers)\n"
	"  --jobs N              parser threads (default: number of cores)\n"
	"\n"
	"Role: dmpremb_ingest.\n"
	"\n";

/* What the operator needs to act, without any value from the data. */
static void print_rejects(struct cli *cli, long long batch_id)
{
	struct ingest_rejects r;

	if (jobs_ingest_rejects(cli->conn, batch_id, &r) != 0)
		return;
	if (r.ngroups > 0)
		printf("\nrejects by reason:\n");
	for (int i = 0; i < r.ngroups; i++)
		printf("  %-22s %-16s %8lld\n", r.groups[i].file, r.groups[i].code, r.groups[i].n);
	if (r.nfirst > 0)
		printf("\nfirst rejects (all in dmpremb.reject, batch %lld):\n", batch_id);
	for (int i = 0; i < r.nfirst; i++)
		printf("  %s:%lld  %s  %s\n", r.first[i].file, r.first[i].line, r.first[i].column, r.first[i].reason);
}

static void print_report(const struct ingest_report *rep, bool dry_run)
{
	long t[5] = { 0 };

	printf("batch %s%s\n", rep->label, dry_run ? " (dry run: nothing written)" : "");
	printf("  %-22s %10s %10s %10s %10s %10s\n", "file", "read", "loaded", "filtered", "rejected",
	       "duplicate");
	for (int i = 0; i < rep->nfiles; i++) {
		const struct ingest_file_report *f = &rep->f[i];
		printf("  %-22s %10ld %10ld %10ld %10ld %10ld\n", f->name, f->read, f->loaded, f->filtered,
		       f->rejected, f->duplicate);
		t[0] += f->read; t[1] += f->loaded; t[2] += f->filtered; t[3] += f->rejected; t[4] += f->duplicate;
	}
	printf("  %-22s %10ld %10ld %10ld %10ld %10ld\n", "total", t[0], t[1], t[2], t[3], t[4]);
	for (int i = 0; i < rep->nfiles; i++)
		for (int k = 0; k < jobs_ingest_nrules(); k++)
			if (rep->f[i].by_rule[k])
				printf("  filtered %s %s: %ld\n", rep->f[i].name, jobs_ingest_rule_name(k),
				       rep->f[i].by_rule[k]);
	if (dry_run)
		for (int i = 0; i < rep->nfiles; i++)
			for (int k = 0; k < jobs_ingest_nreasons(); k++)
				if (rep->f[i].by_reason[k])
					printf("  rejected %s %s: %ld\n", rep->f[i].name, jobs_ingest_reason_name(k),
					       rep->f[i].by_reason[k]);
}

int cmd_ingest(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max-reject-ratio", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		CLI_COMMON_LONGOPTS, { 0 }
	};
	struct ingest_opts o = { .max_reject_ratio = 0.01, .jobs = omp_get_num_procs() };
	struct ingest_report rep;
	PGconn *side = NULL;   /* commits the new monthly partitions on its own */
	struct buf opts;
	struct json j;
	long jobs;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rc = cli_parse_double("--max-reject-ratio", optarg, 0.0, 1.0, &o.max_reject_ratio);
			if (rc)
				return rc;
			break;
		case 'f': o.force = true; break;
		case 'n': o.dry_run = true; break;
		case 'j':
			rc = cli_parse_long("--jobs", optarg, 1, 256, &jobs);
			if (rc)
				return rc;
			o.jobs = (int)jobs;
			break;
		default:
			rc = cli_common_option(cli, "ingest", opt, optarg, ingest_usage);
			if (rc)
				return rc > 0 ? DR_OK : rc;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("ingest", "expected one BATCH_DIR");
	o.dir = argv[optind];
	o.quiet = cli->quiet;

	buf_init(&opts, 1024);
	json_begin(&j, &opts);
	json_number(&j, "max_reject_ratio", o.max_reject_ratio);
	json_bool(&j, "force", o.force);
	json_bool(&j, "dry_run", o.dry_run);
	json_int(&j, "jobs", o.jobs);
	rc = json_end(&j);
	if (rc) {
		buf_free(&opts);
		return rc;
	}
	rc = cli_run_begin(cli, "ingest.done", o.dry_run ? NULL : "ingest", opts.data);
	if (rc == 0 && !o.dry_run)
		rc = cli_connect_another(cli, &side);
	if (rc) {
		buf_free(&opts);
		cli_disconnect(side);
		return rc;
	}
	buf_free(&opts);
	rc = jobs_ingest(cli->conn, side, cli->run_id, &o, &rep);
	cli_disconnect(side);
	if (rc == 0 && !o.dry_run)
		dr_killpoint("ingest-after-commit");
	if (rc == 0 && rep.already_applied) {
		printf("batch %s was already applied (batch %lld): nothing to do\n", rep.label, rep.batch_id);
		dr_log(DR_LOG_INFO, "ingest.already", "batch_id=%lld", rep.batch_id);
	} else if (rc == 0) {
		print_report(&rep, o.dry_run);
		if (!o.dry_run)
			print_rejects(cli, rep.batch_id);
		if (rep.refused && o.dry_run) {
			printf("\nbatch would be REFUSED: %s rejects %.2f%% of its lines (limit %.2f%%).\n"
			       "Fix the extract upstream, or apply it anyway with --force.\n",
			       rep.refused_file, rep.refused_ratio * 100, o.max_reject_ratio * 100);
			rc = dr_error(DR_E_DATA, "dry run: the batch would be refused: %s rejects %.2f%% of its lines,"
				      " above %.2f%%", rep.refused_file, rep.refused_ratio * 100, o.max_reject_ratio * 100);
		} else if (rep.refused) {
			printf("\nbatch %lld REFUSED: %s rejects %.2f%% of its lines (limit %.2f%%); nothing applied.\n"
			       "Fix the extract upstream, or apply it anyway with --force.\n",
			       rep.batch_id, rep.refused_file, rep.refused_ratio * 100, o.max_reject_ratio * 100);
			rc = dr_error(DR_E_DATA, "batch refused: %s rejects %.2f%% of its lines, above %.2f%%",
				      rep.refused_file, rep.refused_ratio * 100, o.max_reject_ratio * 100);
		} else if (!o.dry_run) {
			printf("\nbatch %lld applied in %.1f s\n", rep.batch_id, rep.seconds);
		}
	}
	long t[5] = { 0 };
	if (rep.rolled_back)  /* what was read, and nothing written: not the counts it would have had */
		for (int i = 0; i < rep.nfiles; i++)
			rep.f[i].loaded = rep.f[i].filtered = rep.f[i].rejected = rep.f[i].duplicate = 0;
	for (int i = 0; i < rep.nfiles; i++) {
		t[0] += rep.f[i].read; t[1] += rep.f[i].loaded; t[2] += rep.f[i].filtered;
		t[3] += rep.f[i].rejected; t[4] += rep.f[i].duplicate;
		dr_log(DR_LOG_INFO, "ingest.file", "file=%s read=%ld loaded=%ld filtered=%ld rejected=%ld duplicate=%ld",
		       rep.f[i].name, rep.f[i].read, rep.f[i].loaded, rep.f[i].filtered, rep.f[i].rejected,
		       rep.f[i].duplicate);
	}
	struct run_summary *sum = &cli->sum;
	summary_bool(sum, "rolled_back", rep.rolled_back);
	summary_int(sum, "read", t[0]);
	summary_int(sum, "loaded", t[1]);
	summary_int(sum, "filtered", t[2]);
	summary_int(sum, "rejected", t[3]);
	summary_int(sum, "duplicate", t[4]);
	summary_real(sum, "seconds", rep.seconds, 3);
	summary_real(sum, "lines_per_s", rep.seconds > 0 ? (double)t[0] / rep.seconds : 0.0, 0);
	if (rep.batch_id > 0 && !rep.rolled_back)   /* no batch row: a dry run, or one rolled back */
		summary_int(sum, "batch_id", rep.batch_id);
	cli->changed = rc == 0 && !o.dry_run && !rep.already_applied;
	return rc;
}
