/*
 * load/copy.c — buffered COPY FROM STDIN writer.
 */
#include "load/copy.h"
#include "load/db.h"
#include "lib/err.h"
#include "lib/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int copy_begin(struct copy *cp, PGconn *conn, const char *sql)
{
	PGresult *r;

	cp->conn = conn;
	buf_init(&cp->out, COPY_BUF_MAX);
	cp->nfield = 0;
	cp->rows = 0;
	cp->failed = 0;
	cp->binary = 0;
	r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		int rc = db_fail(conn, r, "COPY");
		PQclear(r);
		return rc;
	}
	PQclear(r);
	return 0;
}

/* Sends s[0, n) as it is, in CopyData messages of at most COPY_CHUNK. */
static int put_data(struct copy *cp, const char *s, size_t n)
{
	for (size_t off = 0; off < n; off += COPY_CHUNK) {
		size_t k = n - off < COPY_CHUNK ? n - off : COPY_CHUNK;
		if (PQputCopyData(cp->conn, s + off, (int)k) != 1) {
			cp->failed = 1;
			return db_fail(cp->conn, NULL, "COPY data");
		}
	}
	return 0;
}

static int copy_flush(struct copy *cp)
{
	int rc = put_data(cp, cp->out.data, cp->out.len);

	if (rc == 0)
		buf_reset(&cp->out);
	return rc;
}

/* Bytes COPY's text format escapes: backslash, tab, newline, carriage
 * return, each as a backslash and a letter (0: copied as is). */
static const char copy_esc[256] = { ['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r' };

char *copy_escape_to(char *d, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	/* a byte at a time: most values are a few bytes, where a memcpy call
	 * per run cost more than the copy */
	while (p < end) {
		unsigned char c = *p++;
		if (copy_esc[c]) {
			*d++ = '\\';
			*d++ = copy_esc[c];
		} else {
			*d++ = (char)c;
		}
	}
	return d;
}

int copy_escape(struct buf *out, const char *s, size_t n)
{
	/* room for the worst case once, then plain stores: this runs for every
	 * value of every row staged or stored */
	if (n > ((size_t)-1 - 1) / 2)
		return dr_error(DR_E_DATA, "value too large for COPY");
	int rc = buf_reserve(out, 2 * n);
	if (rc)
		return rc;
	char *d = copy_escape_to(out->data + out->len, s, n);
	*d = '\0';
	out->len = (size_t)(d - out->data);
	return 0;
}

int copy_field(struct copy *cp, const char *s, size_t n)
{
	int rc = 0;

	if (cp->nfield++ > 0)
		rc = buf_putc(&cp->out, '\t');
	return rc ? rc : copy_escape(&cp->out, s, n);
}

int copy_null(struct copy *cp)
{
	int rc = 0;

	if (cp->nfield++ > 0)
		rc = buf_putc(&cp->out, '\t');
	return rc ? rc : buf_append(&cp->out, "\\N", 2);
}

int copy_fieldz(struct copy *cp, const char *s)
{
	return s ? copy_field(cp, s, strlen(s)) : copy_null(cp);
}

int copy_long(struct copy *cp, long long v)
{
	char tmp[TEXT_DECIMAL_MAX];

	return copy_field(cp, tmp, text_decimal(v, tmp));
}

int copy_end_row(struct copy *cp)
{
	int rc = buf_putc(&cp->out, '\n');

	cp->nfield = 0;
	cp->rows++;
	if (rc == 0 && cp->out.len >= COPY_CHUNK)
		rc = copy_flush(cp);
	return rc;
}

int copy_raw(struct copy *cp, const char *s, size_t n, long long nrows)
{
	int rc = copy_flush(cp);

	if (rc == 0 && (rc = put_data(cp, s, n)) == 0)
		cp->rows += nrows;
	return rc;
}

/* ---- binary format ---------------------------------------------------------- */

static int put_be(struct copy *cp, unsigned long v, int bytes)
{
	char b[4];

	for (int i = 0; i < bytes; i++)
		b[i] = (char)(v >> (8 * (bytes - 1 - i)));
	return buf_append(&cp->out, b, (size_t)bytes);
}

int copy_begin_binary(struct copy *cp, PGconn *conn, const char *sql)
{
	/* signature, flags (no OIDs), header extension length */
	static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
	int rc = copy_begin(cp, conn, sql);

	if (rc)
		return rc;
	cp->binary = 1;
	return buf_append(&cp->out, header, sizeof(header));
}

int copy_bin_row(struct copy *cp, int nfields)
{
	int rc = 0;

	if (cp->rows > 0 && cp->out.len >= COPY_CHUNK)
		rc = copy_flush(cp);
	cp->rows++;
	return rc ? rc : put_be(cp, (unsigned long)nfields, 2);
}

int copy_bin_text(struct copy *cp, const char *s, size_t n)
{
	if (n > 0x7FFFFFFF)
		return dr_error(DR_E_DATA, "value of %zu bytes too large for COPY", n);
	int rc = put_be(cp, (unsigned long)n, 4);

	if (rc == 0 && n > COPY_CHUNK && (rc = copy_flush(cp)) == 0)
		return put_data(cp, s, n);   /* as it is: never copied into the buffer */
	return rc ? rc : buf_append(&cp->out, s, n);
}

int copy_bin_textz(struct copy *cp, const char *s)
{
	return s ? copy_bin_text(cp, s, strlen(s)) : put_be(cp, 0xFFFFFFFFul, 4);
}

int copy_bin_int4(struct copy *cp, long v)
{
	int rc = put_be(cp, 4, 4);

	return rc ? rc : put_be(cp, (unsigned long)(uint32_t)(int32_t)v, 4);
}

int copy_bin_int4_array(struct copy *cp, const long *v, int n)
{
	enum { INT4OID = 23 };
	/* the value's length, then ndim, has-nulls flag, element type, the
	 * dimension and its lower bound; then each element as a length and its
	 * value */
	const unsigned long head[] = { 20 + 8 * (unsigned long)n, 1, 0, INT4OID, (unsigned long)n, 1 };
	int rc = 0;

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]) && rc == 0; i++)
		rc = put_be(cp, head[i], 4);
	for (int i = 0; i < n && rc == 0; i++)
		rc = copy_bin_int4(cp, v[i]);
	return rc;
}

int copy_finish(struct copy *cp, long long *rows)
{
	int rc = cp->binary ? put_be(cp, 0xFFFF, 2) : 0;   /* the trailer */
	PGresult *r;

	if (rc == 0)
		rc = copy_flush(cp);

	buf_free(&cp->out);
	if (rc)
		return rc;
	if (PQputCopyEnd(cp->conn, NULL) != 1)
		return db_fail(cp->conn, NULL, "COPY end");
	r = PQgetResult(cp->conn);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = db_fail(cp->conn, r, "COPY");
		PQclear(r);
		while ((r = PQgetResult(cp->conn)) != NULL)
			PQclear(r);
		return rc;
	}
	if (rows)
		rc = db_cmd_rows(r, rows);
	PQclear(r);
	while ((r = PQgetResult(cp->conn)) != NULL)
		PQclear(r);
	return rc;
}

void copy_abort(struct copy *cp, const char *why)
{
	PGresult *r;

	buf_free(&cp->out);
	if (PQputCopyEnd(cp->conn, why) == 1) {
		while ((r = PQgetResult(cp->conn)) != NULL)
			PQclear(r);
	}
}
