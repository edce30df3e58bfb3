/*
 * load/referentials_io.h — replacing a ref_* table with a file's records.
 *
 *   ref_stage_begin: DROP/CREATE pg_temp.ref_stage (kept columns, line_no),
 *                    COPY ref_stage FROM STDIN
 *   ref_stage_row:   one record (the ref_row_fn of ingest/referentials.h)
 *   ref_replace:     DELETE FROM ref_x; INSERT INTO ref_x SELECT DISTINCT ON (pk)
 *                    ... ORDER BY pk, line_no DESC (the last record of a key wins)
 *   ref_record_file: upserts the referential_file row (counts, SHA-256, run)
 *
 * DELETE rather than TRUNCATE: TRUNCATE is not MVCC-safe (a reader whose
 * snapshot predates the commit would see an empty table) and would block
 * readers for the whole load; the tables are small enough for DELETE. The
 * caller (jobs/referentials.c) holds the transaction and ref_lock().
 */
#ifndef DR_REFERENTIALS_IO_H
#define DR_REFERENTIALS_IO_H

#include <libpq-fe.h>

#include "lib/refspec.h"
#include "load/copy.h"

struct ref_stage {
	struct copy cp;
	const struct ref_spec *spec;
};

/* One referential load at a time (a transaction-level advisory lock). */
int ref_lock(PGconn *c);
int ref_stage_begin(PGconn *c, const struct ref_spec *spec, struct ref_stage *st);
/* ref_row_fn: arg is the struct ref_stage */
int ref_stage_row(void *arg, const char *const *values, long line);
int ref_stage_finish(struct ref_stage *st, long long *staged);
void ref_stage_abort(struct ref_stage *st, const char *why);
/* The table replaced by the staged records: res->loaded, res->duplicates. */
int ref_replace(PGconn *c, long long staged, struct ref_result *res);
int ref_record_file(PGconn *c, long long run_id, const struct ref_result *res);

#endif
