/*
 * ingest/parse.c — parallel parsers feeding one consumer through a bounded queue.
 */
#include "ingest/parse.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/interrupt.h"

#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_TARGET (256 * 1024)
#define QUEUE_CAP 16

struct chunk {
	char *data;
	size_t len;
	long records;              /* input records it comes from, for progress */
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct chunk item[QUEUE_CAP];
	int head, count;
	int producers_left;
	int abort;                 /* set on the first error: everyone stops */
};

struct worker {
	struct queue *q;
	struct parse_file *pf;
	struct buf out;
	long records;              /* input records since the last push */
	long line;                 /* of the record being read (0: none), for messages */
	struct stage_row row;
};

static void queue_abort(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->abort = 1;
	pthread_cond_broadcast(&q->not_full);
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

/* Hands the worker's buffer to the queue; blocks while the queue is full. */
static int queue_push(struct queue *q, struct buf *b, long *records)
{
	struct chunk c;

	if (b->len == 0)
		return 0;
	c.data = buf_detach(b, &c.len);
	c.records = *records;
	*records = 0;
	pthread_mutex_lock(&q->mu);
	while (q->count == QUEUE_CAP && !q->abort)
		pthread_cond_wait(&q->not_full, &q->mu);
	if (q->abort) {
		pthread_mutex_unlock(&q->mu);
		free(c.data);
		return DR_E_INTERRUPTED;
	}
	q->item[(q->head + q->count) % QUEUE_CAP] = c;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

/* Next chunk, or data == NULL when every producer is done (or on abort). */
static struct chunk queue_pop(struct queue *q)
{
	struct chunk c = { NULL, 0, 0 };

	pthread_mutex_lock(&q->mu);
	while (q->count == 0 && q->producers_left > 0 && !q->abort)
		pthread_cond_wait(&q->not_empty, &q->mu);
	if (q->count > 0) {
		c = q->item[q->head];
		q->head = (q->head + 1) % QUEUE_CAP;
		q->count--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->mu);
	return c;
}

/* One data record: its staging row, into the worker's buffer. */
static int stage_record(struct worker *w, const struct csvr_record *rec)
{
	int rc;

	w->records++;
	if (rows_line(&w->pf->rf, rec, &w->row) == ROW_FILTER)
		return 0;
	rc = stage_row_write(&w->row, &w->out);
	if (rc)
		return dr_error(rc, "staging row too large");
	if (w->out.len >= CHUNK_TARGET)
		return queue_push(w->q, &w->out, &w->records);
	return 0;
}

/* The header (its messages name the file), then each record, whose
 * messages the file's frame (parse_one) gives its line. */
static int on_record(void *ctx, const struct csvr_record *rec)
{
	struct worker *w = ctx;
	int rc;

	if (__atomic_load_n(&w->q->abort, __ATOMIC_RELAXED))
		return DR_E_INTERRUPTED;
	if (rec->record_no == 1)
		return rows_header(&w->pf->rf, rec);
	if ((rec->record_no & 4095) == 0 && dr_interrupted())
		return dr_error(DR_E_INTERRUPTED, "interrupted while reading %s", w->pf->rf.name);
	w->line = rec->line_no;
	rc = stage_record(w, rec);
	w->line = 0;
	return rc;
}

static void parse_one(struct queue *q, struct parse_file *pf)
{
	struct worker w = { .q = q, .pf = pf };
	struct dr_errline at;
	long records = 0;

	buf_init(&w.out, (size_t)CHUNK_TARGET * 64);
	dr_errline_push(&at, pf->rf.name, &w.line);
	pf->rc = csvr_read(pf->path, ';', on_record, &w, &records);
	dr_errctx_pop(&at.ctx);
	if (pf->rc == 0 && records == 0)
		pf->rc = dr_error(DR_E_DATA, "%s is empty (no header line): refused", pf->rf.name);
	if (pf->rc == 0)
		pf->rc = queue_push(q, &w.out, &w.records);
	pf->records = records > 0 ? records - 1 : 0;
	if (pf->rc) {
		dr_errsave(&pf->err);
		queue_abort(q);
	}
	buf_free(&w.out);
}

int parse_batch(struct parse_file *const *files, int nfiles, int jobs, const struct parse_sink *sink)
{
	struct queue q;
	int next = 0, sink_rc = 0;
	struct dr_errsaved sink_err;

	if (jobs < 1)
		jobs = 1;
	if (jobs > nfiles)
		jobs = nfiles;
	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.not_empty, NULL);
	pthread_cond_init(&q.not_full, NULL);
	q.producers_left = jobs;

#pragma omp parallel num_threads(jobs + 1)
	{
		if (omp_get_thread_num() == 0) {
			/* the consumer: the only thread that talks to the sink */
			struct chunk c;
			while ((c = queue_pop(&q)).data != NULL) {
				if (sink_rc == 0) {
					sink_rc = sink->chunk(sink->ctx, c.data, c.len, c.records);
					if (sink_rc) {
						dr_errsave(&sink_err);
						queue_abort(&q);
					}
				}
				free(c.data);
			}
		} else {
			int i;
			for (;;) {
				i = __atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST);
				if (i >= nfiles || __atomic_load_n(&q.abort, __ATOMIC_RELAXED))
					break;
				parse_one(&q, files[i]);
			}
			pthread_mutex_lock(&q.mu);
			q.producers_left--;
			pthread_cond_broadcast(&q.not_empty);
			pthread_mutex_unlock(&q.mu);
		}
	}
	/* drain what an abort left behind */
	for (int k = 0; k < q.count; k++)
		free(q.item[(q.head + k) % QUEUE_CAP].data);
	pthread_mutex_destroy(&q.mu);
	pthread_cond_destroy(&q.not_empty);
	pthread_cond_destroy(&q.not_full);

	if (sink_rc)
		return dr_errrestore(sink_rc, &sink_err);
	/* report the root cause, not the files stopped because of it */
	for (int i = 0; i < nfiles; i++)
		if (files[i]->rc && files[i]->rc != DR_E_INTERRUPTED)
			return dr_errrestore(files[i]->rc, &files[i]->err);
	for (int i = 0; i < nfiles; i++)
		if (files[i]->rc)
			return files[i]->err.msg[0] ? dr_errrestore(files[i]->rc, &files[i]->err)
				: dr_error(files[i]->rc, "interrupted while reading the batch");
	if (dr_interrupted())
		return dr_error(DR_E_INTERRUPTED, "interrupted while reading the batch");
	return 0;
}
