/*
 * cli/cmd_insc.c — `dmpremb insc`: INS-C of 'prenom;AAMMJJ;NIR13' lines.
 *
 *   stdin --jobs/insc.c: lines, fields checked, insc_compute--> stdout
 *
 * One output line per input data line, in order, so the output can be pasted
 * beside the input: a refused line gives an empty output line and a message
 * on stderr naming its line number and field (never the value). No database.
 */
#include "cli/cli.h"
#include "jobs/insc.h"
#include "lib/err.h"

#include <stdio.h>

static const char insc_usage[] =
	"usage: dmpremb insc < FILE\n"
	"\n"
	"Reads 'prenom;AAMMJJ;NIR13' lines (UTF-8, LF or CRLF) on standard input\n"
	"and writes one 22-digit INS-C per line on standard output, as ASIP Sante\n"
	"specified it: first name without accents and non-letters, cut or padded\n"
	"to 10; birth date as given (00 and out-of-range days are legal); NIR\n"
	"without its key, 2A/2B kept. An optional first line starting with\n"
	"'prenom' is a header; blank lines are skipped. A first name with no\n"
	"letter counts as ten spaces, as in the official test sample.\n"
	"\n"
	"A line that cannot be computed gets an empty output line and a message\n"
	"on standard error with its line number and field; the other lines are\n"
	"still computed, and the exit status is then 65. No database is used.\n"
	"\n";

/* one output line per data line; a refused one: empty, and a message */
static void print_line(void *arg, long lineno, const char *insc, const char *field, const char *why)
{
	(void)arg;
	if (insc) {
		puts(insc);
		return;
	}
	putchar('\n');
	fprintf(stderr, "dmpremb insc: line %ld: %s%s%s\n", lineno, field ? field : "", field ? " " : "", why);
}

int cmd_insc(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONGOPTS, { 0 } };
	long data = 0, bad = 0;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == OPT_HELP) {   /* insc connects to nothing: no --db in its help */
			fputs(insc_usage, stdout);
			fputs(CLI_LOCAL_USAGE, stdout);
			return DR_OK;
		}
		if (opt == OPT_DB)
			return cli_usage_error("insc", "insc reads standard input and connects to no database: no --db");
		rc = cli_common_option(cli, "insc", opt, optarg, insc_usage);
		if (rc)
			return rc > 0 ? DR_OK : rc;
	}
	if (optind < argc)
		return cli_usage_error("insc", "no argument expected: lines are read on standard input");

	if ((rc = jobs_insc("-", print_line, NULL, &data, &bad)) != 0)
		return rc;
	if (bad)
		return dr_error(DR_E_DATA, "%ld of %ld lines refused", bad, data);
	return DR_OK;
}
