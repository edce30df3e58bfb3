/*
 * jobs/feed.h — `dmpremb feed` and `dmpremb render`: documents for dossiers.
 *
 *   select a chunk of dossiers -> COPY out their rows -> build + render in
 *   parallel (OpenMP), each document into the COPY as soon as it is rendered
 *   -> one set-based store -> commit
 *
 * The run is planned once (which dossiers, in which order: load/feed_io.h),
 * then done by chunks of dossiers (--chunk, default 200), one transaction
 * each, every dossier locked while its chunk is in flight: a crash or a
 * signal loses at most that chunk, two feeds never store the same dossier,
 * and a re-run takes what is still due (or, for a list, what is not current
 * at the same --as-of), so no version is written twice. Memory is bounded by
 * the chunk's rows and one document per thread (at most --max-document-mb).
 */
#ifndef DR_FEED_H
#define DR_FEED_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "transform/build.h"

#include "load/feed_io.h"

struct feed_opts {
	const char *as_of;        /* timestamptz literal, NULL = now */
	const char *ins_c_file;   /* FEED_LISTED: INS-C list ("-" = stdin) */
	struct feed_selection sel;/* mode, refresh days, bounds, shard, chunk size */
	double max_seconds;       /* 0: no bound; else no new chunk after this */
	int jobs;                 /* render threads */
	size_t max_doc_bytes;     /* a larger document is not stored (FEED_MAX_DOC_MB) */
	bool dry_run;             /* build and render, store nothing */
	bool allow_future;        /* an as-of later than now (tests of what will be) */
	bool quiet;               /* no progress */
	const char *ins_nir_root; /* OID of the INS-NIR in documents */
	/* Opens one more connection, set to the command's role, for a lane
	 * (below); NULL: a single lane on the caller's connection. */
	int (*connect)(void *arg, PGconn **out);
	void *connect_arg;
};

/*
 * Lanes: with --jobs N >= 2, a due-feed (not --ins-c, not a backfill, not a
 * dry run) runs min(N, FEED_MAX_LANES) lanes, each on its own connection with
 * its share of the dossiers (--shard within the run's shard), each doing
 * whole chunks: select, read, render, store. Reading and storing then
 * overlap with another lane's rendering, which one connection cannot do
 * (docs/bench.md, scaling). Each lane renders with N / lanes threads.
 */
#define FEED_MAX_LANES 8

/* The default and the largest --max-document-mb (docs/memory.md): 30 MB
 * documents are far beyond any real 24 months, and far below PostgreSQL's
 * 1 GB limit on one value. */
#define FEED_MAX_DOC_MB 16
#define FEED_MAX_DOC_MB_LIMIT 30

struct feed_report {
	char as_of[64];           /* the generation time used (to resume with --as-of) */
	char lo[11], hi[11];      /* the window */
	long listed;              /* --ins-c: valid INS-Cs in the list */
	long bad_list_lines;      /* --ins-c: lines that are not an INS-C */
	long long events_pending;   /* events recorded, not folded yet (normally none) */
	struct feed_plan plan;    /* dossiers planned */
	long selected;            /* dossiers taken (still feedable and due under their lock) */
	long documents;           /* documents stored (rendered, with --dry-run) */
	long no_identity;         /* dossiers skipped: no beneficiary identity yet */
	long too_large;           /* dossiers skipped: document above max_doc_bytes */
	long not_feedable;        /* documents the database refused: the dossier was closed,
				   * deleted or put under objection since it was selected */
	long chunks;
	long long bytes;          /* total XML bytes */
	long max_bytes;
	struct build_stats st;
	bool stopped;             /* --max-seconds reached before the plan's end */
	long long backfill_skipped, backfill_left;  /* FEED_BACKFILL */
	double seconds;
	double fetch_s, render_s, store_s;  /* where the time went (select+COPY out, threads, COPY in+store+commit) */
};

int feed_run(PGconn *c, long long run_id, const struct feed_opts *o, struct feed_report *rep);

/* *future: as_of is later than the server's now + 5 minutes (feed and
 * backfill refuse it without --allow-future). */
int jobs_feed_as_of_future(PGconn *c, const char *as_of, bool *future);

/* The kinds of unknown codes a report counts (st.warnings), for the command. */
enum { FEED_WARNING_KINDS = BW_KINDS };
const char *feed_warning_name(int k);

/* Loads an INS-C list (one per line, "-" = stdin; blank lines and # comments
 * ignored) into the session's temp table feed_list; rep->listed counts the
 * distinct INS-Cs, rep->bad_list_lines the lines that are not one (each
 * logged by number, never by value). */
int feed_load_list(PGconn *c, const char *path, struct feed_report *rep);

/* Writes to out the document feed would store now for ins_c (reads claims,
 * identity, referentials and version numbers; never a stored document).
 * The database records the render first (feed_render_audit()); a dossier
 * the feed would not feed is refused (DR_E_DATA, saying why) unless the
 * operator gives a reason (NULL: none), which is recorded, never logged. */
int feed_render_one(PGconn *c, const char *ins_c, const char *reason, const char *as_of,
		    const char *ins_nir_root, FILE *out, struct build_stats *st);

#endif
