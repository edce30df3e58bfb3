/*
 * lib/buf.h — growable byte buffer with a hard maximum size.
 *
 * Like curl's dynbuf: every buffer is created with `toobig`, the size it may
 * never reach; an append that would reach it fails with DR_E_DATA and leaves
 * the buffer unchanged, so oversized input becomes a reject, not a crash.
 * `data` is always NUL-terminated after a successful call (len excludes it).
 */
#ifndef DR_BUF_H
#define DR_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len, cap, toobig;
};

void buf_init(struct buf *b, size_t toobig);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_putc(struct buf *b, char c);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);   /* len = 0, memory kept */
void buf_free(struct buf *b);
/* Hands the storage to the caller (who frees it); the buffer is empty again. */
char *buf_detach(struct buf *b, size_t *len);

/*
 * Grows the array *p of *cap elements of `size` bytes so that it holds at
 * least `need` (doubling, from 256). DR_E_NOMEM, array unchanged, when
 * memory is short; `what` names the work in the message.
 */
int array_grow(void **p, size_t *cap, size_t need, size_t size, const char *what);

#endif
