/*
 * lib/summary.h — what a command did, said once.
 *
 * A command adds its counts to a run summary as it learns them; the
 * dispatcher (cli/main.c) then writes the same summary twice, through one
 * pair of writers: as the run row's counts (a JSON object, lib/json.h) and
 * as the command's `.done` log line (logfmt pairs, lib/log.h). A count is
 * thus named and formatted once, and the row and the line cannot disagree.
 *
 *     summary_int(s, "read", n);
 *     summary_real(s, "seconds", t, 3);    // 3 decimals, in both
 *     summary_object(s, "unlabelled");     // the row only: the line stays flat
 *     summary_int(s, "ccam", k);
 *     summary_close(s);
 *
 * Keys are string literals; string values are copied (an as-of, a cutoff:
 * the program's own words, never an identifier). Items beyond
 * SUMMARY_MAX_ITEMS or strings beyond SUMMARY_POOL bytes are an internal
 * error reported by the writers, not a silent truncation.
 */
#ifndef DR_SUMMARY_H
#define DR_SUMMARY_H

#include <stdbool.h>

#include "lib/buf.h"

#define SUMMARY_MAX_ITEMS 64

enum summary_kind { SUMMARY_INT, SUMMARY_REAL, SUMMARY_STR, SUMMARY_BOOL, SUMMARY_OBJECT, SUMMARY_CLOSE };

struct summary_item {
	const char *key;
	enum summary_kind kind;
	int decimals;          /* SUMMARY_REAL */
	long long i;           /* SUMMARY_INT, SUMMARY_BOOL */
	double r;              /* SUMMARY_REAL */
	const char *s;         /* SUMMARY_STR: a copy in the summary's pool; NULL is null */
};

#define SUMMARY_POOL 1024

struct run_summary {
	struct summary_item item[SUMMARY_MAX_ITEMS];
	int n;
	bool overflow;         /* an item did not fit: the writers say so */
	char pool[SUMMARY_POOL];   /* the string values, copied: the summary outlives the command's locals */
	size_t pool_used;
};

void summary_int(struct run_summary *s, const char *key, long long v);
void summary_real(struct run_summary *s, const char *key, double v, int decimals);
void summary_str(struct run_summary *s, const char *key, const char *v);
void summary_bool(struct run_summary *s, const char *key, bool v);
/* A nested object, for the run row only (closed by summary_close). */
void summary_object(struct run_summary *s, const char *key);
void summary_close(struct run_summary *s);

/* The counts as one JSON object into out (emptied first): 0 or a DR_E_* code. */
int summary_json(const struct run_summary *s, struct buf *out);
/* The same counts as logfmt pairs ("read=12 seconds=1.250 as_of=\"...\""),
 * leaving out nested objects: 0 or a DR_E_* code. */
int summary_logfmt(const struct run_summary *s, struct buf *out);

#endif
