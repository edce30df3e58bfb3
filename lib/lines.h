/*
 * lib/lines.h — a text file or stream as physical lines, read in chunks.
 *
 *   file/stdin --fread 64 KiB--> chunk --split at LF, CRLF or CR--> line
 *
 *     struct lines l;
 *     lines_open(&l, path, 4096, LINES_CUT);        (path "-" = stdin)
 *     while ((rc = lines_next(&l)) == 1)
 *         use(l.text, l.len, l.lineno, l.too_long);
 *     lines_close(&l, sha256_hex_or_NULL);
 *
 * The three line ends may be mixed in one file (the BDPM files are); a last
 * line without its end still counts; a UTF-8 BOM at the start is dropped. A
 * line wholly inside the chunk is returned in place; one that straddles two
 * chunks is gathered in a buffer capped at `max`, so memory is bounded
 * whatever the input. A longer line is either consumed whole and returned cut
 * with too_long set (LINES_CUT: one bad line costs neither memory nor the
 * lines after it) or refused with DR_E_DATA (LINES_REFUSE). The SHA-256 and
 * byte count of everything read are computed on the way.
 * One reader per stream; not thread-safe.
 */
#ifndef DR_LINES_H
#define DR_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/buf.h"
#include "lib/sha256.h"

#define LINES_CHUNK (64 * 1024)

enum lines_long { LINES_CUT, LINES_REFUSE };

struct lines {
	/* the current line, valid until the next call */
	const char *text;     /* without its end; not NUL-terminated */
	size_t len;
	long lineno;          /* physical line number, 1 for the first */
	bool too_long;        /* LINES_CUT: the line exceeded max, text holds its start */
	long long bytes;      /* read so far */
	/* private */
	FILE *f;
	bool own;             /* opened here, closed by lines_close */
	const char *name;
	char *chunk;
	size_t pos, end, max;
	enum lines_long policy;
	struct buf line;      /* a line straddling chunks */
	bool cr_pending, eof, skipping;
	struct sha256 sha;
	bool sha_open;
};

/* Opens path ("-" = standard input). Returns 0, DR_E_NOINPUT, DR_E_IO or DR_E_NOMEM. */
int lines_open(struct lines *l, const char *path, size_t max, enum lines_long policy);

/* Next line: 1 when there is one, 0 at end of input, DR_E_IO, DR_E_NOMEM, or
 * DR_E_DATA for a line over max with LINES_REFUSE (message names the line). */
int lines_next(struct lines *l);

/* Closes (also after a failed open); hex, when not NULL, gets the SHA-256 of
 * the bytes read. */
void lines_close(struct lines *l, char hex[65]);

/* True when the current line holds only spaces and tabs (or nothing). */
bool lines_blank(const struct lines *l);

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
