/*
 * load/copy.h — streaming COPY ... FROM STDIN in text format.
 *
 * Rows are written field by field into a buffer that is flushed to the server
 * every COPY_CHUNK bytes, so memory stays flat whatever the row count:
 *
 *     copy_begin(&cp, conn, "COPY t (a, b) FROM STDIN");
 *     copy_field(&cp, "x", 1); copy_null(&cp); copy_end_row(&cp);
 *     copy_finish(&cp, &rows);
 *
 * Text values are escaped for COPY's text format (backslash, tab, newline,
 * carriage return). One struct copy per connection; not thread-safe.
 *
 * COPY ... (FORMAT binary) has its own writer, for rows whose values are
 * large (documents): nothing is escaped on either side, which made the
 * server's COPY of the documents 5 times faster (docs/bench.md):
 *
 *     copy_begin_binary(&cp, conn, "COPY t (a, n) FROM STDIN (FORMAT binary)");
 *     copy_bin_row(&cp, 2); copy_bin_text(&cp, "x", 1); copy_bin_int4(&cp, 42);
 *     copy_finish(&cp, &rows);
 */
#ifndef DR_COPY_H
#define DR_COPY_H

#include <libpq-fe.h>
#include <stddef.h>

#include "lib/buf.h"

#define COPY_CHUNK (256 * 1024)
/* The buffer's limit: text rows are small; a long binary value
 * (copy_bin_text) goes out in slices, never through the buffer. */
#define COPY_BUF_MAX (64u * 1024 * 1024)

struct copy {
	PGconn *conn;
	struct buf out;
	int nfield;     /* fields already written in the current row */
	long long rows;
	int failed;
	int binary;     /* FORMAT binary: copy_finish() sends the trailer */
};

int copy_begin(struct copy *cp, PGconn *conn, const char *sql);
int copy_field(struct copy *cp, const char *s, size_t n);
int copy_fieldz(struct copy *cp, const char *s);   /* NULL pointer -> \N */
int copy_long(struct copy *cp, long long v);
int copy_null(struct copy *cp);
int copy_end_row(struct copy *cp);
/* Appends an already-escaped, tab-separated, newline-terminated block of rows. */
int copy_raw(struct copy *cp, const char *s, size_t n, long long nrows);
/* Binary format: begin (sends the header), a row of nfields fields, then
 * each field: text (any length: a long value goes out in slices), NULL,
 * int4, and a one-dimensional int4[] without NULLs. */
int copy_begin_binary(struct copy *cp, PGconn *conn, const char *sql);
int copy_bin_row(struct copy *cp, int nfields);
int copy_bin_text(struct copy *cp, const char *s, size_t n);
int copy_bin_textz(struct copy *cp, const char *s);    /* NULL pointer -> NULL */
int copy_bin_int4(struct copy *cp, long v);
int copy_bin_int4_array(struct copy *cp, const long *v, int n);
/* Ends the COPY; *rows (optional) gets the server's row count. */
int copy_finish(struct copy *cp, long long *rows);
/* Aborts the COPY (the transaction then fails) and frees the buffer. */
void copy_abort(struct copy *cp, const char *why);

/* Escapes s for COPY text format into out (no tab/newline added). */
int copy_escape(struct buf *out, const char *s, size_t n);
/* The same escaping written at d, which has room for 2 * n bytes; returns
 * the end (no NUL). For writers that reserve a whole row at once. */
char *copy_escape_to(char *d, const char *s, size_t n);

#endif
