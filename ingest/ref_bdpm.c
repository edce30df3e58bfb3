/*
 * ingest/ref_bdpm.c — BDPM reader (TAB-separated, CP1252, no header, no quoting).
 *
 *   lines --line--> split at TAB --> drop trailing empty fields
 *     --> repair stray tabs --> CP1252 to UTF-8 --> ref_rec_put --> ref_rec_emit
 *
 * Fields are taken as they are: a '"' is a character like any other (the
 * files hold names such as STEROGYL 15 "A"), so no CSV parser is used.
 * Lines end with CRLF in some files and LF in others; lib/lines.c takes both.
 * Lines often end with a TAB (an empty last field): empty fields beyond the
 * expected count are dropped. A few CIS_COMPO lines carry stray TABs right
 * after the substance name (empty fields inserted there); when the surplus
 * fields at that place are all empty they are dropped and the record counts
 * as repaired, with a warning giving the line. Any other field count is an
 * error naming the line.
 */
#include "ingest/ref_read.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/text.h"

#include <string.h>

#define BDPM_MAX_FIELDS 64

struct field {
	const char *s;
	size_t n;
};

/* Splits s[0..n) at TABs; returns the field count or -1 when too many. */
static int split(const char *s, size_t n, struct field *f)
{
	int nf = 0;
	const char *end = s + n, *p = s;

	for (;;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		if (nf == BDPM_MAX_FIELDS)
			return -1;
		f[nf].s = p;
		f[nf].n = (size_t)((tab ? tab : end) - p);
		nf++;
		if (tab == NULL)
			return nf;
		p = tab + 1;
	}
}

/*
 * Brings the fields to spec->nfields: drops trailing empty fields, then
 * surplus empty fields after spec->repair_after. Returns the new count
 * (which may still differ from nfields); *repaired gets how many stray
 * fields were dropped.
 */
static int fit(const struct ref_spec *spec, struct field *f, int nf, int *repaired)
{
	int at = spec->repair_after + 1, surplus;

	*repaired = 0;
	while (nf > spec->nfields && f[nf - 1].n == 0)
		nf--;
	surplus = nf - spec->nfields;
	if (surplus <= 0 || spec->repair_after < 0)
		return nf;
	for (int k = at; k < at + surplus; k++)
		if (f[k].n != 0)
			return nf;
	memmove(f + at, f + at + surplus, (size_t)(nf - at - surplus) * sizeof(*f));
	*repaired = surplus;
	return nf - surplus;
}

/* Name of field position k (official BDPM column name). */
static const char *field_name(const struct ref_spec *spec, int k)
{
	return spec->field_names && k < spec->nfields ? spec->field_names[k] : "?";
}

/* One non-blank line: fields to values, then the callback. Its messages get
 * the line and column from *at, the reader's frame (ref_read_bdpm). */
static int record(const struct ref_spec *spec, const char *s, size_t n, long line,
		  struct ref_where *at, struct ref_rec *rec, struct buf *utf8,
		  ref_row_fn fn, void *arg, struct ref_counts *counts)
{
	struct field f[BDPM_MAX_FIELDS];
	int nf = split(s, n, f), repaired, rc;

	if (nf < 0)
		return dr_error(DR_E_DATA, "more than %d fields", BDPM_MAX_FIELDS);
	nf = fit(spec, f, nf, &repaired);
	if (nf < spec->nfields) {
		at->column = field_name(spec, nf);
		rc = dr_error(DR_E_DATA, "missing (%d fields, %d expected)", nf, spec->nfields);
		at->column = NULL;
		return rc;
	}
	if (nf > spec->nfields)
		return dr_error(DR_E_DATA, "%d fields, %d expected", nf, spec->nfields);
	if (repaired) {
		dr_log(DR_LOG_WARN, "referentials.repaired", "file=%s line=%ld"
		       " why=\"stray empty fields dropped\" extra_fields=%d",
		       spec->file, line, repaired);
		rec->repaired = true;
	}
	for (int i = 0; i < spec->ncols; i++) {
		const struct field *v = &f[spec->cols[i].pos];

		buf_reset(utf8);
		at->column = spec->cols[i].name;
		if (text_cp1252_to_utf8_lenient(v->s, v->n, utf8) != 0)
			rc = dr_error(DR_E_DATA, "longer than %d bytes", REF_RECORD_MAX);
		else
			rc = ref_rec_put(rec, spec, i, utf8->data ? utf8->data : "", utf8->len, line);
		at->column = NULL;
		if (rc)
			return rc;
	}
	return ref_rec_emit(rec, spec, fn, arg, line, counts);
}

int ref_read_bdpm(const struct ref_spec *spec, struct lines *lines, ref_row_fn fn,
		  void *arg, struct ref_counts *counts)
{
	struct ref_rec rec;
	struct ref_where at;
	struct buf utf8;
	long line = 0;      /* of the record being read; 0 between records */
	int rc;

	ref_rec_init(&rec);
	buf_init(&utf8, REF_RECORD_MAX);
	ref_where_push(&at, lines->name, &line);
	while ((rc = lines_next(lines)) == 1) {
		if (lines->len == 0)
			continue;    /* a blank line holds no record */
		line = lines->lineno;
		rc = record(spec, lines->text, lines->len, line, &at, &rec, &utf8, fn, arg, counts);
		line = 0;
		if (rc)
			break;
	}
	dr_errctx_pop(&at.ctx);
	ref_rec_free(&rec);
	buf_free(&utf8);
	return rc;
}
