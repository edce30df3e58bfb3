/*
 * jobs/ingest.h — `dmpremb ingest`: one batch, all or nothing.
 */
#ifndef DR_JOBS_INGEST_H
#define DR_JOBS_INGEST_H

#include <libpq-fe.h>

#include "lib/reports.h"

/* conn and side (a second connection: the monthly partitions are created and
 * committed there first) may be NULL with o->dry_run. run_id links the
 * batch to its run row. rep is filled in every case. */
int jobs_ingest(PGconn *conn, PGconn *side, long long run_id, const struct ingest_opts *o,
		struct ingest_report *rep);
/* The batch's rejects, for the report. */
int jobs_ingest_rejects(PGconn *c, long long batch_id, struct ingest_rejects *out);

/* Names of rep's rule and reason indexes; their counts. */
const char *jobs_ingest_rule_name(int k);
const char *jobs_ingest_reason_name(int k);
int jobs_ingest_nrules(void);
int jobs_ingest_nreasons(void);

#endif
