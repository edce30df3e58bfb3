/*
 * ingest/ref_lines.c — chunked physical-line reader (LF, CRLF, CR).
 */
#include "ingest/ref_lines.h"
#include "lib/err.h"
#include "lib/text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ref_lines_open(struct ref_lines *r, const char *path)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->path = path;
	buf_init(&r->line, REF_LINE_MAX);
	r->f = fopen(path, "rb");
	if (r->f == NULL)
		return dr_error(errno == ENOENT ? DR_E_NOINPUT : DR_E_IO,
				"cannot open '%s': %s", path, strerror(errno));
	r->chunk = malloc(REF_CHUNK);
	if (r->chunk == NULL) {
		fclose(r->f);
		r->f = NULL;
		return dr_error(DR_E_NOMEM, "out of memory reading '%s'", path);
	}
	rc = sha256_init(&r->sha);
	r->sha_open = rc == 0;
	return rc;
}

/* Refills the chunk; returns 0 (r->eof set at end) or DR_E_IO. */
static int refill(struct ref_lines *r)
{
	r->pos = 0;
	r->len = fread(r->chunk, 1, REF_CHUNK, r->f);
	if (r->len < REF_CHUNK && ferror(r->f))
		return dr_error(DR_E_IO, "cannot read '%s': %s", r->path, strerror(errno));
	if (r->len == 0)
		r->eof = true;
	sha256_update(&r->sha, r->chunk, r->len);
	r->bytes += (long long)r->len;
	return 0;
}

/* Hands out a line, dropping a BOM at the start of the file. */
static int give(struct ref_lines *r, const char *p, size_t n, const char **s, size_t *len)
{
	if (++r->lineno == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		n -= 3;
	}
	*s = p;
	*len = n;
	return 1;
}

int ref_lines_next(struct ref_lines *r, const char **s, size_t *n)
{
	int rc;

	buf_reset(&r->line);
	for (;;) {
		if (r->pos == r->len) {
			if (r->eof)
				break;
			rc = refill(r);
			if (rc)
				return rc;
			continue;
		}
		if (r->cr_pending) {
			r->cr_pending = false;
			if (r->chunk[r->pos] == '\n') {
				r->pos++;
				continue;
			}
		}
		const char *start = r->chunk + r->pos, *end = r->chunk + r->len, *p = start;
		while (p < end && *p != '\n' && *p != '\r')
			p++;
		if (p == end) {
			if (buf_append(&r->line, start, (size_t)(p - start)))
				return dr_error(DR_E_DATA, "%s line %ld: longer than %d bytes",
						r->path, r->lineno + 1, REF_LINE_MAX);
			r->pos = r->len;
			continue;
		}
		r->pos = (size_t)(p - r->chunk) + 1;
		r->cr_pending = *p == '\r';
		if (r->line.len == 0)
			return give(r, start, (size_t)(p - start), s, n);
		if (buf_append(&r->line, start, (size_t)(p - start)))
			return dr_error(DR_E_DATA, "%s line %ld: longer than %d bytes",
					r->path, r->lineno + 1, REF_LINE_MAX);
		return give(r, r->line.data, r->line.len, s, n);
	}
	/* end of file: a last line without its end */
	if (r->line.len > 0)
		return give(r, r->line.data, r->line.len, s, n);
	return 0;
}

void ref_lines_close(struct ref_lines *r, char hex[65])
{
	unsigned char d[32];

	if (r->sha_open) {
		sha256_final(&r->sha, d);
		r->sha_open = false;
		if (hex)
			text_hex(d, 32, hex);
	} else if (hex) {
		hex[0] = '\0';
	}
	if (r->f)
		fclose(r->f);
	r->f = NULL;
	free(r->chunk);
	r->chunk = NULL;
	buf_free(&r->line);
}
