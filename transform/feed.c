/*
 * transform/feed.c — the feed loop and the one-dossier render (see feed.h).
 */
#include "transform/feed.h"

#include <libxml/parser.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/lines.h"
#include "lib/arena.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/sha256.h"
#include "lib/text.h"
#include "load/copy.h"
#include "load/db.h"
#include "load/feed_io.h"
#include "transform/cda.h"
#include "transform/refcache.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_ins_c(const char *s, size_t n)
{
	return n == 22 && text_all_digits(s, n);
}

/* Loads the --ins-c list into feed_list. Lines that are not an INS-C are
 * reported by line number (never by value) and skipped. */
static int load_list(PGconn *c, const char *path, struct feed_report *rep)
{
	struct lines l;
	struct copy cp;
	int rc, r;

	if ((rc = lines_open(&l, path, 256, LINES_CUT)) != 0)
		return rc;
	if ((rc = db_exec(c, "TRUNCATE feed_list")) != 0
	    || (rc = copy_begin(&cp, c, "COPY feed_list FROM STDIN")) != 0) {
		lines_close(&l, NULL);
		return rc;
	}
	/* A set, so that a repeated INS-C counts once. */
	struct strmap seen;
	strmap_init(&seen);
	while ((r = lines_next(&l)) == 1) {
		const char *s = l.text;
		size_t n = text_trim(&s, l.len);
		if (n == 0 || s[0] == '#')
			continue;
		if (!is_ins_c(s, n) || l.too_long) {
			rep->bad_list_lines++;
			dr_log(DR_LOG_WARN, "feed.bad_ins_c", "file=%s line=%ld reason=\"not a 22-digit INS-C\"",
			       strcmp(path, "-") ? path : "stdin", l.lineno);
			continue;
		}
		if (strmap_get(&seen, s, n))
			continue;
		if ((rc = strmap_put(&seen, s, n, (void *)1)) != 0 || (rc = copy_field(&cp, s, n)) != 0
		    || (rc = copy_end_row(&cp)) != 0)
			break;
		rep->listed++;
	}
	strmap_free(&seen);
	lines_close(&l, NULL);
	if (r < 0 && rc == 0)
		rc = r;
	if (rc != 0) {
		copy_abort(&cp, "feed: list failed");
		return rc;
	}
	return copy_finish(&cp, NULL);
}

struct worker_out {
	int rc;
	char msg[256];
};

/* Builds and renders every dossier of the chunk on `jobs` threads; docs[i]
 * gets dossier i's document (xml NULL when skipped: no identity). */
static int render_chunk(const struct build_ctx *ctx, struct feed_chunk *ch, struct feed_doc *docs,
			int jobs, struct feed_report *rep)
{
	struct worker_out fail = { 0, "" };

	#pragma omp parallel num_threads(jobs)
	{
		struct arena a;
		struct build_stats st = { 0 };
		xmlBufferPtr buf = xmlBufferCreateSize(256 * 1024);
		unsigned char digest[32];
		int my_rc = buf ? 0 : dr_error(DR_E_NOMEM, "out of memory for a document buffer");

		arena_init(&a, 256 * 1024);
		#pragma omp for schedule(dynamic, 1)
		for (size_t i = 0; i < ch->n; i++) {
			struct feed_doc *d = &docs[i];
			struct doc_model m;
			memset(d, 0, sizeof(*d));
			d->ins_c = ch->d[i].ins_c;
			if (my_rc != 0)
				continue;
			arena_reset(&a);
			int rc = build_model(ctx, &ch->d[i], &a, &m, &st);
			if (rc == DR_E_DATA)
				continue;   /* no identity: counted by the caller */
			if (rc == 0)
				rc = cda_render(&m, buf);
			if (rc == 0) {
				d->bytes = (size_t)xmlBufferLength(buf);
				d->xml = malloc(d->bytes + 1);
				if (d->xml == NULL)
					rc = dr_error(DR_E_NOMEM, "out of memory for a document");
			}
			if (rc != 0) {
				my_rc = rc;
				continue;
			}
			memcpy(d->xml, xmlBufferContent(buf), d->bytes + 1);
			sha256_once(d->xml, d->bytes, digest);
			text_hex(digest, 32, d->sha256);
			memcpy(d->set_id, m.set_id, UUID_LEN + 1);
			memcpy(d->doc_id, m.doc_id, UUID_LEN + 1);
			d->version = m.version;
			for (int s = 0; s < DOC_SECTIONS; s++)
				d->section_rows[s] = (long)m.sections[s].n;
		}
		arena_free(&a);
		if (buf)
			xmlBufferFree(buf);
		#pragma omp critical(feed_merge)
		{
			rep->st.lines += st.lines;
			rep->st.netted_out += st.netted_out;
			for (int s = 0; s < DOC_SECTIONS; s++)
				rep->st.rows[s] += st.rows[s];
			for (int k = 0; k < BW_KINDS; k++)
				rep->st.warnings[k] += st.warnings[k];
			if (my_rc != 0 && fail.rc == 0) {
				fail.rc = my_rc;
				snprintf(fail.msg, sizeof(fail.msg), "%s", dr_errmsg());
			}
		}
	}
	if (fail.rc != 0)
		return dr_error(fail.rc, "%s", fail.msg);
	for (size_t i = 0; i < ch->n; i++) {
		if (docs[i].xml == NULL) {
			rep->no_identity++;
			continue;
		}
		rep->bytes += (long long)docs[i].bytes;
		if ((long)docs[i].bytes > rep->max_bytes)
			rep->max_bytes = (long)docs[i].bytes;
	}
	return 0;
}

/* Moves the stored documents to the front; returns how many. */
static size_t compact(struct feed_doc *docs, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (docs[i].xml != NULL)
			docs[k++] = docs[i];
	return k;
}

static void free_docs(struct feed_doc *docs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(docs[i].xml);
		docs[i].xml = NULL;
	}
}

/* What feed and render both need first: the window, the session's temp
 * tables, the referentials in memory and the build context over them. */
static int setup(PGconn *c, const char *as_of, const char *ins_nir_root, struct feed_window *w,
		 struct refcache *rc, struct build_ctx *ctx)
{
	int r;

	xmlInitParser();
	if ((r = db_exec(c, "SET DateStyle = ISO")) != 0 || (r = feed_window(c, as_of, w)) != 0
	    || (r = feed_prepare(c)) != 0 || (r = refcache_load(rc, c)) != 0)
		return r;
	memset(ctx, 0, sizeof(*ctx));
	ctx->rc = rc;
	ctx->effective_time = w->effective_time;
	ctx->period_low = w->period_low;
	memcpy(ctx->lo, w->lo8, 9);
	memcpy(ctx->hi, w->hi8, 9);
	ctx->ins_nir_root = ins_nir_root;
	return 0;
}

int feed_run(PGconn *c, long long run_id, const struct feed_opts *o, struct feed_report *rep)
{
	struct feed_window w;
	struct refcache rc;
	struct build_ctx ctx;
	struct feed_chunk ch = { 0 };
	struct feed_doc *docs = NULL;
	double t0 = now_s(), last_log = t0;
	char after[23] = "";
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = setup(c, o->as_of, o->ins_nir_root, &w, &rc, &ctx)) != 0)
		return r;
	snprintf(rep->as_of, sizeof(rep->as_of), "%s", w.as_of);
	memcpy(rep->lo, w.lo, sizeof(rep->lo));
	memcpy(rep->hi, w.hi, sizeof(rep->hi));
	if (o->ins_c_file && (r = load_list(c, o->ins_c_file, rep)) != 0) {
		refcache_free(&rc);
		return r;
	}
	dr_log(DR_LOG_INFO, "feed.start", "as_of=\"%s\" window=%s..%s referential_entries=%zu jobs=%d chunk=%d%s",
	       w.as_of, w.lo, w.hi, rc.entries, o->jobs, o->chunk, o->dry_run ? " dry_run=true" : "");

	struct feed_selection sel = { .listed = o->ins_c_file != NULL, .skip_current = true, .limit = o->chunk };
	docs = calloc((size_t)o->chunk, sizeof(*docs));
	if (docs == NULL) {
		r = dr_error(DR_E_NOMEM, "out of memory for a chunk of %d documents", o->chunk);
		goto out;
	}
	for (;;) {
		long n = 0;
		if (dr_interrupted()) {
			r = dr_error(DR_E_INTERRUPTED, "interrupted after %ld documents; run again with"
				     " --as-of '%s' to finish", rep->documents, w.as_of);
			break;
		}
		if ((r = db_begin(c)) != 0)
			break;
		if ((r = feed_select(c, &w, &sel, after, &n)) != 0 || n == 0) {
			db_rollback(c);
			break;
		}
		rep->selected += n;
		double t1 = now_s();
		if ((r = feed_fetch(c, &w, &ch)) != 0) {
			db_rollback(c);
			break;
		}
		double t2 = now_s();
		rep->fetch_s += t2 - t1;
		if ((r = render_chunk(&ctx, &ch, docs, o->jobs, rep)) != 0) {
			db_rollback(c);
			free_docs(docs, ch.n);
			break;
		}
		double t3 = now_s();
		rep->render_s += t3 - t2;
		size_t k = compact(docs, ch.n);
		if (o->dry_run) {
			db_rollback(c);
		} else {
			dr_killpoint("feed-before-store");
			if ((r = feed_store(c, &w, run_id, docs, k)) != 0 || (r = db_commit(c)) != 0) {
				db_rollback(c);
				free_docs(docs, k);
				break;
			}
			dr_killpoint("feed-chunk");
		}
		rep->store_s += now_s() - t3;
		free_docs(docs, k);
		rep->documents += (long)k;
		rep->chunks++;
		if (now_s() - last_log >= 10) {
			last_log = now_s();
			dr_log(DR_LOG_INFO, "feed.progress", "dossiers=%ld documents=%ld lines=%ld seconds=%.1f",
			       rep->selected, rep->documents, rep->st.lines, last_log - t0);
		}
	}
out:
	free(docs);
	feed_chunk_free(&ch);
	refcache_free(&rc);
	rep->seconds = now_s() - t0;
	if (r == 0 && rep->bad_list_lines > 0)
		r = dr_error(DR_E_DATA, "%ld line(s) of %s are not INS-Cs (see the feed.bad_ins_c log lines);"
			     " the others were fed", rep->bad_list_lines,
			     strcmp(o->ins_c_file, "-") ? o->ins_c_file : "stdin");
	return r;
}

int feed_render_one(PGconn *c, const char *ins_c, const char *as_of, const char *ins_nir_root,
		    FILE *out, struct build_stats *st)
{
	struct feed_window w;
	struct refcache rc;
	struct build_ctx ctx;
	struct feed_chunk ch = { 0 };
	const char *params[1] = { ins_c };
	int r;

	if (!is_ins_c(ins_c, strlen(ins_c)))
		return dr_error(DR_E_USAGE, "INS_C must be 22 digits");
	if ((r = setup(c, as_of, ins_nir_root, &w, &rc, &ctx)) != 0)
		return r;
	if ((r = db_begin(c)) == 0 && (r = db_execp(c, "INSERT INTO feed_chunk VALUES ($1)", 1, params)) == 0)
		r = feed_fetch(c, &w, &ch);
	db_rollback(c);
	if (r == 0) {
		struct arena a;
		struct doc_model m;
		xmlBufferPtr buf = xmlBufferCreate();
		arena_init(&a, 256 * 1024);
		r = buf ? build_model(&ctx, &ch.d[0], &a, &m, st) : dr_error(DR_E_NOMEM, "out of memory");
		if (r == DR_E_DATA)
			r = dr_error(DR_E_NOINPUT, "no beneficiary identity is known for this INS-C");
		if (r == 0)
			r = cda_render(&m, buf);
		if (r == 0 && fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), out)
				      != (size_t)xmlBufferLength(buf))
			r = dr_error(DR_E_IO, "cannot write the document");
		if (buf)
			xmlBufferFree(buf);
		arena_free(&a);
	}
	feed_chunk_free(&ch);
	refcache_free(&rc);
	return r;
}
