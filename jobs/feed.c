/*
 * jobs/feed.c — the feed loop and the one-dossier render (see feed.h).
 */
#include "jobs/feed.h"

#include <malloc.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lines.h"
#include "lib/arena.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "lib/sha256.h"
#include "lib/text.h"
#include "load/copy.h"
#include "load/db.h"
#include "load/feed_io.h"
#include "load/lifecycle_io.h"
#include "transform/cda.h"
#include "transform/refcache.h"


static bool is_ins_c(const char *s, size_t n)
{
	return n == 22 && text_all_digits(s, n);
}

int feed_load_list(PGconn *c, const char *path, struct feed_report *rep)
{
	struct lines l;
	struct copy cp;
	int rc, r;

	if ((rc = feed_prepare(c)) != 0 || (rc = lines_open(&l, path, 256, LINES_CUT)) != 0)
		return rc;
	if ((rc = feed_list_open(c, &cp)) != 0) {
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
	struct dr_errsaved saved;   /* the worker's message and hint */
};

/*
 * Where a rendered document goes, one at a time (the render threads take
 * turns): the chunk's COPY into feed_doc (feed, backfill), nowhere (a dry
 * run), or a FILE (render). One render path for all three.
 */
struct doc_sink {
	int (*put)(void *ctx, const struct feed_doc *d, const char *xml);
	void *ctx;
};

static int put_copy(void *ctx, const struct feed_doc *d, const char *xml)
{
	return feed_store_doc(ctx, d, xml);
}

static int put_nowhere(void *ctx, const struct feed_doc *d, const char *xml)
{
	(void)ctx;
	(void)d;
	(void)xml;
	return 0;
}

static int put_file(void *ctx, const struct feed_doc *d, const char *xml)
{
	if (fwrite(xml, 1, d->bytes, ctx) != d->bytes)
		return dr_error(DR_E_IO, "cannot write the document");
	return 0;
}

/* Builds and renders every dossier of the chunk on `jobs` threads; docs[i]
 * gets dossier i's metadata (rendered false when skipped: no identity, or
 * too_large: rendering stopped past max_bytes), *rendered how many were. Each
 * document goes into the sink as soon as it is rendered, one thread at a
 * time, so a thread holds one document at a time, never the chunk's. */
static int render_chunk(const struct build_ctx *ctx, struct feed_chunk *ch, struct feed_doc *docs,
			int jobs, size_t max_bytes, const struct doc_sink *sink, long *rendered,
			struct feed_report *rep)
{
	struct worker_out fail = { .rc = 0 };
	int sink_rc = 0;
	omp_lock_t sink_lock;   /* this chunk's sink: not a named critical, which
				 * would make the lanes wait for each other's sends */

	omp_init_lock(&sink_lock);
	#pragma omp parallel num_threads(jobs)
	{
		struct arena a;
		struct build_stats st = { 0 };
		struct buf xbuf, *buf = &xbuf;
		unsigned char digest[32];
		int my_rc = 0;

		buf_init(buf, CDA_BUF_TOOBIG);

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
			if (rc == BUILD_NO_IDENTITY)
				continue;   /* counted by the caller */
			if (rc == BUILD_OK)
				rc = cda_render_max(&m, buf, max_bytes);
			if (rc == RENDER_TOO_LARGE) {
				/* rendering stopped at the limit: nothing kept */
				d->too_large = true;
				d->claim_lines = ch->d[i].n_claims;
				continue;
			}
			if (rc != RENDER_OK) {
				my_rc = rc;
				continue;
			}
			const char *xml = buf->data;
			d->bytes = buf->len;
			sha256_once(xml, d->bytes, digest);
			text_hex(digest, 32, d->sha256);
			memcpy(d->set_id, m.set_id, UUID_LEN + 1);
			memcpy(d->doc_id, m.doc_id, UUID_LEN + 1);
			d->version = m.version;
			for (int s = 0; s < DOC_SECTIONS; s++)
				d->section_rows[s] = (long)m.sections[s].n;
			d->rendered = true;
			omp_set_lock(&sink_lock);
			if (sink_rc == 0)
				sink_rc = sink->put(sink->ctx, d, xml);
			rc = sink_rc;
			omp_unset_lock(&sink_lock);
			if (rc != 0)
				my_rc = rc;
		}
		arena_free(&a);
		buf_free(buf);
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
				dr_errsave(&fail.saved);
			}
		}
	}
	omp_destroy_lock(&sink_lock);
	if (fail.rc != 0)
		return dr_errrestore(fail.rc, &fail.saved);
	for (size_t i = 0; i < ch->n; i++) {
		if (docs[i].too_large) {
			/* the dossier, never named: dmpremb status counts it, the
			 * owner finds it by dossier.feed_refused_at */
			rep->too_large++;
			dr_log(DR_LOG_WARN, "feed.document_too_large", "limit_mb=%zu claim_lines=%zu",
			       max_bytes >> 20, docs[i].claim_lines);
			continue;
		}
		if (!docs[i].rendered) {
			rep->no_identity++;
			continue;
		}
		(*rendered)++;
		rep->bytes += (long long)docs[i].bytes;
		if ((long)docs[i].bytes > rep->max_bytes)
			rep->max_bytes = (long)docs[i].bytes;
	}
	return 0;
}

/* What feed and render both need first: the window, the session's temp
 * tables, the referentials in memory and the build context over them. */
static int setup(PGconn *c, const char *as_of, const char *ins_nir_root, struct feed_window *w,
		 struct refcache *rc, struct build_ctx *ctx)
{
	int r;

	if ((r = feed_session(c)) != 0 || (r = feed_window(c, as_of, w)) != 0
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

/*
 * Events recorded and not folded yet (normally none: an import folds its
 * own; one interrupted between recording and folding leaves some). The feed
 * role may not fold them (only the events role's fold writes lifecycle
 * states): it says how many wait, and the next dossiers import folds them.
 */
static int count_pending_events(PGconn *c, long long *pending)
{
	int r = events_pending(c, pending);

	if (r == 0 && *pending > 0)
		dr_log(DR_LOG_WARN, "feed.events_pending", "events=%lld (recorded, not folded: the next dossiers"
		       " import folds them; due-ness is read from the states as they are)", *pending);
	return r;
}

/* One chunk: claim, read, render, store (or roll back on --dry-run). */
static int feed_chunk_once(PGconn *c, long long run_id, const struct feed_opts *o, const struct feed_window *w,
			   const struct build_ctx *ctx, struct feed_chunk *ch, struct feed_doc *docs,
			   long long *after, long *n, struct feed_report *rep)
{
	int r;

	*n = 0;
	if ((r = db_begin(c)) != 0)
		return r;
	if ((r = feed_select(c, w, &o->sel, after, n)) != 0 || *n == 0) {
		db_rollback(c);
		return r;
	}
	rep->selected += *n;
	double t1 = progress_now();
	if ((r = feed_fetch(c, w, ch)) != 0) {
		db_rollback(c);
		return r;
	}
	double t2 = progress_now();
	rep->fetch_s += t2 - t1;
	struct copy cp;
	struct doc_sink sink = { put_nowhere, NULL };
	if (!o->dry_run) {
		if ((r = feed_store_begin(c, &cp)) != 0) {
			db_rollback(c);
			return r;
		}
		sink = (struct doc_sink){ put_copy, &cp };
	}
	long k = 0;
	if ((r = render_chunk(ctx, ch, docs, o->jobs, o->max_doc_bytes, &sink, &k, rep)) != 0) {
		if (!o->dry_run)
			copy_abort(&cp, "feed: rendering failed");
		db_rollback(c);
		return r;
	}
	double t3 = progress_now();
	rep->render_s += t3 - t2;
	if (o->dry_run) {
		db_rollback(c);
	} else {
		long refused = 0;
		dr_killpoint("feed-before-store");
		if ((r = feed_store_end(c, &cp, w, run_id, &o->sel, docs, ch->n, o->max_doc_bytes, &refused)) != 0
		    || (r = db_commit(c)) != 0) {
			db_rollback(c);
			return r;
		}
		dr_killpoint("feed-chunk");
		if (refused > 0) {
			/* closed, deleted or under objection since it was selected:
			 * the database refused its document (never named here) */
			rep->not_feedable += refused;
			k -= refused;
			dr_log(DR_LOG_WARN, "feed.not_feedable", "documents=%ld reason=\"dossier no longer feedable\"",
			       refused);
		}
	}
	rep->store_s += progress_now() - t3;
	rep->documents += k;
	rep->chunks++;
	return 0;
}

/* ---- lanes (feed.h) --------------------------------------------------------- */

struct lane {
	PGconn *c;                /* the caller's for lane 0, else opened here */
	struct feed_opts o;       /* the run's, with the lane's shard and threads */
	struct feed_window w;
	struct feed_report rep;
	long long no;             /* 1, 2... when there are several, for messages; 0 alone */
	int rc;
	struct dr_errsaved err;   /* its message and hint, from its thread */
};

static int lanes_for(const struct feed_opts *o)
{
	/* --max-dossiers keeps "the most urgent first" exact on one lane */
	if (o->connect == NULL || o->jobs < 2 || o->dry_run || o->sel.mode != FEED_DUE
	    || o->sel.max_dossiers > 0)
		return 1;
	return o->jobs < FEED_MAX_LANES ? o->jobs : FEED_MAX_LANES;
}

/* Lane l of n: its connection (lane 0 uses the caller's, set up already),
 * its share of the run's shard, its plan. */
static int lane_open(struct lane *ln, int l, int n, PGconn *c, const struct feed_opts *o,
		     const struct feed_window *w)
{
	int shard_n = o->sel.shard_n > 0 ? o->sel.shard_n : 1;
	int r = 0;

	memset(ln, 0, sizeof(*ln));
	ln->no = n > 1 ? l + 1 : 0;
	ln->o = *o;
	ln->o.jobs = o->jobs / n > 0 ? o->jobs / n : 1;
	ln->o.sel.shard_k = (o->sel.shard_n > 0 ? o->sel.shard_k : 0) + shard_n * l;
	ln->o.sel.shard_n = shard_n * n;
	if (l == 0) {
		ln->c = c;
		ln->w = *w;
	} else if ((r = o->connect(o->connect_arg, &ln->c)) == 0
		   && (r = feed_session(ln->c)) == 0
		   && (r = feed_window(ln->c, w->as_of, &ln->w)) == 0) {
		r = feed_prepare(ln->c);
	}
	return r ? r : feed_plan_run(ln->c, &ln->w, &ln->o.sel, &ln->rep.plan);
}

/* The run's progress line, shared by its lanes (updated one at a time). */
struct shared_progress {
	struct progress p;
	long selected;
};

/*
 * Chunks on one connection until its plan is done, a chunk fails (its code
 * is returned), or the run stops: a signal (dr_interrupted(), for the caller
 * to report), --max-seconds (rep->stopped), or *stop, set by a failed lane.
 */
static int run_chunks(PGconn *c, long long run_id, const struct feed_opts *o, const struct feed_window *w,
		      const struct build_ctx *ctx, struct feed_chunk *ch, struct feed_doc *docs,
		      long long *after, double t0, const int *stop, struct shared_progress *sp,
		      struct feed_report *rep)
{
	long long chunk = 0;      /* the one under way, 1 for the first: "chunk 3: ..." */
	struct dr_errstep at;
	int r = 0;

	dr_errstep_push(&at, "chunk", &chunk);
	while (!__atomic_load_n(stop, __ATOMIC_RELAXED) && !dr_interrupted()) {
		long n = 0;
		if (o->max_seconds > 0 && progress_now() - t0 >= o->max_seconds) {
			rep->stopped = true;
			break;
		}
		chunk = rep->chunks + 1;
		r = feed_chunk_once(c, run_id, o, w, ctx, ch, docs, after, &n, rep);
		chunk = 0;
		if (r != 0 || n == 0)
			break;
		#pragma omp critical(feed_progress)
		{
			sp->selected += n;
			progress_update(&sp->p, sp->selected);
		}
	}
	dr_errctx_pop(&at.ctx);
	return r;
}

static int interrupted(const struct feed_opts *o, const struct feed_report *rep)
{
	return dr_error(DR_E_INTERRUPTED, "interrupted after %ld documents; %s", rep->documents,
			o->sel.mode == FEED_BACKFILL ? "resume with --resume"
			: "what is left is still due: the next run takes it");
}

static void log_start(const struct feed_window *w, const struct feed_plan *plan, const struct refcache *rc,
		      const struct feed_opts *o, int lanes)
{
	dr_log(DR_LOG_INFO, "feed.start", "as_of=\"%s\" window=%s..%s planned=%lld first_feeds=%lld"
	       " referential_entries=%zu jobs=%d lanes=%d chunk=%d%s",
	       w->as_of, w->lo, w->hi, plan->total, plan->first, rc->entries, o->jobs, lanes, o->sel.limit,
	       o->dry_run ? " dry_run=true" : "");
}

/* One lane's whole run (in a thread of feed_lanes); a failure stops the others. */
static void lane_run(struct lane *ln, long long run_id, const struct build_ctx *ctx, double t0,
		     int *stop, struct shared_progress *sp)
{
	struct feed_chunk ch = { 0 };
	struct feed_doc *docs = calloc((size_t)ln->o.sel.limit, sizeof(*docs));
	long long after = 0;
	struct dr_errstep at;   /* this thread's messages name the lane: "lane 2: ..." */

	dr_errstep_push(&at, "lane", &ln->no);
	int r = docs ? run_chunks(ln->c, run_id, &ln->o, &ln->w, ctx, &ch, docs, &after, t0, stop, sp, &ln->rep)
		     : dr_error(DR_E_NOMEM, "out of memory for a chunk of %d documents", ln->o.sel.limit);

	if (r != 0) {
		ln->rc = r;
		dr_errsave(&ln->err);
		__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
	}
	dr_errctx_pop(&at.ctx);
	free(docs);
	feed_chunk_free(&ch);
}

static void report_add(struct feed_report *to, const struct feed_report *from)
{
	to->plan.total += from->plan.total;
	to->plan.first += from->plan.first;
	to->selected += from->selected;
	to->documents += from->documents;
	to->no_identity += from->no_identity;
	to->too_large += from->too_large;
	to->not_feedable += from->not_feedable;
	to->chunks += from->chunks;
	to->bytes += from->bytes;
	if (from->max_bytes > to->max_bytes)
		to->max_bytes = from->max_bytes;
	to->st.lines += from->st.lines;
	to->st.netted_out += from->st.netted_out;
	for (int s = 0; s < DOC_SECTIONS; s++)
		to->st.rows[s] += from->st.rows[s];
	for (int k = 0; k < BW_KINDS; k++)
		to->st.warnings[k] += from->st.warnings[k];
	to->stopped = to->stopped || from->stopped;
	to->fetch_s += from->fetch_s;
	to->render_s += from->render_s;
	to->store_s += from->store_s;
}

/* The due-feed on n lanes: opened and planned one after the other, then
 * run in parallel; the first failure stops the others after their chunk. */
static int feed_lanes(PGconn *c, long long run_id, const struct feed_opts *o, const struct feed_window *w,
		      const struct build_ctx *ctx, const struct refcache *rc, int n, double t0,
		      struct feed_report *rep)
{
	struct lane lanes[FEED_MAX_LANES];
	struct shared_progress sp = { .selected = 0 };
	struct feed_plan plan = { 0, 0 };
	int stop = 0, opened = 0, r = 0;

	for (; opened < n && r == 0; opened++) {
		r = lane_open(&lanes[opened], opened, n, c, o, w);
		plan.total += lanes[opened].rep.plan.total;
		plan.first += lanes[opened].rep.plan.first;
	}
	if (r == 0) {
		log_start(w, &plan, rc, o, n);
		progress_init(&sp.p, "feed", "dossiers", plan.total, o->quiet);
		if (lanes[0].o.jobs > 1)
			omp_set_max_active_levels(2);
		#pragma omp parallel for num_threads(n) schedule(static, 1)
		for (int l = 0; l < n; l++)
			lane_run(&lanes[l], run_id, ctx, t0, &stop, &sp);
		progress_end(&sp.p);
		for (int l = 0; l < n; l++) {
			report_add(rep, &lanes[l].rep);
			if (r == 0 && lanes[l].rc != 0)
				r = dr_errrestore(lanes[l].rc, &lanes[l].err);
		}
		if (r == 0 && dr_interrupted())
			r = interrupted(o, rep);
	}
	for (int l = 1; l < opened; l++)
		db_close(lanes[l].c);
	return r;
}

int feed_run(PGconn *c, long long run_id, const struct feed_opts *o, struct feed_report *rep)
{
	struct feed_window w;
	struct refcache rc;
	struct build_ctx ctx;
	struct feed_chunk ch = { 0 };
	struct feed_doc *docs = NULL;
	struct shared_progress sp = { .selected = 0 };
	double t0 = progress_now();
	long long after = 0;
	int stop = 0, r;

	memset(rep, 0, sizeof(*rep));
	/* Blocks of 1 MiB and more (document buffers) are mapped and given back
	 * when freed. glibc would otherwise raise this threshold to the largest
	 * block freed so far and keep such blocks in its heap: the process
	 * would hold on to the largest document seen, run after run. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if ((r = setup(c, o->as_of, o->ins_nir_root, &w, &rc, &ctx)) != 0)
		return r;
	snprintf(rep->as_of, sizeof(rep->as_of), "%s", w.as_of);
	memcpy(rep->lo, w.lo, sizeof(rep->lo));
	memcpy(rep->hi, w.hi, sizeof(rep->hi));
	if ((o->sel.mode == FEED_LISTED && (r = feed_load_list(c, o->ins_c_file, rep)) != 0)
	    || (!o->dry_run && (r = count_pending_events(c, &rep->events_pending)) != 0)) {
		refcache_free(&rc);
		return r;
	}
	int n_lanes = lanes_for(o);
	if (n_lanes > 1) {
		r = feed_lanes(c, run_id, o, &w, &ctx, &rc, n_lanes, t0, rep);
		goto out;
	}
	if ((r = feed_plan_run(c, &w, &o->sel, &rep->plan)) != 0) {
		refcache_free(&rc);
		return r;
	}
	log_start(&w, &rep->plan, &rc, o, 1);
	docs = calloc((size_t)o->sel.limit, sizeof(*docs));
	if (docs == NULL) {
		r = dr_error(DR_E_NOMEM, "out of memory for a chunk of %d documents", o->sel.limit);
		goto out;
	}
	progress_init(&sp.p, o->sel.mode == FEED_BACKFILL ? "backfill" : "feed", "dossiers",
		      rep->plan.total, o->quiet);
	/* A backfill goes over its list again (up to 3 passes) for the dossiers
	 * another feed held at the time: they are free again by then. */
	for (int pass = 0; pass < (o->sel.mode == FEED_BACKFILL ? 3 : 1); pass++) {
		r = run_chunks(c, run_id, o, &w, &ctx, &ch, docs, &after, t0, &stop, &sp, rep);
		if (r != 0 || rep->stopped || dr_interrupted() || o->sel.mode != FEED_BACKFILL || o->dry_run)
			break;
		long long skipped = 0;
		if ((r = feed_backfill_close(c, &w, &o->sel, &skipped, &rep->backfill_left)) != 0)
			break;
		rep->backfill_skipped += skipped;
		if (rep->backfill_left == 0)
			break;
		after = 0;
	}
	if (r == 0 && dr_interrupted())
		r = interrupted(o, rep);
	progress_end(&sp.p);
out:
	free(docs);
	feed_chunk_free(&ch);
	refcache_free(&rc);
	rep->seconds = progress_now() - t0;
	if (r == 0 && rep->too_large > 0)
		r = dr_hint(dr_error(DR_E_DATA, "%ld dossier(s) not fed: the document is larger than"
				     " --max-document-mb %zu; the others were fed", rep->too_large,
				     o->max_doc_bytes >> 20), "see 'dmpremb status'");
	if (r == 0 && rep->bad_list_lines > 0)
		r = dr_hint(dr_error(DR_E_DATA, "%ld line(s) of %s are not INS-Cs; the others were fed",
				     rep->bad_list_lines, strcmp(o->ins_c_file, "-") ? o->ins_c_file : "stdin"),
			    "see the feed.bad_ins_c log lines");
	return r;
}

/* What render says of a dossier the feed would not feed (render_audit_record()). */
static const char *render_refusal(const char *verdict)
{
	static const struct { const char *code, *why; } why[] = {
		{ "objection", "its holder objects to the feed (OPPOSITION)" },
		{ "closed", "the dossier is closed" },
		{ "deceased", "its holder is deceased" },
		{ "deleted", "the dossier is deleted" },
		{ "unknown", "the dossier has no CREATION yet" },
		{ "no_dossier", "no dossier has this INS-C" },
	};
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strcmp(verdict, why[i].code) == 0)
			return why[i].why;
	return NULL;
}

int feed_render_one(PGconn *c, const char *ins_c, const char *reason, const char *as_of,
		    const char *ins_nir_root, FILE *out, struct build_stats *st)
{
	struct feed_window w;
	struct refcache rc;
	struct build_ctx ctx;
	struct feed_chunk ch = { 0 };
	int r;

	if (!is_ins_c(ins_c, strlen(ins_c)))
		return dr_error(DR_E_USAGE, "INS_C must be 22 digits");
	char verdict[32];
	/* recorded, in a transaction of its own, before anything is read */
	if ((r = feed_render_audit(c, ins_c, reason, verdict, sizeof(verdict))) != 0)
		return r;
	if (strcmp(verdict, "bad_reason") == 0)
		return dr_error(DR_E_USAGE, "--reason must be at most 500 characters, without control characters");
	if (strcmp(verdict, "ok") != 0) {
		const char *why = render_refusal(verdict);
		if (why == NULL)
			return dr_error(DR_E_INTERNAL, "render_audit_record() answered an unknown verdict");
		return dr_error(DR_E_DATA, "render refused: %s, the feed would not feed it; give --reason TEXT"
				" to render it anyway (the render and the reason are recorded)", why);
	}
	if ((r = setup(c, as_of, ins_nir_root, &w, &rc, &ctx)) != 0)
		return r;
	if ((r = db_begin(c)) == 0 && (r = feed_chunk_one(c, ins_c)) == 0)
		r = feed_fetch(c, &w, &ch);
	db_rollback(c);
	if (r == 0) {
		/* a one-dossier chunk, rendered as the feed renders, into out */
		struct doc_sink sink = { put_file, out };
		struct feed_doc doc;
		struct feed_report rep;
		long rendered = 0;
		memset(&rep, 0, sizeof(rep));
		r = render_chunk(&ctx, &ch, &doc, 1, SIZE_MAX, &sink, &rendered, &rep);
		if (r == 0 && rendered == 0)
			r = dr_error(DR_E_NOINPUT, "no beneficiary identity is known for this INS-C");
		*st = rep.st;
	}
	feed_chunk_free(&ch);
	refcache_free(&rc);
	return r;
}

const char *feed_warning_name(int k)
{
	return build_warning_names[k];
}

int jobs_feed_as_of_future(PGconn *c, const char *as_of, bool *future)
{
	return feed_as_of_future(c, as_of, future);
}
