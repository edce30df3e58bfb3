/*
 * ingest/lines.h — reads a text stream line by line, with a length limit.
 *
 *     struct lines l;
 *     lines_init(&l, stdin, 4096);
 *     while ((rc = lines_next(&l)) == 1)
 *         use(l.text, l.len, l.lineno, l.too_long);
 *     lines_free(&l);
 *
 * Line ends may be LF or CRLF; a last line without LF still counts. A UTF-8
 * byte order mark at the start of line 1 is dropped. A line longer than the
 * limit is consumed whole but comes back cut, with too_long set, so one bad
 * line never costs memory nor the lines after it. Not thread-safe (one
 * reader per stream); no allocation beyond the line buffer.
 */
#ifndef DR_LINES_H
#define DR_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/buf.h"

struct lines {
	FILE *in;
	struct buf buf;
	const char *text;  /* current line without its end, NUL-terminated */
	size_t len;
	long lineno;       /* 1 for the first line */
	bool too_long;     /* the line exceeded the limit; text holds its start */
	size_t max;
};

void lines_init(struct lines *l, FILE *in, size_t max);

/* Reads the next line: 1 when there is one, 0 at end of input, DR_E_IO on a
 * read error or DR_E_NOMEM (message set). */
int lines_next(struct lines *l);

/* True when the current line holds only spaces and tabs (or nothing). */
bool lines_blank(const struct lines *l);

void lines_free(struct lines *l);

/* A field of a line: s[0..n), not NUL-terminated. */
struct lines_field {
	const char *s;
	size_t n;
};

/*
 * Splits s[0..n) on sep (no quoting: for inputs whose values never hold
 * sep) into f[0..max); returns how many fields the line has, which may be
 * more than max (only the first max are stored).
 */
size_t lines_split(const char *s, size_t n, char sep, struct lines_field *f, size_t max);

#endif
