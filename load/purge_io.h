/*
 * load/purge_io.h — what `purge` asks of the database, step by step.
 *
 * The rules live in sql/006_retention.sql (functions owned by dmpremb_owner,
 * executable by dmpremb_ingest alone); this side only calls them, one slice
 * per transaction, and adds up what they removed:
 *   1. claim_line partitions processed before the cutoff (one DROP each,
 *      under lock_timeout), the claim_stat rows of those months, hospital
 *      stays that ended before the cutoff;
 *   2. the claims of closed (past their grace) and deceased dossiers, by
 *      slices of dossiers in INS-C order;
 *   3. document_version rows beyond their retention (never the current one);
 *   4. rejects of old batches and work lists of old backfills.
 * A dry run makes the same calls in counting mode: nothing is removed.
 * docs/retention.md gives the rules and why.
 */
#ifndef DR_PURGE_IO_H
#define DR_PURGE_IO_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct purge_opts {
	const char *as_of;        /* NULL: now */
	long margin_months;       /* claims are kept 24 months + this */
	long grace_days;          /* a closed dossier keeps its claims that long */
	long version_months;      /* version rows kept that long (the current one always) */
	long reject_days;         /* rejects of batches received that long ago go */
	long backfill_days;       /* lists of backfills inactive that long go */
	long slice;               /* dossiers or rows per transaction */
	long lock_timeout_s;      /* longest wait for a lock (the DROP's above all) */
	bool dry_run;
};

struct purge_partition {
	char name[64];
	char from[11], to[11];    /* range [from, to) */
	long long rows;           /* estimate */
	bool dropped;
};

struct purge_report {
	char as_of[64];           /* the as-of every step uses, timestamptz text */
	char cutoff[11];          /* claims processed before this day go */
	struct purge_partition *parts;
	size_t n_parts;
	long long partitions_dropped, partition_rows, claim_stat_rows, old_stays;
	long long closed_dossiers, closed_first, closed_lines, closed_stays;
	long long versions, rejects, backfill_items;
	double seconds;
};

/* Fixes the as-of (DR_E_USAGE when it is not a timestamp or in the future),
 * the cutoff and the list of partitions to drop. */
int purge_prepare(PGconn *c, const struct purge_opts *o, struct purge_report *r);

/* Runs every step (counting only, with o->dry_run). Each slice is its own
 * transaction: interrupted (DR_E_INTERRUPTED) or failed, what was committed
 * stays done and running again finishes the job. */
int purge_execute(PGconn *c, const struct purge_opts *o, struct purge_report *r);

void purge_report_free(struct purge_report *r);

#endif
