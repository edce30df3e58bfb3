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

/* Normalises raw[0..n) as spec->cols[i] of the record at line. 0 or DR_E_DATA. */
int ref_rec_put(struct ref_rec *rec, const struct ref_spec *spec, int i,
		const char *raw, size_t n, const char *path, long line);

/* Ends the record: counts it, calls fn unless skipped. Resets rec. */
int ref_rec_emit(struct ref_rec *rec, const struct ref_spec *spec, ref_row_fn fn, void *arg,
		 long line, struct ref_counts *counts);

int ref_read_snds(const struct ref_spec *spec, struct lines *lines, ref_row_fn fn,
		  void *arg, struct ref_counts *counts);
int ref_read_bdpm(const struct ref_spec *spec, struct lines *lines, ref_row_fn fn,
		  void *arg, struct ref_counts *counts);

#endif
