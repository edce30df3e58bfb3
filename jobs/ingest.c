/*
 * jobs/ingest.c — `dmpremb ingest`: the batch's one transaction.
 *
 *   manifest check (ingest/batch.c)          -> refused: nothing written
 *   BEGIN; the batch's row under a lock on its manifest digest (load/batch_io.c)
 *   CREATE TEMP stg; COPY stg <- parallel parse of every file (ingest/parse.c)
 *   line counts vs manifest                   -> refused: ROLLBACK
 *   partitions, on the side connection, committed first (load/batch_merge.c)
 *   classify in SQL; per-file counts; reject threshold
 *   apply (or record as refused); rejects; per-file report; status; COMMIT
 *
 * A kill at any point before the COMMIT leaves nothing of the batch (kill
 * points ingest-chunk, ingest-before-merge, ingest-after-apply); after it
 * (ingest-after-commit), the batch is applied and ingesting it again says so
 * (t0950). SIGINT/SIGTERM cancels the statement the server is running
 * (load/db_cancel.c, registered by the command) and rolls back at once (t0960).
 * With dry_run nothing touches the database: files are checked and parsed,
 * counts are syntax-only.
 */
#include "jobs/ingest.h"
#include "ingest/batch.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "load/batch_io.h"
#include "load/batch_merge.h"
#include "load/copy.h"
#include "load/db.h"
#include "load/stage_io.h"

#include <stdio.h>
#include <string.h>

struct copy_sink {
	struct copy cp;
	long long chunks;
	long long records;         /* input records parsed so far, for the progress line */
	struct progress prog;
};

static void advance(struct copy_sink *s, long records)
{
	s->records += records;
	progress_update(&s->prog, s->records);
}

static int copy_chunk(void *ctx, const char *data, size_t n, long records)
{
	struct copy_sink *s = ctx;

	s->chunks++;
	advance(s, records);
	dr_killpoint("ingest-chunk");
	return copy_raw(&s->cp, data, n, 0);
}

static int discard_chunk(void *ctx, const char *data, size_t n, long records)
{
	(void)data;
	(void)n;
	advance(ctx, records);
	return 0;
}

static int store_file_reports(PGconn *c, const struct ingest_report *rep)
{
	struct buf rules;
	int rc = 0;

	buf_init(&rules, 4096);
	for (int i = 0; i < rep->nfiles && rc == 0; i++) {
		buf_reset(&rules);
		if ((rc = ingest_rules_json(&rep->f[i], &rules)) == 0)
			rc = batch_store_file(c, rep->batch_id, &rep->f[i], rules.data);
	}
	buf_free(&rules);
	return rc;
}

static int ingest_run(PGconn *conn, PGconn *side, long long run_id, const struct ingest_opts *o,
		      struct ingest_report *rep)
{
	struct ingest_batch b;
	struct copy_sink cs = { 0 };
	struct parse_sink sink;
	struct merge_count mc[INGEST_MAX_FILES];
	double t0 = progress_now();
	bool in_tx = false, in_copy = false;
	struct dr_errstep at;
	int rc, n;

	memset(rep, 0, sizeof(*rep));
	/* once claimed, every message below names the batch ("batch 12: ...") */
	dr_errstep_push(&at, "batch", &rep->batch_id);
	/* 1. the manifest: refuse a truncated or corrupted transfer before anything */
	rc = ingest_batch_open(o, &b, rep);
	if (rc)
		goto out;
	n = b.n;

	/* 2. the transaction, and the staging COPY */
	if (!o->dry_run) {
		rc = db_begin(conn);
		in_tx = rc == 0;
		if (rc == 0)
			rc = batch_claim(conn, b.m->sha256, rep->label, run_id, &rep->batch_id, &rep->already_applied);
		if (rc || rep->already_applied)
			goto out;
		rc = stage_open(conn, &cs.cp);
		if (rc)
			goto out;
		in_copy = true;
		sink.chunk = copy_chunk;
		sink.ctx = &cs;
	} else {
		sink.chunk = discard_chunk;
		sink.ctx = &cs;
	}
	progress_init(&cs.prog, "ingest", "lines", b.records, o->quiet);

	/* 3. parse every file in parallel, largest first */
	rc = ingest_batch_parse(&b, o->jobs, &sink);
	progress_end(&cs.prog);
	if (in_copy) {
		if (rc) {
			copy_abort(&cs.cp, "parse failed");
		} else {
			int frc = copy_finish(&cs.cp, NULL);
			if (frc)
				rc = frc;
		}
		in_copy = false;
	}
	if (rc)
		goto out;

	/* 4. the counts the manifest announced */
	if ((rc = ingest_batch_count(&b, rep)) != 0)
		goto out;
	if (o->dry_run) {
		/* the database's own rejects (unknown person, conflicts) are not
		 * known here: a batch refused by the parse alone is refused anyway */
		for (int i = 0; i < n; i++)
			rep->f[i].loaded = rep->f[i].read - rep->f[i].filtered - rep->f[i].rejected;
		ingest_batch_decide(o, rep);
		goto out;
	}
	dr_killpoint("ingest-before-merge");

	/* 5. classify, count, decide: long statements, announced as steps */
	progress_step(&cs.prog, 1, 4, "creating the monthly partitions");
	rc = merge_partitions(conn, side);
	if (rc == 0) {
		progress_step(&cs.prog, 2, 4, "classifying the lines");
		rc = merge_classify(conn, b.names, n);
	}
	if (rc == 0)
		rc = merge_counts(conn, mc, n);
	if (rc)
		goto out;
	for (int i = 0; i < n; i++) {
		struct ingest_file_report *f = &rep->f[i];
		f->loaded = mc[i].loaded;
		f->duplicate = mc[i].duplicate;
		f->rejected += mc[i].rejected;
		f->filtered += mc[i].filtered_deleted;
		f->by_rule[INGEST_RULE_DOSSIER_SUPPRIME] += mc[i].filtered_deleted;
		if (f->read != f->loaded + f->filtered + f->rejected + f->duplicate) {
			rc = dr_error(DR_E_INTERNAL, "%s: counts do not add up (read %ld, outcomes %ld)",
				      f->name, f->read, f->loaded + f->filtered + f->rejected + f->duplicate);
			goto out;
		}
	}
	ingest_batch_decide(o, rep);

	/* 6. write */
	if (!rep->refused) {
		progress_step(&cs.prog, 3, 4, "writing the lines");
		rc = merge_apply(conn, rep->batch_id);
		dr_killpoint("ingest-after-apply");
	}
	if (rc == 0) {
		progress_step(&cs.prog, 4, 4, "recording the rejects and counts");
		rc = merge_store_rejects(conn, rep->batch_id);
	}
	if (rc == 0)
		rc = store_file_reports(conn, rep);
	if (rc == 0) {
		char reason[256] = "";
		if (rep->refused)
			snprintf(reason, sizeof(reason), "%s: reject ratio %.4f above %.4f",
				 rep->refused_file, rep->refused_ratio, o->max_reject_ratio);
		rc = batch_finish(conn, rep->batch_id, rep->refused, reason, o->force);
	}
	if (rc == 0 && dr_interrupted())
		rc = dr_error(DR_E_INTERRUPTED, "interrupted before commit");
	if (rc == 0) {
		rc = db_commit(conn);
		in_tx = false;
		rep->rolled_back = rc != 0;   /* a COMMIT that fails rolls back */
	}

out:
	progress_end(&cs.prog);
	if (in_copy)
		copy_abort(&cs.cp, "aborted");
	if (in_tx) {
		db_rollback(conn);
		rep->rolled_back = rc != 0;   /* an already applied batch: nothing to roll back */
	}
	if (rep->rolled_back && rc == DR_E_INTERRUPTED)
		dr_error(rc, "%s: batch rolled back, nothing of it written; run the same ingest again", dr_errmsg());
	dr_errctx_pop(&at.ctx);
	ingest_batch_close(&b);
	rep->seconds = progress_now() - t0;
	return rc;
}

int jobs_ingest(PGconn *conn, PGconn *side, long long run_id, const struct ingest_opts *o,
		struct ingest_report *rep)
{
	int rc = 0;

	/* Ctrl-C cancels the running statement, not only the next one */
	if (!o->dry_run && (rc = db_cancel_on_interrupt(conn)) == 0)
		rc = db_cancel_on_interrupt(side);
	if (rc == 0)
		rc = ingest_run(conn, side, run_id, o, rep);
	else
		memset(rep, 0, sizeof(*rep));
	if (!o->dry_run) {
		db_cancel_forget(conn);
		db_cancel_forget(side);
	}
	return rc;
}

int jobs_ingest_rejects(PGconn *c, long long batch_id, struct ingest_rejects *out)
{
	return batch_read_rejects(c, batch_id, out);
}

const char *jobs_ingest_rule_name(int k)
{
	return ingest_rule_name(k);
}

const char *jobs_ingest_reason_name(int k)
{
	return ingest_reason_name(k);
}

int jobs_ingest_nrules(void)
{
	return INGEST_NRULES;
}

int jobs_ingest_nreasons(void)
{
	return INGEST_NREASONS;
}
