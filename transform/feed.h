/*
 * transform/feed.h — `dmpremb feed` and `dmpremb render`: documents for dossiers.
 *
 *   select a chunk of dossiers -> COPY out their rows -> build + render in
 *   parallel (OpenMP) -> COPY the documents in -> one set-based store -> commit
 *
 * One transaction per chunk of dossiers (--chunk, default 200): a crash or a
 * signal loses at most the chunk in flight, and a re-run with the same
 * --as-of skips the dossiers already done (their latest version was
 * generated at that time), so no version is written twice. Memory is bounded
 * by the chunk: its rows and its rendered documents.
 */
#ifndef DR_FEED_H
#define DR_FEED_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "transform/build.h"

struct feed_opts {
	const char *as_of;        /* timestamptz literal, NULL = now */
	const char *ins_c_file;   /* INS-C list ("-" = stdin); NULL = every open dossier */
	int jobs;                 /* render threads */
	int chunk;                /* dossiers per transaction */
	bool dry_run;             /* build and render, store nothing */
	const char *ins_nir_root; /* OID of the INS-NIR in documents */
};

struct feed_report {
	char as_of[64];           /* the generation time used (to resume with --as-of) */
	char lo[11], hi[11];      /* the window */
	long listed;              /* --ins-c: valid INS-Cs in the list */
	long bad_list_lines;      /* --ins-c: lines that are not an INS-C */
	long selected;            /* dossiers taken (open, not opposed, not already current) */
	long documents;           /* documents stored (rendered, with --dry-run) */
	long no_identity;         /* dossiers skipped: no beneficiary identity yet */
	long chunks;
	long long bytes;          /* total XML bytes */
	long max_bytes;
	struct build_stats st;
	double seconds;
	double fetch_s, render_s, store_s;  /* where the time went (select+COPY out, threads, COPY in+store+commit) */
};

int feed_run(PGconn *c, long long run_id, const struct feed_opts *o, struct feed_report *rep);

/* Writes to out the document feed would store now for ins_c (reads claims,
 * identity, referentials and version numbers; never a stored document). */
int feed_render_one(PGconn *c, const char *ins_c, const char *as_of, const char *ins_nir_root,
		    FILE *out, struct build_stats *st);

#endif
