/*
 * lib/err.c — per-thread error message, context frames and hint, and the
 * mapping to exit statuses (see err.h).
 */
#include "lib/err.h"
#include "lib/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#define ERRCTX_DEPTH 32   /* frames named in one message, the outermost first */

static _Thread_local char errbuf[DR_ERRMSG_MAX];
static _Thread_local char hintbuf[DR_ERRMSG_MAX];
static _Thread_local struct dr_errctx *errctx_top;

/* True when msg already names part as a context does: "part:". */
static bool names(const char *msg, const char *part)
{
	size_t n = strlen(part);

	for (const char *p = strstr(msg, part); p; p = strstr(p + 1, part))
		if (p[n] == ':')
			return true;
	return false;
}

/* Appends "frame: " for each frame, outer to inner, that says something the
 * message does not already say; returns the length written to out. */
static size_t context_prefix(const char *msg, char *out, size_t cap)
{
	const struct dr_errctx *frames[ERRCTX_DEPTH];
	char part[DR_ERRCTX_MAX];
	size_t len = 0;
	int n = 0;

	out[0] = '\0';
	for (const struct dr_errctx *f = errctx_top; f && n < ERRCTX_DEPTH; f = f->prev)
		frames[n++] = f;
	while (n-- > 0) {
		part[0] = '\0';
		frames[n]->describe(frames[n]->arg, part, sizeof(part));
		if (part[0] == '\0' || names(msg, part) || names(out, part))
			continue;
		int w = snprintf(out + len, cap - len, "%s: ", part);
		if (w < 0 || (size_t)w >= cap - len)
			return strlen(out);
		len += (size_t)w;
	}
	return len;
}

/* Formats into a scratch buffer first: callers may pass dr_errmsg() itself
 * as an argument, to wrap the previous message ("step: %s"). A message is one
 * line: a control character that reached it from outside (a path, a name) is
 * escaped, as in the logs (text_escape). */
int dr_error(int code, const char *fmt, ...)
{
	char msg[DR_ERRMSG_MAX], full[DR_ERRMSG_MAX];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a new message, not a wrap of the last one: its hint no longer applies */
	if (errbuf[0] == '\0' || strstr(msg, errbuf) == NULL)
		hintbuf[0] = '\0';
	len = context_prefix(msg, full, sizeof(full));
	snprintf(full + len, sizeof(full) - len, "%s", msg);
	text_escape(full, TEXT_ESC_CONTROLS, errbuf, sizeof(errbuf));
	return code;
}

const char *dr_errmsg(void)
{
	return errbuf;
}

void dr_errclear(void)
{
	errbuf[0] = '\0';
	hintbuf[0] = '\0';
}

void dr_errctx_push(struct dr_errctx *f)
{
	f->prev = errctx_top;
	errctx_top = f;
}

void dr_errctx_pop(struct dr_errctx *f)
{
	errctx_top = f->prev;
}

void dr_errline_describe(const void *arg, char *out, size_t n)
{
	const struct dr_errline *f = arg;

	if (f->line == NULL)
		snprintf(out, n, "%s", f->name);
	else if (*f->line > 0)
		snprintf(out, n, "%s line %ld", f->name, *f->line);
}

void dr_errline_push(struct dr_errline *f, const char *name, const long *line)
{
	f->name = name;
	f->line = line;
	f->ctx.describe = dr_errline_describe;
	f->ctx.arg = f;
	dr_errctx_push(&f->ctx);
}

static void errstep_describe(const void *arg, char *out, size_t n)
{
	const struct dr_errstep *f = arg;

	if (*f->n > 0)
		snprintf(out, n, "%s %lld", f->what, *f->n);
}

void dr_errstep_push(struct dr_errstep *f, const char *what, const long long *n)
{
	f->what = what;
	f->n = n;
	f->ctx.describe = errstep_describe;
	f->ctx.arg = f;
	dr_errctx_push(&f->ctx);
}

int dr_hint(int code, const char *fmt, ...)
{
	char hint[DR_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hint, sizeof(hint), fmt, ap);
	va_end(ap);
	text_escape(hint, TEXT_ESC_CONTROLS, hintbuf, sizeof(hintbuf));
	return code;
}

const char *dr_errhint(void)
{
	return hintbuf;
}

void dr_errsave(struct dr_errsaved *s)
{
	memcpy(s->msg, errbuf, sizeof(s->msg));
	memcpy(s->hint, hintbuf, sizeof(s->hint));
}

int dr_errrestore(int code, const struct dr_errsaved *s)
{
	dr_error(code, "%s", s->msg);
	memcpy(hintbuf, s->hint, sizeof(hintbuf));
	return code;
}

int dr_exit_code(int code)
{
	switch (code) {
	case DR_OK: return EX_OK;
	case DR_E_USAGE: return EX_USAGE;
	case DR_E_DATA: return EX_DATAERR;
	case DR_E_NOINPUT: return EX_NOINPUT;
	case DR_E_DBDOWN: return EX_UNAVAILABLE;
	case DR_E_IO: return EX_IOERR;
	case DR_E_RETRY: return EX_TEMPFAIL;
	case DR_E_INTERRUPTED: return EX_TEMPFAIL;
	case DR_E_CONFIG: return EX_CONFIG;
	case DR_E_PROMISE: return 1;
	default: return EX_SOFTWARE;
	}
}

const char *dr_status_name(int code)
{
	switch (code) {
	case DR_OK: return "ok";
	case DR_E_USAGE: return "usage";
	case DR_E_DATA: return "data";
	case DR_E_NOINPUT: return "noinput";
	case DR_E_DBDOWN: return "db-unavailable";
	case DR_E_IO: return "io";
	case DR_E_RETRY: return "retry";
	case DR_E_INTERRUPTED: return "interrupted";
	case DR_E_CONFIG: return "config";
	case DR_E_NOMEM: return "nomem";
	case DR_E_PROMISE: return "promise-broken";
	default: return "internal";
	}
}
