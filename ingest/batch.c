/*
 * ingest/batch.c — the ingest of one batch: manifest, parse, merge, report.
 */
#include "ingest/batch.h"
#include "ingest/parse.h"
#include "ingest/stage.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/text.h"
#include "load/batch_merge.h"
#include "load/copy.h"
#include "load/db.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/progress.h"

struct copy_sink {
	struct copy cp;
	long long chunks;
	long long lines;           /* input lines parsed so far, for the progress line */
	struct progress prog;
};

static void advance(struct copy_sink *s, long lines)
{
	s->lines += lines;
	progress_update(&s->prog, s->lines);
}

static int copy_chunk(void *ctx, const char *data, size_t n, long lines)
{
	struct copy_sink *s = ctx;

	s->chunks++;
	advance(s, lines);
	dr_killpoint("ingest-chunk");
	return copy_raw(&s->cp, data, n, 0);
}

static int discard_chunk(void *ctx, const char *data, size_t n, long lines)
{
	(void)data;
	(void)n;
	advance(ctx, lines);
	return 0;
}

/* Looks the batch up under an advisory lock; creates or reuses its row. */
static int batch_claim(PGconn *c, const struct manifest *m, const char *label, long long run_id,
		       struct ingest_report *rep)
{
	char run[32];
	const char *params[3] = { m->sha256, label, run };
	PGresult *r;
	int rc;

	snprintf(run, sizeof(run), "%lld", run_id);
	rc = db_execp(c, "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", 1, params);
	if (rc == 0)
		rc = db_query(c, "looking up the batch",
			      "SELECT batch_id, status FROM batch WHERE manifest_sha256 = $1", 1, params, &r);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		rep->batch_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		rep->already_applied = strcmp(PQgetvalue(r, 0, 1), "applied") == 0;
		PQclear(r);
		if (rep->already_applied)
			return 0;
		/* a refused batch comes back (e.g. with --force): start its report afresh */
		char id[32];
		const char *p1[1] = { id };
		snprintf(id, sizeof(id), "%lld", rep->batch_id);
		rc = db_execp(c, "DELETE FROM reject WHERE batch_id = $1::bigint", 1, p1);
		if (rc == 0)
			rc = db_execp(c, "DELETE FROM batch_file WHERE batch_id = $1::bigint", 1, p1);
		return rc;
	}
	PQclear(r);
	long long id = 0;
	rc = db_query_long(c, "INSERT INTO batch (manifest_sha256, label, status, run_id, reason)"
			   " VALUES ($1, $2, 'refused', nullif($3, '0')::bigint, 'in progress') RETURNING batch_id",
			   3, params, 0, &id);
	rep->batch_id = id;
	return rc;
}

static int store_file_reports(PGconn *c, const struct ingest_report *rep)
{
	for (int i = 0; i < rep->nfiles; i++) {
		const struct ingest_file_report *f = &rep->f[i];
		char id[32], bytes[32], nums[5][32], rules[256];
		size_t len = 0;
		int rc;

		len += (size_t)snprintf(rules + len, sizeof(rules) - len, "{");
		for (int k = 0; k < FR_COUNT; k++)
			if (f->by_rule[k])
				len += (size_t)snprintf(rules + len, sizeof(rules) - len, "%s\"%s\": %ld",
						       len > 1 ? ", " : "", rows_rule_name(k), f->by_rule[k]);
		snprintf(rules + len, sizeof(rules) - len, "}");
		snprintf(id, sizeof(id), "%lld", rep->batch_id);
		snprintf(bytes, sizeof(bytes), "%lld", f->bytes);
		snprintf(nums[0], 32, "%ld", f->read);
		snprintf(nums[1], 32, "%ld", f->loaded);
		snprintf(nums[2], 32, "%ld", f->filtered);
		snprintf(nums[3], 32, "%ld", f->rejected);
		snprintf(nums[4], 32, "%ld", f->duplicate);
		const char *p2[11] = { id, f->name, bytes, nums[0], nums[1], nums[2], nums[3], nums[4], rules,
				       f->encoding, f->sha256 };
		rc = db_execp(c,
			"INSERT INTO batch_file (batch_id, file_name, encoding, sha256, bytes, lines_read, loaded,"
			" filtered, rejected, duplicate, filtered_by_rule, rejected_by_reason)"
			" SELECT $1::bigint, $2, $10, $11, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint,"
			" $8::bigint, $9::jsonb,"
			" (SELECT coalesce(jsonb_object_agg(reason_code, n), '{}') FROM"
			"   (SELECT reason_code, count(*) AS n FROM reject WHERE batch_id = $1::bigint"
			"    AND file_name = $2 GROUP BY 1) x)", 11, p2);
		if (rc)
			return rc;
	}
	return 0;
}

/* The first file whose rejects exceed the ratio refuses the batch, unless forced. */
static void decide_refusal(const struct ingest_opts *o, struct ingest_report *rep)
{
	for (int i = 0; i < rep->nfiles && !rep->refused; i++) {
		const struct ingest_file_report *f = &rep->f[i];
		double ratio = f->read ? (double)f->rejected / (double)f->read : 0.0;
		if (ratio > o->max_reject_ratio) {
			rep->refused = true;
			rep->refused_ratio = ratio;
			snprintf(rep->refused_file, sizeof(rep->refused_file), "%s", f->name);
		}
	}
	if (rep->refused && o->force) {
		dr_log(DR_LOG_WARN, "ingest.forced", "file=%s reject_ratio=%.4f max=%.4f",
		       rep->refused_file, rep->refused_ratio, o->max_reject_ratio);
		rep->refused = false;
	}
}

int ingest_batch(PGconn *conn, PGconn *side, long long run_id, const struct ingest_opts *o,
		 struct ingest_report *rep)
{
	struct manifest *m = calloc(1, sizeof(*m));
	struct parse_file *pf = NULL;
	struct copy_sink cs = { 0 };
	struct parse_sink sink;
	const char *names[MANIFEST_MAX_FILES];
	struct merge_count mc[MANIFEST_MAX_FILES];
	char dircopy[4096];
	double t0 = progress_now();
	bool in_tx = false, in_copy = false;
	int rc, n;

	memset(rep, 0, sizeof(*rep));
	snprintf(dircopy, sizeof(dircopy), "%s", o->dir);
	/* the label is printed, logged and stored: a line break or an ESC in the
	 * directory's name must not forge a log line nor reach a terminal raw */
	text_escape(basename(dircopy), TEXT_ESC_QUOTED, rep->label, sizeof(rep->label));
	if (m == NULL)
		return dr_error(DR_E_NOMEM, "out of memory");

	/* 1. the manifest: refuse a truncated or corrupted transfer before anything */
	rc = manifest_read(o->dir, m);
	if (rc == 0)
		rc = manifest_verify(o->dir, m, o->jobs);
	if (rc)
		goto out;
	n = m->n;
	pf = calloc((size_t)n, sizeof(*pf));
	if (pf == NULL) {
		rc = dr_error(DR_E_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int kind = rows_kind_of(m->e[i].name);
		if (kind < 0) {
			char q[256];
			rc = dr_error(DR_E_DATA, "manifest.csv lists '%s', which is not a file of the contract: refused",
				      text_escape(m->e[i].name, TEXT_ESC_QUOTED, q, sizeof(q)));
			goto out;
		}
		snprintf(pf[i].path, sizeof(pf[i].path), "%s/%s", o->dir, m->e[i].name);
		rows_file_init(&pf[i].rf, (enum file_kind)kind, i, m->e[i].enc, m->e[i].name);
		names[i] = m->e[i].name;
	}
	dr_log(DR_LOG_INFO, "ingest.manifest", "batch=\"%s\" files=%d", rep->label, n);

	/* 2. the transaction, and the staging COPY */
	if (!o->dry_run) {
		rc = db_begin(conn);
		in_tx = rc == 0;
		if (rc == 0)
			rc = batch_claim(conn, m, rep->label, run_id, rep);
		if (rc || rep->already_applied)
			goto out;
		rc = db_exec(conn, stage_create_sql());
		if (rc == 0)
			rc = copy_begin(&cs.cp, conn, stage_copy_sql());
		if (rc)
			goto out;
		in_copy = true;
		sink.chunk = copy_chunk;
		sink.ctx = &cs;
	} else {
		sink.chunk = discard_chunk;
		sink.ctx = &cs;
	}
	long long total_lines = 0;
	for (int i = 0; i < n; i++)
		total_lines += m->e[i].lines;
	progress_init(&cs.prog, "ingest", "lines", total_lines, o->quiet);

	/* 3. parse every file in parallel, largest first */
	{
		struct parse_file *order[MANIFEST_MAX_FILES];
		for (int i = 0; i < n; i++) {  /* insertion sort by bytes, descending */
			int k = i;
			for (; k > 0 && m->e[order[k - 1]->rf.file_no].bytes < m->e[i].bytes; k--)
				order[k] = order[k - 1];
			order[k] = &pf[i];
		}
		rc = parse_batch(order, n, o->jobs, &sink);
		progress_end(&cs.prog);
	}
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
	for (int i = 0; i < n; i++) {
		struct ingest_file_report *f = &rep->f[i];
		snprintf(f->name, sizeof(f->name), "%s", m->e[i].name);
		f->bytes = m->e[i].bytes;
		snprintf(f->encoding, sizeof(f->encoding), "%s", m->e[i].enc == ENC_CP1252 ? "CP1252" : "UTF-8");
		memcpy(f->sha256, m->e[i].sha256, sizeof(f->sha256));
		f->read = pf[i].rf.read;
		f->filtered = pf[i].rf.filtered;
		f->rejected = pf[i].rf.rejected;
		memcpy(f->by_rule, pf[i].rf.by_rule, sizeof(f->by_rule));
		memcpy(f->by_reason, pf[i].rf.by_reason, sizeof(f->by_reason));
		if (pf[i].records != m->e[i].lines) {
			rc = dr_error(DR_E_DATA, "'%s' has %ld data lines, manifest.csv says %ld: refused "
				      "(truncated or corrupted transfer?)", m->e[i].name, pf[i].records, m->e[i].lines);
			goto out;
		}
	}
	rep->nfiles = n;
	if (o->dry_run) {
		/* the database's own rejects (unknown person, conflicts) are not
		 * known here: a batch refused by the parse alone is refused anyway */
		for (int i = 0; i < n; i++)
			rep->f[i].loaded = rep->f[i].read - rep->f[i].filtered - rep->f[i].rejected;
		decide_refusal(o, rep);
		goto out;
	}
	dr_killpoint("ingest-before-merge");

	/* 5. classify, count, decide: long statements, announced as steps */
	progress_step(&cs.prog, 1, 4, "creating the monthly partitions");
	rc = merge_partitions(conn, side);
	if (rc == 0) {
		progress_step(&cs.prog, 2, 4, "classifying the lines");
		rc = merge_classify(conn, names, n);
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
		f->by_rule[FR_DOSSIER_SUPPRIME] += mc[i].filtered_deleted;
		if (f->read != f->loaded + f->filtered + f->rejected + f->duplicate) {
			rc = dr_error(DR_E_INTERNAL, "%s: counts do not add up (read %ld, outcomes %ld)",
				      f->name, f->read, f->loaded + f->filtered + f->rejected + f->duplicate);
			goto out;
		}
	}
	decide_refusal(o, rep);

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
		char id[32], reason[256];
		const char *params[4] = { id, rep->refused ? "refused" : "applied", reason, o->force ? "t" : "f" };
		snprintf(id, sizeof(id), "%lld", rep->batch_id);
		if (rep->refused)
			snprintf(reason, sizeof(reason), "%s: reject ratio %.4f above %.4f",
				 rep->refused_file, rep->refused_ratio, o->max_reject_ratio);
		else
			reason[0] = '\0';
		rc = db_execp(conn, "UPDATE batch SET status = $2, reason = nullif($3, ''), forced = $4::boolean,"
			      " applied_at = CASE WHEN $2 = 'applied' THEN clock_timestamp() END"
			      " WHERE batch_id = $1::bigint", 4, params);
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
		rep->rolled_back = true;
	}
	if (rep->rolled_back) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", dr_errmsg());
		if (rc == DR_E_INTERRUPTED)
			dr_error(rc, "%s: batch rolled back, nothing of it written; run the same ingest again", msg);
		else
			dr_error(rc, "%s", msg);
	}
	if (pf) {
		for (int i = 0; i < (m ? m->n : 0); i++)
			rows_file_free(&pf[i].rf);
		free(pf);
	}
	free(m);
	rep->seconds = progress_now() - t0;
	return rc;
}
