/*
 * load/feed_io.h — what `feed` and `render` read from and write to the database.
 *
 * A feed works chunk by chunk, one transaction each (docs/documents.md):
 *   feed_select()  puts the next dossiers to do into the temp table feed_chunk
 *                  (keyset pagination on INS-C; ON COMMIT DELETE ROWS);
 *   feed_fetch()   streams their identity, stays and claim lines with three
 *                  COPY ... TO STDOUT, ordered by INS-C, no per-dossier query;
 *   feed_store_*() COPY (binary) the rendered documents into the temp table
 *                  feed_doc and apply them with one statement: the current
 *                  document, the version row and the trace, together or not.
 * The feeding side never reads a stored document: only the version metadata
 * (document_version) to number the next version.
 */
#ifndef DR_FEED_IO_H
#define DR_FEED_IO_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/feed_rows.h"
#include "load/copy.h"

/* The generation time and the 24-month window, computed once by the server
 * (Europe/Paris; 29 February - 24 months = 28 February). */
struct feed_window {
	char as_of[64];           /* timestamptz text, to give back as a parameter */
	char effective_time[24];  /* AAAAMMJJHHMMSS+HHMM */
	char period_low[24];      /* same, 24 months earlier */
	char lo[11], hi[11];      /* window days YYYY-MM-DD, both included */
	char lo8[9], hi8[9];      /* the same, AAAAMMJJ */
};

/* as_of: any timestamptz literal, or NULL for now. DR_E_USAGE when invalid. */
int feed_window(PGconn *c, const char *as_of, struct feed_window *w);

/* *future: as_of (not NULL) is later than the server's now + 5 minutes. */
int feed_as_of_future(PGconn *c, const char *as_of, bool *future);

/* Creates the session's temp tables (feed_list, feed_todo, feed_chunk, feed_doc). */
int feed_prepare(PGconn *c);
/* The session's settings a feed reads dates with (DateStyle ISO). */
int feed_session(PGconn *c);
/* Empties feed_list and opens a COPY of INS-Cs into it on cp. */
int feed_list_open(PGconn *c, struct copy *cp);
/* feed_chunk holds exactly ins_c (render), in the caller's transaction. */
int feed_chunk_one(PGconn *c, const char *ins_c);

/*
 * Due-ness, on alias d of dossier, with $1 = the as-of and $3 = refresh days
 * (docs/scheduling.md). FIRST_DUE and the feedable part of REFRESH_DUE are
 * the predicates of the partial indexes dossier_first_due and
 * dossier_refresh_due (sql/003_lifecycle.sql), word for word: feed and
 * backfill use these; status's functions (sql/010_citus.sql, which run as the
 * owner so that ops can call them on Citus) write them out once more, and
 * t0720 checks that status counts what the feed then takes.
 */
#define FEED_SQL_FEEDABLE "d.state = 'open' AND NOT d.opposition"
#define FEED_SQL_FIRST_DUE "(d.last_fed_at IS NULL OR d.last_fed_at < d.due_at)"
#define FEED_SQL_REFRESH_DUE "d.last_fed_at <= $1::timestamptz - make_interval(days => $3::int)"
/* fed at or after the as-of: already current */
#define FEED_SQL_CURRENT "EXISTS (SELECT 1 FROM document_version v" \
	" WHERE v.ins_c = d.ins_c AND v.generated_at >= $1::timestamptz)"

/* Writes into out the condition " AND <INS-C of d hashes to k mod n>" (the
 * first 32 bits of its MD5), or "" when n is 0. */
void feed_shard_sql(char *out, size_t size, int k, int n);

/* Which dossiers a feed takes (docs/scheduling.md). */
enum feed_mode {
	FEED_DUE,        /* the due dossiers, most urgent first */
	FEED_LISTED,     /* those of feed_list (--ins-c), due or not */
	FEED_BACKFILL,   /* the not-done items of a backfill's list */
};

struct feed_selection {
	enum feed_mode mode;
	int refresh_days;         /* FEED_DUE: a fed dossier is due again after this */
	long max_dossiers;        /* 0: no bound */
	int shard_k, shard_n;     /* shard_n > 0: only INS-Cs whose hash is k mod n */
	long long backfill_run;   /* FEED_BACKFILL: the run that owns the list */
	int limit;                /* dossiers per chunk */
};

/* The work of a run, planned once at its start. */
struct feed_plan {
	long long total;          /* dossiers planned */
	long long first;          /* of which first feeds (never fed, reactivated, objection lifted) */
};

/*
 * Plans the run: FEED_DUE and FEED_LISTED fill feed_todo (seq = order of
 * urgency, or of INS-C for a list); FEED_BACKFILL counts its list.
 */
int feed_plan_run(PGconn *c, const struct feed_window *w, const struct feed_selection *sel,
		  struct feed_plan *p);

/*
 * Claims the next dossiers of the plan after *after (a seq; 0 at first) into
 * the temp table feed_chunk, inside the caller's transaction: each is claimed
 * (an advisory lock until the transaction ends: one held by another feed is
 * passed over, never waited for; docs/scheduling.md) and checked again once
 * claimed (still open, no objection,
 * still due / not already current), so two feeds never store the same
 * dossier. *n = how many, *after moves on; *n == 0 means the plan is done.
 */
int feed_select(PGconn *c, const struct feed_window *w, const struct feed_selection *sel,
		long long *after, long *n);

/*
 * FEED_BACKFILL, at the end: marks done, as skipped with the reason, the
 * items no longer to feed (closed, objection, deleted, already current);
 * *left = items still not done (held by another feed: a later pass or
 * --resume takes them), *skipped = those just marked.
 */
int feed_backfill_close(PGconn *c, const struct feed_window *w, const struct feed_selection *sel,
			long long *skipped, long long *left);

/* The rows of the dossiers in feed_chunk, ready for build_model(). Memory
 * is the chunk's: the rows' libpq buffers are kept, not copied. */
struct feed_chunk {
	struct dossier_in *d;
	size_t n, cap;
	struct claim_in *claims;
	size_t n_claims, cap_claims;
	struct stay_in *stays;
	size_t n_stays, cap_stays;
	char **bufs;
	size_t n_bufs, cap_bufs;
};

int feed_fetch(PGconn *c, const struct feed_window *w, struct feed_chunk *ch);
void feed_chunk_reset(struct feed_chunk *ch);
void feed_chunk_free(struct feed_chunk *ch);

/*
 * Storing a chunk's documents, in the caller's transaction, as they are
 * rendered: feed_store_begin() opens a COPY into the session's feed_doc
 * (nothing else may use the connection until the end), feed_store_doc()
 * writes one document (from one thread at a time), feed_store_end() closes
 * the COPY and stores them all through document_store_staged(), which reads
 * feed_doc (sql/011_enforced_writes.sql). Only one document per render
 * thread is ever in memory. The same call records the chunk's dossiers
 * whose document was too large (docs[0..n_docs) marked too_large: dmpremb
 * status counts them until a later document is stored,
 * sql/008_feed_refusal.sql) and, for a backfill, marks the chunk's items of
 * its list done: fed, or skipped with why. In the feed's transaction every
 * write is thus the owner's (docs/security.md, Citus).
 * The database stores a document only into a dossier still open without
 * objection, as its next version; *refused = the documents it refused
 * (the dossier is no longer feedable: closed, deleted, under objection
 * since it was selected), not an error. DR_E_RETRY from the end when another
 * feed stored one of these dossiers meanwhile (nothing is then kept). On an
 * error before the end, copy_abort() the COPY and roll back.
 */
int feed_store_begin(PGconn *c, struct copy *cp);
int feed_store_doc(struct copy *cp, const struct feed_doc *d, const char *xml);
int feed_store_end(PGconn *c, struct copy *cp, const struct feed_window *w, long long run_id,
		   const struct feed_selection *sel, const struct feed_doc *docs, size_t n_docs,
		   size_t max_bytes, long *refused);

/*
 * Records one render of the dossier ins_c in render_audit, through the
 * database's render_audit_record() (sql/016): login, time, pseudonym, state
 * and reason (NULL: none) are written by the database, in a transaction of
 * their own, before anything is read. *verdict receives "ok" (print it) or
 * why the database refused: "objection", "closed", "deceased", "deleted",
 * "unknown", "no_dossier" (the feed would not feed it and no reason was
 * given; the attempt is recorded), "bad_reason".
 */
int feed_render_audit(PGconn *c, const char *ins_c, const char *reason, char *verdict, size_t size);

#endif
