/*
 * load/db_cancel.c — a signal cancels the statement the server is running.
 *
 * Without this, SIGINT/SIGTERM is only seen between statements: a batch's
 * classification or merge (one statement, minutes at national scale) would
 * hold Ctrl-C back until it ends. The first signal calls PQcancel() — which
 * libpq documents as safe in a signal handler — on every registered
 * connection; the running statement fails with SQLSTATE 57014, which
 * db_fail() classifies as DR_E_INTERRUPTED, and the caller rolls back. A
 * cancel that reaches an idle connection is ignored by the server.
 *
 * The handler may run on any thread (OpenMP workers included): a slot is
 * emptied atomically, and its PGcancel freed only once no handler runs.
 */
#include "load/db.h"
#include "lib/err.h"
#include "lib/interrupt.h"

#include <stdatomic.h>
#include <stddef.h>

#define DB_CANCEL_MAX 4

static PGcancel *_Atomic slots[DB_CANCEL_MAX];
static PGconn *owners[DB_CANCEL_MAX];
static atomic_int handlers_running;

static void cancel_all(void)
{
	char errbuf[256];

	atomic_fetch_add(&handlers_running, 1);
	for (int i = 0; i < DB_CANCEL_MAX; i++) {
		PGcancel *k = atomic_load(&slots[i]);
		if (k != NULL)
			(void)PQcancel(k, errbuf, (int)sizeof(errbuf));
	}
	atomic_fetch_sub(&handlers_running, 1);
}

int db_cancel_on_interrupt(PGconn *c)
{
	for (int i = 0; i < DB_CANCEL_MAX; i++) {
		if (owners[i] != NULL)
			continue;
		PGcancel *k = PQgetCancel(c);
		if (k == NULL)
			return dr_error(DR_E_INTERNAL, "cannot prepare the cancelling of statements"
					" (connection not open)");
		owners[i] = c;
		atomic_store(&slots[i], k);
		dr_interrupt_hook(cancel_all);
		return 0;
	}
	return dr_error(DR_E_INTERNAL, "more than %d connections to cancel on a signal", DB_CANCEL_MAX);
}

void db_cancel_forget(PGconn *c)
{
	for (int i = 0; i < DB_CANCEL_MAX; i++) {
		if (c == NULL || owners[i] != c)
			continue;
		PGcancel *k = atomic_exchange(&slots[i], NULL);
		while (atomic_load(&handlers_running) > 0)
			;  /* a handler on another thread still holds k: it is about to end */
		PQfreeCancel(k);
		owners[i] = NULL;
	}
}
