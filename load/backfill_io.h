/*
 * load/backfill_io.h — the list of a backfill, in table backfill_item.
 *
 * A backfill's dossiers are listed once, in the database, so that an
 * interrupted backfill resumes where it stopped and no dossier is fed twice
 * by one backfill (its item is marked done with its document: feed_io.h).
 * jobs/backfill.c composes these calls; each is one statement.
 */
#ifndef DR_BACKFILL_IO_H
#define DR_BACKFILL_IO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "load/feed_io.h"

/* Which dossiers: exactly one of all, list (INS-Cs loaded into the session's
 * feed_list: feed_load_list), from/to (claim lines processed between). */
struct backfill_selection {
	const char *from, *to, *list;
	bool all;
};

struct backfill_estimate {
	long long listed, feedable, lines;
	double docs_per_s;         /* the recent feeds' rate; 0: unknown */
};

/* --from/--to: dates, in order (DR_E_USAGE naming the options otherwise). */
int backfill_check_dates(PGconn *c, const char *from, const char *to);
/* --dry-run: what the list would hold, and the rate to expect. */
int backfill_estimate(PGconn *c, const struct backfill_selection *a, const struct feed_selection *sel,
		      const char *as_of, struct backfill_estimate *e);
/* Writes the list of run_id (the caller's transaction): *listed items. */
int backfill_write_list(PGconn *c, const struct backfill_selection *a, const struct feed_selection *sel,
			long long run_id, long long *listed);
/* The list's session lock; DR_E_RETRY when another process runs it. */
int backfill_lock_list(PGconn *c, long long run_id);
/* --resume RUN_ID: DR_E_USAGE unless that run is a backfill. */
int backfill_check_resume(PGconn *c, long long run_id);

#endif
