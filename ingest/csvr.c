/*
 * ingest/csvr.c — libcsv driver: chunked reads, record assembly, limits.
 *
 * libcsv calls field_cb for each field and record_cb at each end of record.
 * Fields are appended into one buffer per record (rec_buf) with their offsets;
 * at the end of the record the offsets become pointers and the caller's
 * callback runs. Fields beyond CSVR_MAX_FIELDS are counted, not stored.
 */
#include "ingest/csvr.h"
#include "lib/buf.h"
#include "lib/err.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64 * 1024)
/* libcsv buffers a whole field before calling us: refuse the file past this. */
#define LIBCSV_FIELD_HARD_MAX ((size_t)64 * 1024 * 1024)

struct csvr_state {
	csvr_cb cb;
	void *ctx;
	struct buf rec_buf;
	size_t off[CSVR_MAX_FIELDS], len[CSVR_MAX_FIELDS];
	bool cut[CSVR_MAX_FIELDS];
	struct csvr_field fields[CSVR_MAX_FIELDS];
	int nfields;
	int prev_stored;          /* fields[] set by the previous record */
	bool too_long;
	bool unterminated;
	long record_no;
	int stop;                 /* callback's error code, 0 to continue */
	int buf_error;
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
	struct csvr_record rec;
	int stored = st->nfields < CSVR_MAX_FIELDS ? st->nfields : CSVR_MAX_FIELDS;

	(void)c;
	if (st->stop)
		return;
	st->record_no++;
	for (int i = 0; i < stored; i++) {
		st->fields[i].s = st->rec_buf.data ? st->rec_buf.data + st->off[i] : "";
		st->fields[i].n = st->len[i];
		st->fields[i].cut = st->cut[i];
	}
	/* a caller reading past rec.stored finds empty fields, never the
	 * previous record's pointers into a buffer since reallocated */
	for (int i = stored; i < st->prev_stored; i++)
		st->fields[i] = (struct csvr_field){ "", 0, false };
	st->prev_stored = stored;
	rec.record_no = st->record_no;
	rec.nfields = st->nfields;
	rec.stored = stored;
	rec.too_long = st->too_long;
	rec.unterminated = st->unterminated;
	rec.f = st->fields;
	if (st->buf_error)
		st->stop = dr_error(DR_E_NOMEM, "out of memory assembling record %ld", st->record_no);
	else
		st->stop = st->cb(st->ctx, &rec);
	st->nfields = 0;
	st->too_long = false;
	buf_reset(&st->rec_buf);
}

int csvr_read(const char *path, char delim, csvr_cb cb, void *ctx, long *records)
{
	struct csv_parser p;
	struct csvr_state *st;
	unsigned char *chunk;
	FILE *f;
	size_t n;
	bool first = true;
	int rc = 0;

	*records = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return dr_error(errno == ENOENT ? DR_E_NOINPUT : DR_E_IO, "cannot open '%s': %s",
				path, strerror(errno));
	st = calloc(1, sizeof(*st));
	chunk = malloc(CHUNK);
	if (st == NULL || chunk == NULL || csv_init(&p, 0) != 0) {
		free(st);
		free(chunk);
		fclose(f);
		return dr_error(DR_E_NOMEM, "out of memory opening '%s'", path);
	}
	st->cb = cb;
	st->ctx = ctx;
	buf_init(&st->rec_buf, (size_t)CSVR_MAX_FIELDS * CSVR_FIELD_MAX + 1024);
	libcsv_alloc_limit = LIBCSV_FIELD_HARD_MAX;
	csv_set_delim(&p, (unsigned char)delim);
	csv_set_space_func(&p, keep_spaces);
	csv_set_realloc_func(&p, bounded_realloc);
	csv_set_blk_size(&p, 4096);

	while (rc == 0 && (n = fread(chunk, 1, CHUNK, f)) > 0) {
		unsigned char *s = chunk;
		if (first) {
			first = false;
			if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
				s += 3;
				n -= 3;
			}
		}
		if (csv_parse(&p, s, n, field_cb, record_cb, st) != n) {
			rc = dr_error(DR_E_DATA, "'%s' cannot be parsed after record %ld: %s",
				      path, st->record_no,
				      csv_error(&p) == CSV_ENOMEM ? "a field exceeds 64 MiB (unbalanced quote?)"
				      : csv_strerror(csv_error(&p)));
		}
		if (rc == 0 && st->stop)
			rc = st->stop;
	}
	if (rc == 0 && ferror(f))
		rc = dr_error(DR_E_IO, "cannot read '%s': %s", path, strerror(errno));
	if (rc == 0) {
		/* libcsv's state FIELD_BEGUN (2) with `quoted`: a quote is still open.
		 * CSV_STRICT_FINI would say so too, but only with CSV_STRICT, which
		 * stops the whole file at the first stray quote. */
		st->unterminated = p.quoted && p.pstate == 2;
		csv_fini(&p, field_cb, record_cb, st);
		if (st->stop)
			rc = st->stop;
	}
	*records = st->record_no;
	csv_free(&p);
	buf_free(&st->rec_buf);
	free(st);
	free(chunk);
	fclose(f);
	return rc;
}
