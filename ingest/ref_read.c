/*
 * ingest/ref_read.c — reading one referential file: value normalisation,
 * record assembly and the dispatch to the SNDS or BDPM reader.
 */
#include "ingest/ref_read.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Drops blanks (space, TAB, CR, LF) at both ends; returns the new length. */
static size_t trim_blanks(const char **s, size_t n)
{
	const char *p = *s;

	while (n && is_blank(*p)) {
		p++;
		n--;
	}
	while (n && is_blank(p[n - 1]))
		n--;
	*s = p;
	return n;
}

/* Label: each run of blanks holding a CR, LF or TAB becomes one space. */
static int put_label(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;
	int rc = 0;

	while (i < n && rc == 0) {
		if (!is_blank(s[i])) {
			rc = buf_putc(out, s[i++]);
			continue;
		}
		size_t j = i;
		bool breaks = false;
		while (j < n && is_blank(s[j]))
			breaks |= s[j++] != ' ';
		rc = breaks ? buf_putc(out, ' ') : buf_append(out, s + i, j - i);
		i = j;
	}
	return rc;
}

/* Strict whole number for an int column: digits only, fits in int32. */
static bool parse_int(const char *s, size_t n, long *v)
{
	long x = 0;

	if (!text_all_digits(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		x = x * 10 + (s[i] - '0');
		if (x > INT32_MAX)
			return false;
	}
	*v = x;
	return true;
}

int ref_value(const struct ref_col *col, const char *raw, size_t n, struct buf *out)
{
	const char *s = raw, *why = NULL;
	size_t start = out->len;
	int cut = 0, rc = 0;
	long v, bad;

	if (col->kind == REF_CODE) {
		for (size_t i = 0; i < n; i++)
			if (s[i] == '\r' || s[i] == '\n') {
				n = i;
				cut = 2;
			}
	}
	n = trim_blanks(&s, n);
	if (col->kind != REF_LABEL && n > 0 && (bad = text_utf8_check(s, n, false, &why)) >= 0)
		return dr_error(DR_E_DATA, "%s at byte %ld", why, bad + 1);
	switch (col->kind) {
	case REF_CODE:
		rc = buf_append(out, s, n);
		break;
	case REF_DIGITS:
		if (n > 0 && (!text_all_digits(s, n) || (col->len && n != col->len)))
			return col->len
				? dr_error(DR_E_DATA, "not %d digits", col->len)
				: dr_error(DR_E_DATA, "not a string of digits");
		rc = buf_append(out, s, n);
		break;
	case REF_INT:
		if (n > 0 && !parse_int(s, n, &v))
			return dr_error(DR_E_DATA, "not a whole number from 0 to %ld", (long)INT32_MAX);
		if (n > 0)
			rc = buf_printf(out, "%ld", v);
		break;
	case REF_LABEL:
		rc = put_label(s, n, out);
		if (rc == 0 && (bad = text_utf8_check(out->data + start, out->len - start,
						      false, &why)) >= 0) {
			out->len = start;
			return dr_error(DR_E_DATA, "%s", why);
		}
		break;
	}
	if (rc == 0)
		rc = buf_putc(out, '\0');
	if (rc)
		return dr_error(DR_E_DATA, "record longer than %d bytes", REF_RECORD_MAX);
	return n == 0 ? 1 : cut;
}

void ref_rec_init(struct ref_rec *rec)
{
	buf_init(&rec->vals, REF_RECORD_MAX);
	ref_rec_reset(rec);
}

void ref_rec_reset(struct ref_rec *rec)
{
	buf_reset(&rec->vals);
	for (int i = 0; i < REF_MAX_COLS; i++)
		rec->off[i] = -1;
	rec->skip = false;
	rec->repaired = false;
}

void ref_rec_free(struct ref_rec *rec)
{
	buf_free(&rec->vals);
}

static void where_describe(const void *arg, char *out, size_t n)
{
	const struct ref_where *w = arg;

	if (*w->line <= 0)
		return;
	if (w->column)
		snprintf(out, n, "%s line %ld, column %s", w->path, *w->line, w->column);
	else if (w->field > 0)
		snprintf(out, n, "%s line %ld, field %d", w->path, *w->line, w->field);
	else
		snprintf(out, n, "%s line %ld", w->path, *w->line);
}

void ref_where_push(struct ref_where *w, const char *path, const long *line)
{
	w->path = path;
	w->line = line;
	w->column = NULL;
	w->field = 0;
	w->ctx.describe = where_describe;
	w->ctx.arg = w;
	dr_errctx_push(&w->ctx);
}

int ref_rec_put(struct ref_rec *rec, const struct ref_spec *spec, int i,
		const char *raw, size_t n, long line)
{
	const struct ref_col *col = &spec->cols[i];
	long off = (long)rec->vals.len;
	int rc = ref_value(col, raw, n, &rec->vals);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (col->required && !rec->skip)
			dr_log(DR_LOG_WARN, "referentials.skipped", "file=%s line=%ld column=%s why=empty",
			       spec->file, line, col->name);
		rec->skip |= col->required;
		return 0;
	}
	if (rc == 2) {
		dr_log(DR_LOG_WARN, "referentials.repaired", "file=%s line=%ld column=%s"
		       " why=\"text after a line break in a code dropped\"", spec->file, line, col->name);
		rec->repaired = true;
	}
	rec->off[i] = off;
	return 0;
}

int ref_rec_emit(struct ref_rec *rec, const struct ref_spec *spec, ref_row_fn fn, void *arg,
		 long line, struct ref_counts *counts)
{
	const char *values[REF_MAX_COLS];
	int rc = 0;

	counts->records++;
	counts->repaired += rec->repaired;
	if (rec->skip) {
		counts->skipped++;
	} else {
		for (int i = 0; i < spec->ncols; i++)
			values[i] = rec->off[i] < 0 ? NULL : rec->vals.data + rec->off[i];
		rc = fn(arg, values, line);
	}
	ref_rec_reset(rec);
	return rc;
}

int ref_read(const struct ref_spec *spec, const char *path, ref_row_fn fn, void *arg,
	     struct ref_counts *out)
{
	struct lines lines;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = lines_open(&lines, path, REF_LINE_MAX, LINES_REFUSE);
	if (rc == 0)
		rc = spec->source == REF_SNDS ? ref_read_snds(spec, &lines, fn, arg, out)
					      : ref_read_bdpm(spec, &lines, fn, arg, out);
	out->bytes = lines.bytes;
	lines_close(&lines, out->sha256);
	return rc;
}
