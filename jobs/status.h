/*
 * jobs/status.h — `dmpremb status`: the promises, read in one snapshot.
 */
#ifndef DR_JOBS_STATUS_H
#define DR_JOBS_STATUS_H

#include <libpq-fe.h>

#include "lib/reports.h"

/*
 * s carries the thresholds (first_hours, refresh_days, grace_hours); as_of
 * is an ISO 8601 timestamp or NULL for now, read as feed reads it. Fills s;
 * jobs_status_free() after.
 */
int jobs_status(PGconn *c, const char *as_of, struct status *s);
void jobs_status_free(struct status *s);

#endif
