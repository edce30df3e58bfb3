/*
 * jobs/dossiers.h — `dmpremb dossiers import|vacuum`.
 */
#ifndef DR_JOBS_DOSSIERS_H
#define DR_JOBS_DOSSIERS_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "lib/lines.h"
#include "lib/reports.h"

/* What the command says on stderr, by line (never a value of the line):
 * a line refused by its format (column may be NULL), an event dated in the
 * future, an event the fold refused (line 0: recorded earlier; at: its
 * instant, UTC), and that more refused events were not listed. */
struct dossiers_say {
	void (*bad_line)(void *arg, const char *file, long line, const char *column, const char *why);
	void (*future)(void *arg, const char *file, long long line);
	void (*refused)(void *arg, const char *file, long long line, const char *evenement, const char *at,
			const char *outcome);
	void (*more_refused)(void *arg, const char *file);
	void *arg;
};

/* The events file, opened before the run is recorded (a missing file
 * records no run): path '-' is standard input. jobs_dossiers_close after. */
int jobs_dossiers_open(const char *path, struct lines *in);
void jobs_dossiers_close(struct lines *in);

/*
 * Records the events of in (name: how messages call it) in one
 * transaction, then folds every dossier with events not applied yet, slice
 * by slice. run_id links the events to the run. n is filled in every case.
 */
int jobs_dossiers_import(PGconn *c, struct lines *in, const char *name, long long run_id,
			 const struct dossiers_say *say, struct dossiers_import_report *n);

/* Destroys on disk what deletions left (load/lifecycle_io.h). */
int jobs_dossiers_vacuum(PGconn *c, bool full, struct destruction_report *r);

#endif
