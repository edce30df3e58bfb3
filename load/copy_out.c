/*
 * load/copy_out.c — COPY ... TO STDOUT reader (see copy_out.h).
 */
#include "load/copy_out.h"

#include <string.h>

#include "lib/err.h"
#include "load/db.h"

int copy_out_begin(struct copy_out *co, PGconn *conn, const char *what, const char *sql)
{
	memset(co, 0, sizeof(*co));
	co->conn = conn;
	co->what = what;
	PGresult *r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		int rc = db_fail(conn, r, what);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	return 0;
}

/* Unescapes s[0..n) in place (COPY text format); returns the new length. */
static size_t unescape(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			switch (c) {
			case 't': c = '\t'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			default: break;   /* \\ and any other escaped byte stand for themselves */
			}
		}
		s[o++] = c;
	}
	s[o] = '\0';
	return o;
}

static int finish(struct copy_out *co)
{
	PGresult *r;
	int rc = 0;
	while ((r = PQgetResult(co->conn)) != NULL) {
		if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = db_fail(co->conn, r, co->what);
		PQclear(r);
	}
	return rc;
}

static void release(struct copy_out *co)
{
	if (co->row) {
		PQfreemem(co->row);
		co->row = NULL;
	}
}

int copy_out_next(struct copy_out *co)
{
	release(co);
	char *buf;
	int n = PQgetCopyData(co->conn, &buf, 0);
	if (n == -1)
		return finish(co);
	if (n < 0)
		return db_fail(co->conn, NULL, co->what);
	co->row = buf;
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	co->nfield = 0;
	char *p = buf, *end = buf + n;
	for (;;) {
		char *tab = memchr(p, '\t', (size_t)(end - p));
		char *stop = tab ? tab : end;
		if (co->nfield == COPY_OUT_MAX_FIELDS)
			return dr_error(DR_E_INTERNAL, "%s: more than %d columns", co->what,
					COPY_OUT_MAX_FIELDS);
		size_t len = (size_t)(stop - p);
		*stop = '\0';
		if (len == 2 && p[0] == '\\' && p[1] == 'N') {
			co->field[co->nfield] = NULL;
			co->len[co->nfield] = 0;
		} else {
			co->field[co->nfield] = p;
			co->len[co->nfield] = memchr(p, '\\', len) ? unescape(p, len) : len;
		}
		co->nfield++;
		if (tab == NULL)
			break;
		p = tab + 1;
	}
	co->rows++;
	return 1;
}

char *copy_out_keep(struct copy_out *co)
{
	char *row = co->row;
	co->row = NULL;
	return row;
}

void copy_out_drain(struct copy_out *co)
{
	char *buf;
	release(co);
	while (PQgetCopyData(co->conn, &buf, 0) > 0)
		PQfreemem(buf);
	(void)finish(co);   /* the caller already has its error */
}
