/*
 * ingest/ref_lines.h — a file as physical lines, read in fixed chunks.
 *
 *   file --fread 64 KiB--> chunk --split at LF, CRLF or CR--> line
 *
 * A line wholly inside the chunk is returned in place; one that straddles two
 * chunks is gathered in a buffer capped at REF_LINE_MAX, so memory is bounded
 * whatever the file size. The three line ends may be mixed in one file (BDPM
 * files differ from one another). A UTF-8 BOM at the start is dropped. The
 * SHA-256 and byte count of the whole file are computed on the way.
 */
#ifndef DR_REF_LINES_H
#define DR_REF_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/buf.h"
#include "lib/sha256.h"

#define REF_CHUNK (64 * 1024)
#define REF_LINE_MAX (1024 * 1024)

struct ref_lines {
	FILE *f;
	const char *path;
	char *chunk;
	size_t pos, len;
	struct buf line;      /* a line straddling chunks */
	bool cr_pending;      /* last byte seen was CR: a following LF belongs to it */
	bool eof;
	long lineno;          /* physical line number of the last line returned */
	long long bytes;
	struct sha256 sha;
	bool sha_open;
};

/* Opens path. Returns 0, DR_E_NOINPUT (missing) or DR_E_IO. */
int ref_lines_open(struct ref_lines *r, const char *path);

/*
 * Next line without its end into *s, *n (valid until the next call): returns
 * 1, 0 at end of file, or DR_E_DATA (line too long) / DR_E_IO.
 */
int ref_lines_next(struct ref_lines *r, const char **s, size_t *n);

/* Closes (also after a failed open); hex, when not NULL, gets the SHA-256
 * of the bytes read. */
void ref_lines_close(struct ref_lines *r, char hex[65]);

#endif
