/*
 * load/copy_out.h — reading COPY (SELECT ...) TO STDOUT in text format.
 *
 * The streaming counterpart of load/copy.h: one query sends all the rows of
 * a step (the claim lines of a chunk of dossiers, a referential), with no
 * per-row round trip. Each row is split into fields in place and unescaped;
 * a NULL field is a NULL pointer.
 *
 *     copy_out_begin(&co, conn, "COPY (SELECT a, b FROM t) TO STDOUT");
 *     while ((rc = copy_out_next(&co)) > 0)
 *             use(co.field[0], co.field[1]);   // valid until the next call
 *     if (rc < 0) ... error
 *
 * rc is 1 per row, 0 at the end (the COPY finished fine), < 0 on error.
 */
#ifndef DR_COPY_OUT_H
#define DR_COPY_OUT_H

#include <libpq-fe.h>

#define COPY_OUT_MAX_FIELDS 40

struct copy_out {
	PGconn *conn;
	const char *what;     /* step name for messages */
	char *row;            /* libpq's buffer of the current row */
	int nfield;
	char *field[COPY_OUT_MAX_FIELDS];
	size_t len[COPY_OUT_MAX_FIELDS];
	long long rows;
};

int copy_out_begin(struct copy_out *co, PGconn *conn, const char *what, const char *sql);
int copy_out_next(struct copy_out *co);
/* Hands the current row's buffer to the caller, who PQfreemem()s it later:
 * the field pointers then stay valid after the next call (no copy). */
char *copy_out_keep(struct copy_out *co);
/* Releases the current row; call after an early exit from the loop (the
 * connection then needs the COPY drained: copy_out_drain). */
void copy_out_drain(struct copy_out *co);

#endif
