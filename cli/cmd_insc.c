/*
 * cli/cmd_insc.c — `dmpremb insc`: INS-C of 'prenom;AAMMJJ;NIR13' lines.
 *
 *   stdin --lines--> split on ';' --check fields--> insc_compute --> stdout
 *
 * One output line per input data line, in order, so the output can be pasted
 * beside the input: a refused line gives an empty output line and a message
 * on stderr naming its line number and field (never the value). No database.
 */
#include "cli/cli.h"
#include "ingest/fields.h"
#include "ingest/insc.h"
#include "lib/lines.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/text.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define INSC_LINE_MAX 4096

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

/*
 * Computes the INS-C of one data line into out; returns 0, or -1 with
 * *why (and *field, NULL for the line as a whole) naming what is wrong,
 * never the value.
 */
static int insc_line(const char *s, size_t n, char out[23], const char **field, const char **why)
{
	struct lines_field f[3];
	const char *date, *nir;
	size_t nf = lines_split(s, n, ';', f, 3);
	size_t date_len, nir_len;
	char date6[7], nir13[14];

	*field = NULL;
	if (nf != 3) {
		*why = "line does not have 3 fields (prenom;AAMMJJ;NIR13)";
		return -1;
	}
	*field = "prenom";
	if (text_utf8_check(f[0].s, f[0].n, true, why) >= 0) {
		*why = "is not valid UTF-8 text";
		return -1;
	}
	date = f[1].s;
	date_len = text_trim(&date, f[1].n);
	*field = "AAMMJJ";
	if (date_len != 6 || !text_all_digits(date, 6)) {
		*why = "is not 6 digits";
		return -1;
	}
	nir = f[2].s;
	nir_len = text_trim(&nir, f[2].n);
	*field = "NIR13";
	if (field_nir(nir, nir_len, why) != 0)
		return -1;
	memcpy(date6, date, 6);
	date6[6] = '\0';
	memcpy(nir13, nir, 13);
	nir13[13] = '\0';
	*field = NULL;
	return insc_compute(f[0].s, f[0].n, date6, nir13, out, why);
}

int cmd_insc(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONGOPTS, { 0 } };
	struct lines in;
	long data = 0, bad = 0;
	bool first = true;
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

	rc = lines_open(&in, "-", INSC_LINE_MAX, LINES_CUT);
	if (rc) {
		lines_close(&in, NULL);
		return rc;
	}
	while ((rc = lines_next(&in)) == 1) {
		const char *field = NULL, *why = "line is longer than 4096 bytes";
		char out[23];

		if (dr_interrupted()) {
			rc = dr_error(DR_E_INTERRUPTED, "interrupted after %ld lines", data);
			break;
		}
		if (lines_blank(&in))
			continue;
		if (first && in.len >= 6 && strncasecmp(in.text, "prenom", 6) == 0) {
			first = false;
			continue;
		}
		first = false;
		data++;
		if (!in.too_long && insc_line(in.text, in.len, out, &field, &why) == 0) {
			puts(out);
			continue;
		}
		bad++;
		putchar('\n');
		fprintf(stderr, "dmpremb insc: line %ld: %s%s%s\n", in.lineno,
			field ? field : "", field ? " " : "", why);
	}
	lines_close(&in, NULL);
	if (rc < 0)
		return rc;
	if (bad)
		return dr_error(DR_E_DATA, "%ld of %ld lines refused", bad, data);
	return DR_OK;
}
