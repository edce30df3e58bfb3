/*
 * ingest/stage.h — the staging row: what the parser sends to PostgreSQL.
 *
 * Every line of every file of a batch becomes at most one row of the temporary
 * table `stg` (one COPY stream for the whole batch, fed by parallel parsers):
 * a valid line fills the columns of its kind (claim, beneficiary, stay,
 * professional, establishment); a line refused by validation fills only the
 * rej_* columns; a filtered line sends nothing. The set-based merge
 * (load/batch_merge.c) then classifies rows as loaded, duplicate or rejected.
 * The columns are lib/stage_cols.h's; the table and its COPY are
 * load/stage_io.c's.
 */
#ifndef DR_STAGE_H
#define DR_STAGE_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/stage_cols.h"

struct stage_row {
	const char *v[S_NCOLS];   /* NULL = SQL NULL */
	size_t n[S_NCOLS];
};

void stage_row_clear(struct stage_row *r);
/* Appends the row in COPY text format (tab separated, escaped, newline). */
int stage_row_write(const struct stage_row *r, struct buf *out);

#endif
