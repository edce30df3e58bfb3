/*
 * ingest/batch.h — ingest one batch directory, all or nothing.
 *
 *   manifest check (digests, file set)     -> refused: DR_E_DATA, nothing written
 *   BEGIN; lock the batch; COPY stg <- parallel parse of every file
 *   line counts vs manifest                -> refused: ROLLBACK
 *   classify in SQL; per-file counts; reject threshold
 *   apply (or record as refused); rejects; per-file report; COMMIT
 *
 * A batch is identified by the SHA-256 of its manifest: ingesting an applied
 * batch again changes nothing and says so. With dry_run nothing touches the
 * database: files are checked and parsed, counts are syntax-only.
 */
#ifndef DR_BATCH_H
#define DR_BATCH_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "ingest/manifest.h"
#include "ingest/rows.h"

struct ingest_opts {
	const char *dir;
	double max_reject_ratio;   /* per file, rejected / read */
	bool force;                /* apply even above the ratio */
	bool dry_run;
	int jobs;                  /* parser threads */
	bool quiet;                /* no progress line */
};

struct ingest_file_report {
	char name[64];
	char encoding[8];
	char sha256[65];
	long long bytes;
	long read, loaded, filtered, rejected, duplicate;
	long by_rule[FR_COUNT];
	long by_reason[RR_COUNT];  /* validation rejects only (SQL ones are in the database) */
};

struct ingest_report {
	long long batch_id;
	char label[256];
	bool already_applied;      /* nothing done: the batch was applied before */
	bool rolled_back;          /* the transaction was rolled back: nothing of the batch written */
	bool refused;              /* reject threshold exceeded, not applied */
	char refused_file[64];
	double refused_ratio;
	int nfiles;
	struct ingest_file_report f[MANIFEST_MAX_FILES];
	double seconds;
};

/* conn and side (batch_merge.h, merge_partitions) may be NULL with dry_run.
 * run_id links the batch to its run row. */
int ingest_batch(PGconn *conn, PGconn *side, long long run_id, const struct ingest_opts *o,
		 struct ingest_report *rep);

#endif
