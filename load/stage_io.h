/*
 * load/stage_io.h — the staging table `stg` of a batch, and its COPY.
 */
#ifndef DR_STAGE_IO_H
#define DR_STAGE_IO_H

#include <libpq-fe.h>

#include "load/copy.h"

/* Creates the temporary table stg (lib/stage_cols.h; dropped at commit) in
 * the caller's transaction and opens COPY stg FROM STDIN on cp. */
int stage_open(PGconn *c, struct copy *cp);

#endif
