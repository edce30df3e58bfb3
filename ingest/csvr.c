/*
 * ingest/csvr.c — chunked reads, a fast path for lines without a quote, and
 * libcsv for the others; record assembly and limits.
 *
 *   file --fread--> win[start, end) --no '"' in the line--> split in place --+
 *                        |                                                    +--> deliver() --> cb
 *                        +--'"' in the line--> libcsv --> field_cb/record_cb -+
 *
 * Almost every line of a real extract holds no quote: such a line is split on
 * the delimiter where it lies in the read window, its fields pointing into the
 * window (no copy). A line holding a '"' is handed to libcsv from its first
 * byte, one line at a time, until libcsv is between records again (a quoted
 * field may span lines and reads); libcsv's field_cb copies each field into
 * rec_buf with its offset and record_cb turns the offsets into pointers. A
 * line longer than the window goes to libcsv too, so memory stays bounded by
 * the window plus what libcsv may hold (LIBCSV_FIELD_HARD_MAX).
 *
 * Both ways give the record libcsv alone gives (tests/unit/check_csvr.c and
 * tests/fuzz/fuzz_csvr.c compare them on every input): libcsv, with our
 * space function, keeps spaces, takes '\r' and '\n' each as a line end,
 * skips empty lines and ends the last line at the end of the file. A CR
 * without its LF is turned into CSVR_LONE_CR as the bytes are read (before
 * either way sees them), so only LF and CRLF end a line; line numbers count
 * the LFs passed.
 */
#include "ingest/csvr.h"
#include "ingest/infile.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/text.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64 * 1024)
#define CHUNK_MIN 4       /* csvr_read_mode's floor: the BOM must fit the first read */
/* libcsv buffers a whole field before calling us: refuse the file past this. */
#define LIBCSV_FIELD_HARD_MAX ((size_t)64 * 1024 * 1024)
#define LIBCSV_ROW_NOT_BEGUN 0   /* libcsv's pstate between records */
#define LIBCSV_FIELD_BEGUN 2

/* what the fast scan stops on (cls[] of a byte; B_PLAIN is calloc's 0) */
enum { B_PLAIN = 0, B_DELIM, B_END, B_QUOTE };

struct csvr_state {
	csvr_cb cb;
	void *ctx;
	struct buf rec_buf;
	size_t off[CSVR_MAX_FIELDS], len[CSVR_MAX_FIELDS];
	bool cut[CSVR_MAX_FIELDS];
	struct csvr_field fields[CSVR_MAX_FIELDS];
	int nfields;
	int prev_stored;          /* fields[0, prev_stored) may be set: deliver empties the rest */
	bool too_long;
	bool unterminated;
	long record_no;
	long lf_seen;             /* LFs before the parse position: physical line - 1 */
	long rec_line;            /* physical line the record being read starts on */
	bool any_lf;              /* an LF was read: a lone CR is then a byte of a field */
	int stop;                 /* callback's error code, 0 to continue */
	int buf_error;
	unsigned char cls[256];   /* B_* of every byte, for the fast scan */
};

static _Thread_local size_t libcsv_alloc_limit;

/* realloc for libcsv with a ceiling, so a runaway field cannot eat memory */
static void *bounded_realloc(void *p, size_t n)
{
	if (n > libcsv_alloc_limit)
		return NULL;
	return realloc(p, n);
}

static int keep_spaces(unsigned char c)
{
	(void)c;
	return 0;
}

/*
 * Hands fields[0, stored) to the callback as the next record. Fields past
 * `stored` that an earlier line set are emptied first: a caller reading past
 * rec.stored finds empty fields, never pointers into a buffer since moved.
 */
static void deliver(struct csvr_state *st, int nfields, bool too_long)
{
	struct csvr_record rec;
	int stored = nfields < CSVR_MAX_FIELDS ? nfields : CSVR_MAX_FIELDS;

	st->record_no++;
	for (int i = stored; i < st->prev_stored; i++)
		st->fields[i] = (struct csvr_field){ "", 0, false };
	st->prev_stored = stored;
	rec.record_no = st->record_no;
	rec.line_no = st->rec_line;
	rec.nfields = nfields;
	rec.stored = stored;
	rec.too_long = too_long;
	rec.unterminated = st->unterminated;
	rec.f = st->fields;
	if (st->buf_error)
		st->stop = dr_error(DR_E_NOMEM, "out of memory assembling record %ld", st->record_no);
	else
		st->stop = st->cb(st->ctx, &rec);
}

static void field_cb(void *s, size_t n, void *data)
{
	struct csvr_state *st = data;
	int i = st->nfields++;

	if (st->stop || i >= CSVR_MAX_FIELDS)
		return;
	st->cut[i] = n > CSVR_FIELD_MAX;
	if (n > CSVR_FIELD_MAX) {
		st->too_long = true;
		n = CSVR_FIELD_MAX;
	}
	st->off[i] = st->rec_buf.len;
	st->len[i] = n;
	if (buf_append(&st->rec_buf, s ? s : "", s ? n : 0) != 0)
		st->buf_error = 1;
}

static void record_cb(int c, void *data)
{
	struct csvr_state *st = data;
	int stored = st->nfields < CSVR_MAX_FIELDS ? st->nfields : CSVR_MAX_FIELDS;

	(void)c;
	if (st->stop)
		return;
	for (int i = 0; i < stored; i++) {
		st->fields[i].s = st->rec_buf.data ? st->rec_buf.data + st->off[i] : "";
		st->fields[i].n = st->len[i];
		st->fields[i].cut = st->cut[i];
	}
	deliver(st, st->nfields, st->too_long);
	st->nfields = 0;
	st->too_long = false;
	buf_reset(&st->rec_buf);
}

/* Parses s[0, n) with libcsv. Returns 0, or DR_E_DATA when libcsv gives up. */
static int libcsv_feed(struct csvr_state *st, struct csv_parser *p, const unsigned char *s, size_t n,
		       const char *path)
{
	char q[1024];

	if (csv_parse(p, s, n, field_cb, record_cb, st) == n)
		return 0;
	return dr_error(DR_E_DATA, "'%s' cannot be parsed after record %ld: %s",
			text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)), st->record_no,
			csv_error(p) == CSV_ENOMEM ? "a field exceeds 64 MiB (unbalanced quote?)"
			: csv_strerror(csv_error(p)));
}

enum scan { SCAN_RECORD, SCAN_QUOTE, SCAN_SHORT };

/*
 * Splits the line starting at b + pos (not a line end) into st->fields.
 * b[end] must be a line end (the sentinel): the scan stops there at the
 * latest. Returns SCAN_RECORD when it delivered the line as a record, *next
 * just past its line end (or `end`: the file's last line, at_eof, without
 * one); SCAN_QUOTE when the line holds a '"', SCAN_SHORT when it runs past
 * `end` and the file goes on: nothing delivered, but fields may have been
 * set (prev_stored covers them).
 */
static enum scan fast_line(struct csvr_state *st, const unsigned char *b, size_t pos, size_t end,
			   bool at_eof, size_t *next)
{
	const unsigned char *cls = st->cls;
	const unsigned char *p = b + pos, *e = b + end, *fs = p;
	struct csvr_field *f = st->fields;
	int k = 0;
	bool too_long = false;
	unsigned char c;

	st->rec_line = st->lf_seen + 1;
	for (;;) {
		while ((c = cls[*p]) == B_PLAIN)
			p++;
		if (c == B_QUOTE || (p == e && !at_eof)) {
			if (k > st->prev_stored)
				st->prev_stored = k < CSVR_MAX_FIELDS ? k : CSVR_MAX_FIELDS;
			return c == B_QUOTE ? SCAN_QUOTE : SCAN_SHORT;
		}
		if (k < CSVR_MAX_FIELDS) {
			size_t n = (size_t)(p - fs);
			f[k].s = (const char *)fs;
			f[k].cut = n > CSVR_FIELD_MAX;
			f[k].n = f[k].cut ? CSVR_FIELD_MAX : n;
			too_long |= f[k].cut;
		}
		k++;
		if (c == B_END) {
			*next = (size_t)(p - b) + (p < e);
			deliver(st, k, too_long);
			if (p < e && *p == '\n')
				st->lf_seen++;
			return SCAN_RECORD;
		}
		fs = ++p;
	}
}

/* The read window: win[start, end) not yet parsed, win[end] the sentinel. */
struct window {
	unsigned char *win;
	size_t cap, start, end;
	bool eof;
};

/*
 * Parses win[start, end) as far as complete lines go, in libcsv mode while
 * *in_libcsv (libcsv is inside a record), on the fast path otherwise. Leaves
 * start at the first byte still needed (a line cut by the window's end).
 * Returns 0, or DR_E_DATA when libcsv fails; the callback's code is st->stop.
 */
static int parse_window(struct csvr_state *st, struct csv_parser *p, struct window *w, bool *in_libcsv,
			bool libcsv_only, const char *path)
{
	const unsigned char *b = w->win;
	size_t pos = w->start, end = w->end, next;

	while (pos < end && !st->stop) {
		if (*in_libcsv || libcsv_only) {
			/* one line at a time, so as to leave libcsv between records */
			size_t t = pos;
			while (t < end && b[t] != '\n' && b[t] != '\r')
				t++;
			next = t < end ? t + 1 : end;
			if (p->pstate == LIBCSV_ROW_NOT_BEGUN)
				st->rec_line = st->lf_seen + 1;
			if (libcsv_feed(st, p, b + pos, next - pos, path) != 0)
				return DR_E_DATA;
			if (t < end && b[t] == '\n')
				st->lf_seen++;
			pos = next;
			if (t < end && p->pstate == LIBCSV_ROW_NOT_BEGUN)
				*in_libcsv = false;
			continue;
		}
		if (b[pos] == '\n' || b[pos] == '\r') {
			st->lf_seen += b[pos] == '\n';
			pos++;          /* an empty line, or the CR of a CRLF */
			continue;
		}
		switch (fast_line(st, b, pos, end, w->eof, &next)) {
		case SCAN_RECORD:
			pos = next;
			break;
		case SCAN_QUOTE:
			*in_libcsv = true;
			break;
		case SCAN_SHORT:
			if (pos > 0 || end < w->cap) {
				w->start = pos;          /* the next reads complete the line */
				return 0;
			}
			*in_libcsv = true;               /* longer than the window */
			break;
		}
	}
	w->start = pos;
	return 0;
}

/*
 * Turns every CR of b[from, to) that no LF follows into CSVR_LONE_CR (the
 * byte after the last one is peeked from f). Returns 0, or DR_E_DATA when a
 * lone CR comes before any LF of the file: its line ends are CR-only.
 */
static int mark_lone_cr(struct csvr_state *st, unsigned char *b, size_t from, size_t to, FILE *f,
			const char *path)
{
	unsigned char *p = memchr(b + from, '\r', to - from);

	for (; p != NULL; p = memchr(p + 1, '\r', (size_t)(b + to - (p + 1)))) {
		int next;
		if (p + 1 < b + to) {
			next = p[1];
		} else if ((next = getc(f)) != EOF) {
			ungetc(next, f);
		}
		if (next == '\n')
			continue;
		if (!st->any_lf && memchr(b + from, '\n', (size_t)(p - (b + from))) == NULL) {
			char q[1024];
			return dr_error(DR_E_DATA, "'%s' has CR-only line ends (line 1 ends with a carriage return"
					" and no line feed): the contract allows LF or CRLF: refused",
					text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)));
		}
		*p = CSVR_LONE_CR;
	}
	if (!st->any_lf)
		st->any_lf = memchr(b + from, '\n', to - from) != NULL;
	return 0;
}

/*
 * Moves the unparsed bytes to the front and reads after them (parse_window
 * never leaves the window full). Skips a UTF-8 BOM at the start of the file;
 * marks lone CRs (mark_lone_cr). Returns 0, DR_E_IO or DR_E_DATA; w->eof once
 * a read gives nothing.
 */
static int fill_window(struct csvr_state *st, struct window *w, FILE *f, bool first, const char *path)
{
	size_t keep = w->end - w->start, n;

	if (w->start > 0 && keep > 0)
		memmove(w->win, w->win + w->start, keep);
	w->start = 0;
	w->end = keep;
	n = fread(w->win + w->end, 1, w->cap - w->end, f);
	if (n == 0) {
		if (ferror(f)) {
			char q[1024];
			return dr_error(DR_E_IO, "cannot read '%s': %s", text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)),
					strerror(errno));
		}
		w->eof = true;
	}
	if (first && n >= 3 && w->win[0] == 0xEF && w->win[1] == 0xBB && w->win[2] == 0xBF)
		w->start = 3;
	w->end += n;
	w->win[w->end] = '\n';
	return mark_lone_cr(st, w->win, w->end - n, w->end, f, path);
}

int csvr_read_mode(const char *path, char delim, csvr_cb cb, void *ctx, long *records,
		   const struct csvr_mode *mode)
{
	struct csv_parser p;
	struct csvr_state *st;
	struct window w = { .cap = mode->chunk == 0 ? CHUNK : mode->chunk < CHUNK_MIN ? CHUNK_MIN : mode->chunk };
	FILE *f;
	bool first = true, in_libcsv = false;
	/* a delimiter libcsv reads as a line end or a quote: libcsv decides */
	bool libcsv_only = mode->libcsv_only || delim == '"' || delim == '\n' || delim == '\r';
	int rc = 0;

	*records = 0;
	rc = infile_open(path, &f);
	if (rc)
		return rc;
	st = calloc(1, sizeof(*st));
	w.win = malloc(w.cap + 1);
	if (st == NULL || w.win == NULL || csv_init(&p, 0) != 0) {
		free(st);
		free(w.win);
		fclose(f);
		char q[1024];
		return dr_error(DR_E_NOMEM, "out of memory opening '%s'", text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)));
	}
	for (int i = 0; i < CSVR_MAX_FIELDS; i++)
		st->fields[i] = (struct csvr_field){ "", 0, false };
	st->cls['\n'] = st->cls['\r'] = B_END;
	st->cls['"'] = B_QUOTE;
	st->cls[(unsigned char)delim] = B_DELIM;
	st->cb = cb;
	st->ctx = ctx;
	buf_init(&st->rec_buf, (size_t)CSVR_MAX_FIELDS * CSVR_FIELD_MAX + 1024);
	libcsv_alloc_limit = mode->libcsv_max ? mode->libcsv_max : LIBCSV_FIELD_HARD_MAX;
	csv_set_delim(&p, (unsigned char)delim);
	csv_set_space_func(&p, keep_spaces);
	csv_set_realloc_func(&p, bounded_realloc);
	csv_set_blk_size(&p, 4096);

	while (rc == 0 && !w.eof) {
		rc = fill_window(st, &w, f, first, path);
		first = false;
		if (rc == 0)
			rc = parse_window(st, &p, &w, &in_libcsv, libcsv_only, path);
		if (rc == 0 && st->stop)
			rc = st->stop;
	}
	if (rc == 0) {
		/* libcsv's state FIELD_BEGUN with `quoted`: a quote is still open.
		 * CSV_STRICT_FINI would say so too, but only with CSV_STRICT, which
		 * stops the whole file at the first stray quote. */
		st->unterminated = p.quoted && p.pstate == LIBCSV_FIELD_BEGUN;
		csv_fini(&p, field_cb, record_cb, st);
		if (st->stop)
			rc = st->stop;
	}
	*records = st->record_no;
	csv_free(&p);
	buf_free(&st->rec_buf);
	free(st);
	free(w.win);
	fclose(f);
	return rc;
}

int csvr_read(const char *path, char delim, csvr_cb cb, void *ctx, long *records)
{
	static const struct csvr_mode fast = { 0 };

	return csvr_read_mode(path, delim, cb, ctx, records, &fast);
}
