/*
 * lib/buf.c — bounded growable buffer.
 */
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t toobig)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->toobig = toobig;
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need >= b->toobig || need < b->len)
		return dr_error(DR_E_DATA, "buffer would exceed its limit of %zu bytes", b->toobig);
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > b->toobig)
		cap = b->toobig;
	char *p = realloc(b->data, cap);
	if (p == NULL)
		return dr_error(DR_E_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_put_long(struct buf *b, long long v)
{
	char tmp[TEXT_DECIMAL_MAX];

	return buf_append(b, tmp, text_decimal(v, tmp));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return dr_error(DR_E_INTERNAL, "bad format string");
	int rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int array_grow(void **p, size_t *cap, size_t need, size_t size, const char *what)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 256;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / size)
		return dr_error(DR_E_NOMEM, "out of memory %s", what);
	void *q = realloc(*p, ncap * size);
	if (q == NULL)
		return dr_error(DR_E_NOMEM, "out of memory %s", what);
	*p = q;
	*cap = ncap;
	return 0;
}
