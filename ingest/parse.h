/*
 * ingest/parse.h — parse the files of a batch in parallel into one stream.
 *
 *   worker 1: file A --csvr--> rows_line --> COPY text chunks --\
 *   worker 2: file B --csvr--> rows_line --> COPY text chunks ---> queue --> sink (thread 0)
 *
 * OpenMP runs `jobs` parser threads plus one consumer thread; files are taken
 * in the order given (put the largest first). Chunks of ~256 KiB of staging
 * rows (ingest/stage.h) go through a bounded queue, so memory stays flat
 * whatever the size of the batch, and the sink (a COPY to PostgreSQL, or
 * nothing for a dry run) runs while parsing goes on. The sink is always
 * called from the same thread, as libpq requires.
 */
#ifndef DR_PARSE_H
#define DR_PARSE_H

#include "ingest/rows.h"
#include "lib/err.h"

struct parse_file {
	char path[4096];
	struct rows_file rf;       /* initialised by the caller; counters filled here */
	long records;              /* data records (header excluded) */
	int rc;                    /* 0 or the DR_E_* that stopped this file */
	struct dr_errsaved err;    /* its message, from the worker's thread */
};

struct parse_sink {
	/* Consumes one chunk of COPY text, made from `records` input records
	 * (filtered ones included); returns 0 or a DR_E_* code. */
	int (*chunk)(void *ctx, const char *data, size_t n, long records);
	void *ctx;
};

/*
 * Parses every file, in the order of the array (largest first is best);
 * returns 0, or the first error (file-level refusal such
 * as a missing column, a sink failure, an interruption) with its message.
 */
int parse_batch(struct parse_file *const *files, int nfiles, int jobs, const struct parse_sink *sink);

#endif
