/*
 * ingest/ref_read.h — internals shared by the SNDS and BDPM readers.
 *
 * A reader finds the raw bytes of each kept column of a record and puts them
 * in a struct ref_rec (ref_rec_put normalises them with ref_value); at the
 * end of the record ref_rec_emit counts it and hands the values to the
 * caller's callback, or counts it as skipped. Not part of the public API:
 * use ref_read() from ingest/referentials.h.
 */
#ifndef DR_REF_READ_H
#define DR_REF_READ_H

#include "lib/err.h"
#include "lib/lines.h"

#define REF_LINE_MAX (1024 * 1024)   /* longest physical line of a referential */
#include "ingest/referentials.h"

#define REF_RECORD_MAX (1024 * 1024)   /* bytes of the kept values of a record */

struct ref_rec {
	struct buf vals;               /* NUL-separated normalised values */
	long off[REF_MAX_COLS];        /* offset in vals, -1 for NULL */
	bool skip;                     /* a required value is empty */
	bool repaired;
};

void ref_rec_init(struct ref_rec *rec);
void ref_rec_reset(struct ref_rec *rec);
void ref_rec_free(struct ref_rec *rec);

/*
 * Where a reader is, for every message raised while it reads (a context frame,
 * lib/err.h): "PATH line N" while *line > 0 (the physical line the record
 * starts on), then ", column C" while a kept column's value is read or
 * ", field K" while an unnamed field is. The reader keeps line, column and
 * field current; the messages say only what is wrong.
 */
struct ref_where {
	struct dr_errctx ctx;
	const char *path;
	const long *line;
	const char *column;        /* NULL: the record as a whole */
	int field;                 /* 1-based position when column is NULL; 0: none */
};
void ref_where_push(struct ref_where *w, const char *path, const long *line);

/* Normalises raw[0..n) as spec->cols[i] of the record at line (line for the
 * warnings it logs; its messages get the reader's position). 0 or DR_E_DATA. */
int ref_rec_put(struct ref_rec *rec, const struct ref_spec *spec, int i,
		const char *raw, size_t n, long line);

/* Ends the record: counts it, calls fn unless skipped. Resets rec. */
int ref_rec_emit(struct ref_rec *rec, const struct ref_spec *spec, ref_row_fn fn, void *arg,
		 long line, struct ref_counts *counts);

int ref_read_snds(const struct ref_spec *spec, struct lines *lines, ref_row_fn fn,
		  void *arg, struct ref_counts *counts);
int ref_read_bdpm(const struct ref_spec *spec, struct lines *lines, ref_row_fn fn,
		  void *arg, struct ref_counts *counts);

#endif
