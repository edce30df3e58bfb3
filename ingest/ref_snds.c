/*
 * ingest/ref_snds.c — SNDS nomenclature reader (libcsv, ';', UTF-8, header).
 *
 *   lines --line + "\n"--> csv_parse --field--> kept? ref_rec_put
 *                                        --record end--> ref_rec_emit
 *
 * Each physical line is fed to libcsv on its own, so the reader knows the
 * line a record starts on even when a quoted field holds line breaks (as in
 * IR_CCAM_V63). libcsv runs in strict mode (a quote inside an unquoted field,
 * or text after a closing quote, is an error) and with a space function that
 * trims nothing: inner spaces of codes such as "A   F" are data.
 * Columns are matched by header name; other columns are ignored.
 */
#include "ingest/ref_read.h"
#include "lib/err.h"

#include <csv.h>
#include <stdio.h>
#include <string.h>

struct snds {
	const struct ref_spec *spec;
	const char *path;
	ref_row_fn fn;
	void *arg;
	struct ref_counts *counts;
	struct ref_rec rec;
	struct buf header;       /* header names, NUL-separated (for messages) */
	int map[REF_MAX_COLS];   /* header position of each kept column */
	int nheader;             /* fields of the header; 0 while reading it */
	int field;               /* position of the current field in its record */
	long rec_line;           /* line the current record starts on; 0 = none */
	struct ref_where where;  /* the messages' position: path, rec_line, column */
	long long rec_bytes;     /* bytes fed since that line */
	int rc;
};

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Name of header column k, or "" when out of range. */
static const char *header_name(const struct snds *p, int k)
{
	const char *s = p->header.data;

	if (s == NULL || k < 0 || k >= p->nheader)
		return "";
	while (k-- > 0)
		s += strlen(s) + 1;
	return s;
}

static void header_field(struct snds *p, const char *s, size_t n)
{
	const struct ref_spec *spec = p->spec;

	if (buf_append(&p->header, s, n) || buf_putc(&p->header, '\0')) {
		p->rc = dr_error(DR_E_DATA, "header longer than %d bytes", REF_LINE_MAX);
		return;
	}
	for (int i = 0; i < spec->ncols; i++) {
		if (strlen(spec->cols[i].name) != n || memcmp(spec->cols[i].name, s, n) != 0)
			continue;
		if (p->map[i] >= 0) {
			p->where.column = spec->cols[i].name;
			p->rc = dr_error(DR_E_DATA, "named twice in the header");
			p->where.column = NULL;
		}
		p->map[i] = p->field;
	}
}

static void on_field(void *s, size_t n, void *arg)
{
	struct snds *p = arg;

	if (p->rc)
		return;
	if (p->nheader == 0) {
		header_field(p, s, n);
	} else {
		for (int i = 0; i < p->spec->ncols && p->rc == 0; i++)
			if (p->map[i] == p->field) {
				p->where.column = p->spec->cols[i].name;
				p->rc = ref_rec_put(&p->rec, p->spec, i, s, n, p->rec_line);
				p->where.column = NULL;
			}
	}
	p->field++;
}

static void on_record(int c, void *arg)
{
	struct snds *p = arg;
	const struct ref_spec *spec = p->spec;

	(void)c;
	if (p->rc)
		return;
	if (p->nheader == 0) {
		for (int i = 0; i < spec->ncols; i++)
			if (p->map[i] < 0) {
				p->where.column = spec->cols[i].name;
				p->rc = dr_error(DR_E_DATA, "missing from the header");
				p->where.column = NULL;
				return;
			}
		p->nheader = p->field;
	} else if (p->field != p->nheader) {
		p->rc = dr_error(DR_E_DATA, "%d fields where the header has %d", p->field, p->nheader);
		return;
	} else {
		p->rc = ref_rec_emit(&p->rec, spec, p->fn, p->arg, p->rec_line, p->counts);
	}
	p->field = 0;
	p->rec_line = 0;
	p->rec_bytes = 0;
}

/* Message for a libcsv parse error in the current record, at its column
 * (by its header name) or, in the header, at its field. */
static int parse_error(struct snds *p)
{
	const char *col = p->nheader ? header_name(p, p->field) : "";
	int rc;

	if (col[0])
		p->where.column = col;
	else
		p->where.field = p->field + 1;
	rc = dr_error(DR_E_DATA, "malformed quoting");
	p->where.column = NULL;
	p->where.field = 0;
	return rc;
}

/* Feeds one physical line (and its end) to libcsv. */
static int feed(struct snds *p, struct csv_parser *csv, struct lines *lines,
		const char *s, size_t n)
{
	if (p->rec_line == 0) {
		if (n == 0)
			return 0;    /* blank line between records */
		p->rec_line = lines->lineno;
	}
	p->rec_bytes += (long long)n + 1;
	if (p->rec_bytes > REF_RECORD_MAX)
		return dr_error(DR_E_DATA, "record longer than %d bytes (a quote left open?)", REF_RECORD_MAX);
	if (csv_parse(csv, s, n, on_field, on_record, p) != n && p->rc == 0)
		p->rc = parse_error(p);
	if (p->rc == 0 && csv_parse(csv, "\n", 1, on_field, on_record, p) != 1 && p->rc == 0)
		p->rc = parse_error(p);
	return p->rc;
}

int ref_read_snds(const struct ref_spec *spec, struct lines *lines, ref_row_fn fn,
		  void *arg, struct ref_counts *counts)
{
	struct snds p = { .spec = spec, .path = lines->name, .fn = fn, .arg = arg, .counts = counts };
	struct csv_parser csv;
	int rc;

	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return dr_error(DR_E_NOMEM, "cannot initialise the CSV parser");
	csv_set_delim(&csv, ';');
	csv_set_quote(&csv, '"');
	csv_set_space_func(&csv, no_space);
	ref_rec_init(&p.rec);
	buf_init(&p.header, REF_LINE_MAX);
	for (int i = 0; i < REF_MAX_COLS; i++)
		p.map[i] = -1;

	ref_where_push(&p.where, p.path, &p.rec_line);
	while ((rc = lines_next(lines)) == 1 && (rc = feed(&p, &csv, lines, lines->text, lines->len)) == 0)
		;
	if (rc == 0 && csv_fini(&csv, on_field, on_record, &p) != 0 && p.rc == 0)
		rc = dr_error(DR_E_DATA, "a quoted field is not closed at the end of the file");
	dr_errctx_pop(&p.where.ctx);
	if (rc == 0)
		rc = p.rc;
	if (rc == 0 && p.nheader == 0)
		rc = dr_error(DR_E_DATA, "%s: no header line", p.path);
	csv_free(&csv);
	ref_rec_free(&p.rec);
	buf_free(&p.header);
	return rc;
}
