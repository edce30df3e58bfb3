/*
 * ingest/referentials.h — the referential files we know, how to read them,
 * and how they replace the ref_* tables.
 *
 *   SNDS dir (*.csv, ';', UTF-8, header) --ref_snds--+
 *                                                    +--> values --> COPY ref_stage
 *   BDPM dir (*.txt, TAB, CP1252, no header) --ref_bdpm--+        --> ref_* (one transaction)
 *
 * ref_specs[] is the catalogue: for each known file, its table, the columns
 * we keep (by header name for SNDS, by position for BDPM) and how each value
 * is normalised (ref_value()). The readers stream the file (lib/lines.c: fixed
 * chunks, one line at a time), so memory does not grow with the file; they
 * hand each data record to a callback as normalised UTF-8 strings.
 *
 * ref_scan() finds the known files of the given directories;
 * jobs/referentials.c loads them into the tables in one transaction (see
 * docs/referentials.md).
 *
 * Errors name the file, the line (physical line where the record starts, as
 * an editor counts) and the column, never the value: DR_E_DATA for a file
 * that cannot be read as its format says.
 */
#ifndef DR_REFERENTIALS_H
#define DR_REFERENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/refspec.h"

extern const struct ref_spec ref_specs[];
extern const int ref_nspecs;

/* The spec of a known file name of that source, or NULL. */
const struct ref_spec *ref_spec_find(enum ref_source source, const char *file);

/*
 * Called once per kept record: values[i] is the normalised value of
 * spec->cols[i] (NUL-terminated UTF-8, NULL for SQL NULL), valid until the
 * callback returns; line is the physical line where the record starts.
 * Returns 0 to go on, or a DR_E_* code that stops the reading.
 */
typedef int (*ref_row_fn)(void *arg, const char *const *values, long line);

/*
 * Reads path as spec says, calling fn for each record. Returns 0, DR_E_DATA
 * (format broken: message names path, line and column), DR_E_NOINPUT/DR_E_IO
 * (cannot open/read), or fn's code. *out is filled in every case.
 */
int ref_read(const struct ref_spec *spec, const char *path, ref_row_fn fn, void *arg,
	     struct ref_counts *out);

/*
 * Appends the normalised value of raw[0..n) (UTF-8) for col to out, followed
 * by a NUL. Returns 0, 1 when the value is empty (*null set: NULL, or a skip
 * when col->required), 2 when a line break was cut from a code (value kept,
 * count as repaired), or DR_E_DATA naming path, line and column.
 */
int ref_value(const struct ref_col *col, const char *raw, size_t n, struct buf *out);

/*
 * Finds the known files of snds_dir and/or bdpm_dir (either may be NULL):
 * res (REF_MAX_FILES entries) gets one per spec of the sources asked, in
 * ref_specs order, found or not; *nres their count. Files that are not known
 * are ignored (warning referentials.ignored); known files that are missing
 * are reported (referentials.missing, res[i].found false). DR_E_NOINPUT when
 * no file at all was found or a directory cannot be read. Reads no file.
 */
int ref_scan(const char *snds_dir, const char *bdpm_dir, struct ref_result *res, int *nres);

#endif
