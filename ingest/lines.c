/*
 * ingest/lines.c — bounded line reader for stdin and small text inputs.
 */
#include "ingest/lines.h"
#include "lib/err.h"

#include <errno.h>
#include <string.h>

void lines_init(struct lines *l, FILE *in, size_t max)
{
	l->in = in;
	buf_init(&l->buf, max + 2);
	l->text = "";
	l->len = 0;
	l->lineno = 0;
	l->too_long = false;
	l->max = max;
}

int lines_next(struct lines *l)
{
	int c = EOF, rc;

	buf_reset(&l->buf);
	l->too_long = false;
	while ((c = getc_unlocked(l->in)) != EOF && c != '\n') {
		if (l->buf.len >= l->max) {
			l->too_long = true;
			continue;
		}
		rc = buf_putc(&l->buf, (char)c);
		if (rc)
			return rc;
	}
	if (ferror(l->in))
		return dr_error(DR_E_IO, "cannot read input: %s", strerror(errno));
	if (c == EOF && l->buf.len == 0 && !l->too_long)
		return 0;
	l->lineno++;
	if (l->buf.len > 0 && l->buf.data[l->buf.len - 1] == '\r')
		l->buf.data[--l->buf.len] = '\0';
	l->text = l->buf.data ? l->buf.data : "";
	l->len = l->buf.len;
	if (l->lineno == 1 && l->len >= 3 && memcmp(l->text, "\xEF\xBB\xBF", 3) == 0) {
		l->text += 3;
		l->len -= 3;
	}
	return 1;
}

bool lines_blank(const struct lines *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->text[i] != ' ' && l->text[i] != '\t')
			return false;
	return true;
}

void lines_free(struct lines *l)
{
	buf_free(&l->buf);
	l->text = "";
	l->len = 0;
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
