/*
 * jobs/insc.c — `dmpremb insc`: 'prenom;AAMMJJ;NIR13' lines to INS-Cs.
 *
 *   lines (lib/lines.c) --split on ';' --check fields (ingest/fields.c)-->
 *   insc_compute (ingest/insc.c) --> the command's callback
 *
 * No database, no transaction: a kill leaves the lines already written.
 * SIGINT/SIGTERM stops before the next line.
 */
#include "jobs/insc.h"
#include "ingest/fields.h"
#include "ingest/insc.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/lines.h"
#include "lib/text.h"

#include <string.h>
#include <strings.h>

#define INSC_LINE_MAX 4096

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

int jobs_insc(const char *path, jobs_insc_fn fn, void *arg, long *data, long *bad)
{
	struct lines in;
	bool first = true;
	int rc = lines_open(&in, path, INSC_LINE_MAX, LINES_CUT);

	*data = *bad = 0;
	if (rc) {
		lines_close(&in, NULL);
		return rc;
	}
	while ((rc = lines_next(&in)) == 1) {
		const char *field = NULL, *why = "line is longer than 4096 bytes";
		char out[23];

		if (dr_interrupted()) {
			rc = dr_error(DR_E_INTERRUPTED, "interrupted after %ld lines", *data);
			break;
		}
		if (lines_blank(&in))
			continue;
		if (first && in.len >= 6 && strncasecmp(in.text, "prenom", 6) == 0) {
			first = false;
			continue;
		}
		first = false;
		(*data)++;
		if (!in.too_long && insc_line(in.text, in.len, out, &field, &why) == 0) {
			fn(arg, in.lineno, out, NULL, NULL);
			continue;
		}
		(*bad)++;
		fn(arg, in.lineno, NULL, field, why);
	}
	lines_close(&in, NULL);
	return rc < 0 ? rc : 0;
}
