/*
 * load/status_io.h — the figures of `dmpremb status`, read from the database.
 *
 * Each reader is one query (indexed on the feed's own predicates, through
 * the owner's functions of sql/010_citus.sql: ops sees figures, never a
 * dossier). The caller (jobs/status.c) runs them in one read-only snapshot.
 */
#ifndef DR_STATUS_IO_H
#define DR_STATUS_IO_H

#include <libpq-fe.h>

#include "lib/reports.h"

/* s->as_of, first_hours, refresh_days and grace_hours set: the two promises */
int status_read_promises(PGconn *c, struct status *s);
/* dossiers by state, events not applied, unfinished backfills */
int status_read_dossiers(PGconn *c, struct status *s);
/* the latest run of each command, and the last feed's unlabelled lines */
int status_read_runs(PGconn *c, struct status *s);
/* frees what the readers allocated */
void status_free(struct status *s);

#endif
