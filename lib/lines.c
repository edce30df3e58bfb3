/*
 * lib/lines.c — chunked physical-line reader (LF, CRLF, CR), bounded.
 */
#include "lib/lines.h"
#include "lib/err.h"
#include "lib/text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int lines_open(struct lines *l, const char *path, size_t max, enum lines_long policy)
{
	memset(l, 0, sizeof(*l));
	l->text = "";
	l->max = max;
	l->policy = policy;
	buf_init(&l->line, max + 2);
	if (strcmp(path, "-") == 0) {
		l->f = stdin;
		l->name = "standard input";
	} else {
		l->f = fopen(path, "rb");
		l->own = true;
		l->name = path;
		if (l->f == NULL)
			return dr_error(errno == ENOENT ? DR_E_NOINPUT : DR_E_IO,
					"cannot open '%s': %s", path, strerror(errno));
	}
	l->chunk = malloc(LINES_CHUNK);
	if (l->chunk == NULL)
		return dr_error(DR_E_NOMEM, "out of memory reading '%s'", l->name);
	int rc = sha256_init(&l->sha);
	l->sha_open = rc == 0;
	return rc;
}

/* Refills the chunk; returns 0 (l->eof set at end) or DR_E_IO. */
static int refill(struct lines *l)
{
	l->pos = 0;
	l->end = fread(l->chunk, 1, LINES_CHUNK, l->f);
	if (l->end < LINES_CHUNK && ferror(l->f))
		return dr_error(DR_E_IO, "cannot read '%s': %s", l->name, strerror(errno));
	if (l->end == 0)
		l->eof = true;
	sha256_update(&l->sha, l->chunk, l->end);
	l->bytes += (long long)l->end;
	return 0;
}

/* Keeps p[0..n) of the current line, up to max; past it, cuts or refuses. */
static int keep(struct lines *l, const char *p, size_t n)
{
	size_t room = l->max > l->line.len ? l->max - l->line.len : 0;

	if (n > room) {
		if (l->policy == LINES_REFUSE)
			return dr_error(DR_E_DATA, "%s line %ld: longer than %zu bytes",
					l->name, l->lineno + 1, l->max);
		l->too_long = true;
		n = room;
	}
	return buf_append(&l->line, p, n);
}

/* Hands out a line, dropping a BOM at the start of the input. */
static int give(struct lines *l, const char *p, size_t n)
{
	if (++l->lineno == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		n -= 3;
	}
	l->text = p;
	l->len = n;
	return 1;
}

int lines_next(struct lines *l)
{
	int rc;

	buf_reset(&l->line);
	l->too_long = false;
	for (;;) {
		if (l->pos == l->end) {
			if (l->eof)
				break;
			if ((rc = refill(l)) != 0)
				return rc;
			continue;
		}
		if (l->cr_pending) {
			l->cr_pending = false;
			if (l->chunk[l->pos] == '\n') {
				l->pos++;
				continue;
			}
		}
		const char *start = l->chunk + l->pos, *stop = l->chunk + l->end, *p = start;
		while (p < stop && *p != '\n' && *p != '\r')
			p++;
		size_t n = (size_t)(p - start);
		if (p == stop) {               /* the line goes on in the next chunk */
			if ((rc = keep(l, start, n)) != 0)
				return rc;
			l->pos = l->end;
			continue;
		}
		l->pos = (size_t)(p - l->chunk) + 1;
		l->cr_pending = *p == '\r';
		if (l->line.len == 0 && !l->too_long && n <= l->max)
			return give(l, start, n);  /* in place: no copy */
		if ((rc = keep(l, start, n)) != 0)
			return rc;
		return give(l, l->line.data ? l->line.data : "", l->line.len);
	}
	/* end of input: a last line without its end */
	if (l->line.len > 0 || l->too_long)
		return give(l, l->line.data ? l->line.data : "", l->line.len);
	return 0;
}

void lines_close(struct lines *l, char hex[65])
{
	unsigned char d[32];

	if (l->sha_open) {
		sha256_final(&l->sha, d);
		l->sha_open = false;
		if (hex)
			text_hex(d, 32, hex);
	} else if (hex) {
		hex[0] = '\0';
	}
	if (l->f && l->own)
		fclose(l->f);
	l->f = NULL;
	free(l->chunk);
	l->chunk = NULL;
	buf_free(&l->line);
	l->text = "";
	l->len = 0;
}

bool lines_blank(const struct lines *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->text[i] != ' ' && l->text[i] != '\t')
			return false;
	return true;
}

size_t lines_split(const char *s, size_t n, char sep, struct lines_field *f, size_t max)
{
	size_t count = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != sep)
			continue;
		if (count < max) {
			f[count].s = s + start;
			f[count].n = i - start;
		}
		count++;
		start = i + 1;
	}
	return count;
}
