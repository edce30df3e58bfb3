/*
 * load/db.h — the PostgreSQL connection and error policy.
 *
 * Connects with libpq's usual rules (PG* variables, service files) or an
 * explicit conninfo, sets search_path to the project schema and a recognisable
 * application_name. Every failure is classified by SQLSTATE, never by message
 * text: connection loss, admin shutdown, serialization failure, deadlock and
 * resource exhaustion are DR_E_RETRY (exit 75); refused authentication or a
 * missing database DR_E_DBDOWN (69); a missing schema DR_E_CONFIG (78, "run
 * dmpremb db migrate"); anything else DR_E_INTERNAL.
 *
 * Server messages can echo data (a constraint violation quotes the row): the
 * message recorded with dr_error() keeps the SQLSTATE and the first line of the
 * primary message, never DETAIL, and for classes 22 and 23 (which may quote a
 * value) no server text at all.
 */
#ifndef DR_DB_H
#define DR_DB_H

#include <libpq-fe.h>
#include <stddef.h>

#include "lib/text.h"   /* text_decimal */

#define DB_SCHEMA "dmpremb"

/* Opens a connection; conninfo may be NULL (environment). */
int db_connect(const char *conninfo, const char *app, PGconn **out);
void db_close(PGconn *c);

/*
 * SET ROLE role for the session: the command then has that role's rights
 * only, whatever else the login holds. A missing role is DR_E_CONFIG ("run
 * dmpremb db migrate"), a login without it DR_E_CONFIG naming the GRANT.
 */
int db_set_role(PGconn *c, const char *role);

/* Classifies a failed result or connection; records a message; returns DR_E_*. */
int db_fail(PGconn *c, PGresult *r, const char *what);

/* Runs a statement with no result rows expected (parameters optional). */
int db_exec(PGconn *c, const char *sql);
int db_execp(PGconn *c, const char *sql, int n, const char *const *params);

/*
 * Runs a query expected to return rows; *out receives the result (caller
 * PQclear()s it). what names the step in messages.
 */
int db_query(PGconn *c, const char *what, const char *sql, int n,
	     const char *const *params, PGresult **out);

/*
 * The same with every parameter sent as text: a statement that casts each one
 * where it uses it ($1::timestamptz) may then leave some unused, so that
 * variants of one query share one parameter list.
 */
int db_query_text(PGconn *c, const char *what, const char *sql, int n,
		  const char *const *params, PGresult **out);

/*
 * db_query for a statement whose parameters come from the operator's options
 * (a date, a timestamp): a value the server cannot read (SQLSTATE class 22)
 * is a usage error with usage_msg; any other failure goes through db_fail.
 */
#define DB_AS_OF_USAGE "--as-of is not a timestamp (example: 2026-11-15T10:00:00+01:00)"
int db_query_option(PGconn *c, const char *what, const char *sql, int n,
		    const char *const *params, const char *usage_msg, PGresult **out);

/* Single value helpers: first column of first row as long / text (NULL -> def). */
int db_query_long(PGconn *c, const char *sql, int n, const char *const *params,
		  long long def, long long *out);

/*
 * Values read back, strictly (lib/num.h): a NULL gives def; a value that is
 * not a whole number is DR_E_INTERNAL naming the column. db_cmd_rows: the
 * row count of an INSERT/UPDATE/DELETE/COPY result.
 */
int db_get_long(const PGresult *r, int row, int col, long long def, long long *out);
int db_get_double(const PGresult *r, int row, int col, double def, double *out);
int db_cmd_rows(const PGresult *r, long long *out);

int db_begin(PGconn *c);
/* a read-only transaction in which every query sees the same snapshot */
int db_begin_snapshot(PGconn *c);
int db_commit(PGconn *c);
void db_rollback(PGconn *c);   /* best effort, ignores errors */

/*
 * From now until db_cancel_forget(c) (or db_close), SIGINT/SIGTERM cancels
 * the statement running on c (load/db_cancel.c): it then fails as
 * DR_E_INTERRUPTED instead of running to its end.
 */
int db_cancel_on_interrupt(PGconn *c);
void db_cancel_forget(PGconn *c);

/* SQLSTATE of a result, or "" */
const char *db_sqlstate(const PGresult *r);

/*
 * Whole numbers as a statement's text parameters, each in a slot of its own:
 *
 *     struct db_ints n;
 *     const char *params[2] = { db_int(&n, 0, batch_id), db_int(&n, 1, rows) };
 */
#define DB_INTS_MAX 8
struct db_ints {
	char v[DB_INTS_MAX][TEXT_DECIMAL_MAX];
};
static inline const char *db_int(struct db_ints *n, int k, long long v)
{
	text_decimal(v, n->v[k]);
	return n->v[k];
}

#endif
