/*
 * load/batch_io.h — a batch's own rows: batch, batch_file, reject.
 *
 * A batch is identified by the SHA-256 of its manifest. Its row is made (or
 * found) at the start of its transaction, under a transaction-level advisory
 * lock on that digest, its per-file counts written once the merge has
 * counted, its status set last; all in the caller's transaction
 * (jobs/ingest.c), so a batch rolled back leaves no row.
 */
#ifndef DR_BATCH_IO_H
#define DR_BATCH_IO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "lib/reports.h"

/* Looks the batch up; *already when it was applied before (nothing to do);
 * a refused batch coming back (with --force) starts its report afresh; else
 * a new row ('refused', 'in progress' until batch_finish). */
int batch_claim(PGconn *c, const char *manifest_sha256, const char *label, long long run_id,
		long long *batch_id, bool *already);
/* One file's counts; by_rule_json: {"RULE": n, ...}; the rejects by reason
 * are counted from table reject. */
int batch_store_file(PGconn *c, long long batch_id, const struct ingest_file_report *f,
		     const char *by_rule_json);
/* The batch's outcome: applied, or refused with its reason. */
int batch_finish(PGconn *c, long long batch_id, bool refused, const char *reason, bool forced);
/* The batch's rejects as ingest prints them. */
int batch_read_rejects(PGconn *c, long long batch_id, struct ingest_rejects *out);

#endif
