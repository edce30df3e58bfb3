/*
 * lib/err.c — per-thread error message and the mapping to exit statuses.
 */
#include "lib/err.h"
#include "lib/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static _Thread_local char errbuf[1024];

/* Formats into a scratch buffer first: callers may pass dr_errmsg() itself
 * as an argument, to wrap the previous message ("step: %s"). A message is one
 * line: a control character that reached it from outside (a path, a name) is
 * escaped, as in the logs (text_escape). */
int dr_error(int code, const char *fmt, ...)
{
	char msg[sizeof(errbuf)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	text_escape(msg, TEXT_ESC_CONTROLS, errbuf, sizeof(errbuf));
	return code;
}

const char *dr_errmsg(void)
{
	return errbuf;
}

void dr_errclear(void)
{
	errbuf[0] = '\0';
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
