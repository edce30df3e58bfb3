/*
 * ingest/batch.h — a batch directory as files: manifest, parse, counts.
 *
 *   manifest check (digests, file set)     -> refused: DR_E_DATA, nothing read
 *   parallel parse of every file into a sink (a COPY, or nothing)
 *   line counts vs manifest                -> refused: DR_E_DATA
 *   reject threshold (per file)            -> refused unless --force
 *
 * No database here: jobs/ingest.c puts these steps and the merge
 * (load/batch_merge.c) into the batch's one transaction.
 */
#ifndef DR_BATCH_H
#define DR_BATCH_H

#include "ingest/manifest.h"
#include "ingest/parse.h"
#include "ingest/rows.h"
#include "lib/buf.h"
#include "lib/reports.h"

struct ingest_batch {
	struct manifest *m;
	struct parse_file *pf;        /* one per file, in the manifest's order */
	int n;
	const char *names[INGEST_MAX_FILES];
	long long records;            /* data records the manifest announces, all files */
};

/* Reads and verifies the manifest of o->dir (digests with o->jobs threads),
 * maps each file to its kind; rep->label is the directory's name, escaped. */
int ingest_batch_open(const struct ingest_opts *o, struct ingest_batch *b, struct ingest_report *rep);
/* Parses every file into sink, the largest first. */
int ingest_batch_parse(struct ingest_batch *b, int jobs, const struct parse_sink *sink);
/* The parse's counts into rep; DR_E_DATA when a file's data lines differ from
 * what the manifest says (a truncated or corrupted transfer). */
int ingest_batch_count(const struct ingest_batch *b, struct ingest_report *rep);
/* The first file whose rejects exceed the ratio refuses the batch, unless forced. */
void ingest_batch_decide(const struct ingest_opts *o, struct ingest_report *rep);
/* {"RULE": n, ...} of a file's filtered lines. */
int ingest_rules_json(const struct ingest_file_report *f, struct buf *out);
void ingest_batch_close(struct ingest_batch *b);

/* Names of the report's rule and reason indexes (ingest/rows.h). */
const char *ingest_rule_name(int k);
const char *ingest_reason_name(int k);
enum { INGEST_RULE_DOSSIER_SUPPRIME = FR_DOSSIER_SUPPRIME, INGEST_NRULES = FR_COUNT, INGEST_NREASONS = RR_COUNT };

#endif
