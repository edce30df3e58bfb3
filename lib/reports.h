/*
 * lib/reports.h — what a job hands back to its command: plain structs.
 *
 * A job (jobs/) fills one through load/, and its command (cli/) prints it as
 * text, JSON or Prometheus lines. Both layers include this header, so it
 * depends on nothing of the project (docs/architecture.md, "Layers").
 */
#ifndef DR_REPORTS_H
#define DR_REPORTS_H

#include <stdbool.h>
#include <stddef.h>

/* the dossier states, in the order status prints them */
#define STATUS_STATES(X) X(unknown) X(open) X(closed) X(deceased) X(deleted)
enum status_state {
#define STATUS_STATE_ENUM(name) STATUS_##name,
	STATUS_STATES(STATUS_STATE_ENUM)
#undef STATUS_STATE_ENUM
	STATUS_NSTATES
};

/* The state's name as the database and the reports spell it ("open"). */
static inline const char *status_state_name(int k)
{
	static const char *const names[STATUS_NSTATES] = {
#define STATUS_STATE_NAME(name) #name,
		STATUS_STATES(STATUS_STATE_NAME)
#undef STATUS_STATE_NAME
	};
	return k >= 0 && k < STATUS_NSTATES ? names[k] : "?";
}

enum { STATUS_MAX_RUNS = 8, STATUS_MAX_KINDS = 16 };

/* the latest run of a command, as the run table has it (text as stored) */
struct status_run {
	char command[24];
	long long run_id;
	char started_at[32];       /* ISO 8601, UTC */
	char outcome[24];
	char exit_code[8];         /* "" while running */
	char seconds[24];
	char *counts;              /* the run's counts, JSON text (owned: status_free) */
};

/* `dmpremb status`: the promises at an as-of (docs/scheduling.md) */
struct status {
	char as_of[64];
	long first_hours, refresh_days, grace_hours;
	long long first_due, first_overdue, first_overdue_no_identity;
	double first_oldest_h;          /* < 0: none overdue */
	long long refresh_due, refresh_overdue;
	double refresh_oldest_h;        /* < 0: none overdue */
	long long by_state[STATUS_NSTATES], objection;
	long long events_pending;
	long long refused;              /* open dossiers whose last feed refused their document */
	long long backfills_open, backfill_items_left;
	struct status_run runs[STATUS_MAX_RUNS];
	int nruns;
	struct { char kind[32]; long long lines; } unlabelled[STATUS_MAX_KINDS];
	int nunlabelled;                /* the last feed's unlabelled lines by kind of code */
};

/* `dmpremb purge`: what the retention rules remove (docs/retention.md) */
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

/* `dmpremb db distribute` (load/distribute.h) */
struct distribute_report {
	int workers;        /* active primary workers */
	int reference;      /* reference tables made now */
	int distributed;    /* distributed tables made now */
	int already;        /* tables found already in place */
	int roles;          /* group roles given LOGIN now */
	int shard_count;    /* shards of the co-location group */
};

/* `dmpremb ingest`: one batch (jobs/ingest.c). The arrays are indexed by the
 * enums of ingest/rows.h (filter_rule, reject_reason) and the manifest's
 * order; ingest/batch.c checks at compile time that they fit. */
enum { INGEST_MAX_FILES = 32, INGEST_MAX_RULES = 8, INGEST_MAX_REASONS = 32 };

struct ingest_opts {
	const char *dir;
	double max_reject_ratio;   /* per file, rejected / read */
	bool force;                /* apply even above the ratio */
	bool dry_run;
	int jobs;                  /* parser threads */
	bool quiet;                /* no progress line */
};

struct ingest_file_report {
	char name[64];
	char encoding[8];
	char sha256[65];
	long long bytes;
	long read, loaded, filtered, rejected, duplicate;
	long by_rule[INGEST_MAX_RULES];
	long by_reason[INGEST_MAX_REASONS];  /* validation rejects only (SQL ones are in the database) */
};

struct ingest_report {
	long long batch_id;
	char label[256];
	bool already_applied;      /* nothing done: the batch was applied before */
	bool rolled_back;          /* the transaction was rolled back: nothing of the batch written */
	bool refused;              /* reject threshold exceeded, not applied */
	char refused_file[64];
	double refused_ratio;
	int nfiles;
	struct ingest_file_report f[INGEST_MAX_FILES];
	double seconds;
};

/* what `ingest` prints of a batch's rejects: counts by file and reason, and
 * the first ones with their position (never a value of the data) */
enum { INGEST_REJECT_GROUPS = 64, INGEST_FIRST_REJECTS = 20 };
struct ingest_rejects {
	int ngroups;
	struct { char file[64]; char code[32]; long long n; } groups[INGEST_REJECT_GROUPS];
	int nfirst;
	struct { char file[64]; long long line; char column[64]; char reason[512]; } first[INGEST_FIRST_REJECTS];
};

/* `dmpremb dossiers import`: what the fold of the events did (jobs/dossiers.c) */
struct lifecycle_report {
	long long dossiers;        /* dossiers whose history was folded */
	long long events;          /* events folded (all of those dossiers') */
	long long applied, waiting, refused;
	long long deleted;         /* dossiers deleted by this application */
	long long destroyed_documents, destroyed_versions, destroyed_traces;
	long long destroyed_claims;  /* claim lines and stays */
};

/* `dmpremb dossiers import`: the file's lines and events */
struct dossiers_import_report {
	long read, valid, rejected;
	long long imported, created;
	struct lifecycle_report lc;
};

/* `dmpremb dossiers vacuum` (load/lifecycle_io.h) */
struct destruction_report {
	long relations;            /* vacuumed */
	long rewritten;            /* of which rewritten (VACUUM FULL) */
	long dropped;              /* recorded, dropped since: nothing to do */
	double seconds;
};

#endif
