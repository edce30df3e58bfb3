/*
 * load/db.c — connection, statement helpers and SQLSTATE classification.
 */
#include "load/db.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *db_sqlstate(const PGresult *r)
{
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	return s ? s : "";
}

static int classify(const char *st, PGconn *c)
{
	if (st[0] == '\0')
		return (c == NULL || PQstatus(c) == CONNECTION_BAD) ? DR_E_RETRY : DR_E_INTERNAL;
	if (strncmp(st, "08", 2) == 0 ||        /* connection exception */
	    strcmp(st, "57P01") == 0 ||          /* admin shutdown */
	    strcmp(st, "57P02") == 0 ||          /* crash shutdown */
	    strcmp(st, "57P03") == 0 ||          /* cannot connect now */
	    strcmp(st, "40001") == 0 ||          /* serialization failure */
	    strcmp(st, "40P01") == 0 ||          /* deadlock detected */
	    strcmp(st, "55P03") == 0 ||          /* lock not available */
	    strncmp(st, "53", 2) == 0)           /* insufficient resources (disk full) */
		return DR_E_RETRY;
	if (strncmp(st, "28", 2) == 0 || strcmp(st, "3D000") == 0)
		return DR_E_DBDOWN;
	if (strcmp(st, "42P01") == 0 || strcmp(st, "3F000") == 0 || strcmp(st, "42883") == 0
	    || strcmp(st, "42703") == 0)           /* undefined column: a binary newer than the schema */
		return DR_E_CONFIG;
	if (strcmp(st, "57014") == 0)            /* query canceled */
		return DR_E_INTERRUPTED;
	return DR_E_INTERNAL;
}

/* First line of msg, at most 200 chars, into out. */
static void first_line(const char *msg, char *out, size_t cap)
{
	size_t n = 0;

	if (msg == NULL)
		msg = "";
	while (msg[n] && msg[n] != '\n' && n + 1 < cap && n < 200)
		n++;
	memcpy(out, msg, n);
	out[n] = '\0';
}

/* What an operator does about a transient failure (NULL when none applies):
 * the message's hint (lib/err.h). */
static const char *retry_hint(const char *st, PGconn *c)
{
	if ((st[0] == '\0' && c != NULL && PQstatus(c) == CONNECTION_BAD) || strncmp(st, "08", 2) == 0
	    || strncmp(st, "57P", 3) == 0)
		return "connection to the database lost: the transaction was rolled back;"
		       " run the command again once the database is back";
	if (strncmp(st, "53", 2) == 0)
		return "the database server is out of disk space, memory or connections: the transaction"
		       " was rolled back; free the resource, then run the command again";
	return NULL;
}

int db_fail(PGconn *c, PGresult *r, const char *what)
{
	const char *st = db_sqlstate(r);
	char msg[256];
	int code;

	if (r)
		first_line(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof(msg));
	else
		msg[0] = '\0';
	if (msg[0] == '\0' && c)
		first_line(PQerrorMessage(c), msg, sizeof(msg));
	/* data exceptions (22) and constraint violations (23) may quote the
	 * offending value in their primary message: keep only the SQLSTATE */
	if (strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0)
		snprintf(msg, sizeof(msg), "the server refused a value (message withheld: it may quote data)");
	code = classify(st, c);
	if (code == DR_E_INTERRUPTED && dr_interrupted())  /* our own cancel: load/db_cancel.c */
		return dr_error(code, "interrupted while %s (statement cancelled)", what);
	if (code == DR_E_CONFIG)
		return dr_error(code, "%s: database schema is missing or out of date (SQLSTATE %s: %s); run 'dmpremb db migrate'",
				what, st, msg);
	const char *hint = retry_hint(st, c);
	dr_error(code, "%s failed%s%s%s: %s", what, st[0] ? " (SQLSTATE " : "", st, st[0] ? ")" : "", msg);
	return hint ? dr_hint(code, "%s", hint) : code;
}

/* Server NOTICEs ("relation already exists, skipping") are not events for
 * operators; they are dropped rather than printed by libpq on stderr. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Health data must not cross a network in clear: say so when it would. */
static void warn_plaintext(PGconn *c)
{
	const char *host = PQhost(c);

	if (PQsslInUse(c) || host == NULL || host[0] == '/' || host[0] == '@'
	    || strcmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0)
		return;
	dr_log(DR_LOG_WARN, "db.plaintext", "the connection to %s is not encrypted: use sslmode=verify-full"
	       " (README, Security)", host);
}

int db_connect(const char *conninfo, const char *app, PGconn **out)
{
	const char *keys[] = { "dbname", "application_name", "fallback_application_name", NULL };
	const char *vals[] = { conninfo ? conninfo : "", app, "dmpremb", NULL };
	PGconn *c;
	char msg[256];

	*out = NULL;
	/* expand_dbname lets --db be a conninfo string or a URI */
	c = PQconnectdbParams(conninfo ? keys : keys + 1, conninfo ? vals : vals + 1, conninfo ? 1 : 0);
	if (c == NULL)
		return dr_error(DR_E_NOMEM, "cannot allocate a database connection");
	if (PQstatus(c) != CONNECTION_OK) {
		first_line(PQerrorMessage(c), msg, sizeof(msg));
		/* authentication and unknown database are not worth retrying */
		int code = (strstr(msg, "authentication") || strstr(msg, "does not exist")
			    || strstr(msg, "no pg_hba.conf"))
			? DR_E_DBDOWN : DR_E_RETRY;
		PQfinish(c);
		return dr_error(code, "cannot connect to the database: %s", msg);
	}
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	PGresult *r = PQexec(c, "SET search_path TO " DB_SCHEMA ", public; "
				"SET client_encoding TO 'UTF8'; SET datestyle TO 'ISO, YMD'; "
				"SET TIME ZONE 'Europe/Paris'");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		int rc = db_fail(c, r, "session setup");
		PQclear(r);
		PQfinish(c);
		return rc;
	}
	PQclear(r);
	warn_plaintext(c);
	*out = c;
	return 0;
}

int db_set_role(PGconn *c, const char *role)
{
	const char *params[1] = { role };
	PGresult *r = PQexecParams(c, "SELECT set_config('role', $1, false)", 1, NULL, params, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *st = db_sqlstate(r);
		char login[128];
		snprintf(login, sizeof(login), "%s", PQuser(c) ? PQuser(c) : "?");
		if (strcmp(st, "22023") == 0)   /* invalid_parameter_value: no such role */
			rc = dr_error(DR_E_CONFIG, "role %s does not exist: run 'dmpremb db migrate'", role);
		else if (strcmp(st, "42501") == 0)
			rc = dr_error(DR_E_CONFIG, "this command runs as role %s, which login %s does not hold"
				      " (GRANT %s TO %s)", role, login, role, login);
		else
			rc = db_fail(c, r, "setting the role");
	}
	PQclear(r);
	return rc;
}

void db_close(PGconn *c)
{
	if (c) {
		db_cancel_forget(c);
		PQfinish(c);
	}
}

int db_execp(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = n ? PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0) : PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = db_fail(c, r, "statement");
	PQclear(r);
	return rc;
}

int db_exec(PGconn *c, const char *sql)
{
	return db_execp(c, sql, 0, NULL);
}

static int query_typed(PGconn *c, const char *what, const char *sql, int n, const Oid *types,
		       const char *const *params, PGresult **out)
{
	PGresult *r = PQexecParams(c, sql, n, types, params, NULL, NULL, 0);

	*out = NULL;
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		int rc = db_fail(c, r, what);
		PQclear(r);
		return rc;
	}
	*out = r;
	return 0;
}

int db_query(PGconn *c, const char *what, const char *sql, int n,
	     const char *const *params, PGresult **out)
{
	return query_typed(c, what, sql, n, NULL, params, out);
}

int db_query_option(PGconn *c, const char *what, const char *sql, int n,
		    const char *const *params, const char *usage_msg, PGresult **out)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	*out = NULL;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = strncmp(db_sqlstate(r), "22", 2) == 0
			? dr_error(DR_E_USAGE, "%s", usage_msg) : db_fail(c, r, what);
		PQclear(r);
		return rc;
	}
	*out = r;
	return 0;
}

int db_query_text(PGconn *c, const char *what, const char *sql, int n,
		  const char *const *params, PGresult **out)
{
	static const Oid text[] = { 25, 25, 25, 25, 25, 25, 25, 25 };   /* TEXTOID */

	if (n > (int)(sizeof(text) / sizeof(text[0])))
		return dr_error(DR_E_INTERNAL, "%s: too many parameters", what);
	return query_typed(c, what, sql, n, text, params, out);
}

int db_query_long(PGconn *c, const char *sql, int n, const char *const *params,
		  long long def, long long *out)
{
	PGresult *r;
	int rc = db_query(c, "query", sql, n, params, &r);

	if (rc)
		return rc;
	rc = PQntuples(r) > 0 ? db_get_long(r, 0, 0, def, out) : (*out = def, 0);
	PQclear(r);
	return rc;
}

int db_get_long(const PGresult *r, int row, int col, long long def, long long *out)
{
	if (PQgetisnull(r, row, col)) {
		*out = def;
		return 0;
	}
	if (num_parse_ll(PQgetvalue(r, row, col), out) != 0)
		return dr_error(DR_E_INTERNAL, "column %s of the server's answer is not an integer",
				PQfname(r, col) ? PQfname(r, col) : "?");
	return 0;
}

int db_get_double(const PGresult *r, int row, int col, double def, double *out)
{
	if (PQgetisnull(r, row, col)) {
		*out = def;
		return 0;
	}
	if (num_parse_double(PQgetvalue(r, row, col), out) != 0)
		return dr_error(DR_E_INTERNAL, "column %s of the server's answer is not a number",
				PQfname(r, col) ? PQfname(r, col) : "?");
	return 0;
}

int db_cmd_rows(const PGresult *r, long long *out)
{
	if (num_parse_ll(PQcmdTuples((PGresult *)r), out) != 0)
		return dr_error(DR_E_INTERNAL, "the server's answer gives no row count");
	return 0;
}

int db_begin(PGconn *c)
{
	return db_exec(c, "BEGIN");
}

int db_begin_snapshot(PGconn *c)
{
	return db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

int db_commit(PGconn *c)
{
	return db_exec(c, "COMMIT");
}

void db_rollback(PGconn *c)
{
	if (c && PQtransactionStatus(c) != PQTRANS_IDLE) {
		PGresult *r = PQexec(c, "ROLLBACK");
		PQclear(r);
	}
}
