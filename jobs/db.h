/*
 * jobs/db.h — `dmpremb db migrate|version|distribute`.
 */
#ifndef DR_JOBS_DB_H
#define DR_JOBS_DB_H

#include <libpq-fe.h>

#include "lib/reports.h"

/* Applies the pending migrations up to version upto (0: all), each in its own
 * transaction; *applied how many now, *current the version reached. */
int jobs_db_migrate(PGconn *c, int upto, int *applied, int *current);
/* The database's schema version, and the one this binary carries. */
int jobs_db_version(PGconn *c, int *current, int *carried);
/* Spreads the schema over a Citus cluster (load/distribute.h). */
int jobs_db_distribute(PGconn *c, int shard_count, struct distribute_report *rep);

#endif
