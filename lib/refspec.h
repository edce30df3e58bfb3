/*
 * lib/refspec.h — the referential catalogue's types, shared by the layers.
 *
 * ingest/ reads a referential file as its spec says (ingest/referentials.h,
 * the catalogue ingest/ref_catalog.c), load/ stages and replaces its table
 * (load/referentials_io.h), jobs/referentials.c strings them into one
 * transaction, cli/ prints the results. This header depends on nothing of
 * the project (docs/architecture.md, "Layers").
 */
#ifndef DR_REFSPEC_H
#define DR_REFSPEC_H

#include <stdbool.h>

enum ref_source { REF_SNDS, REF_BDPM };

enum ref_kind {
	REF_CODE,    /* text code: ends trimmed, inner spaces kept ("A   F"); a line
			break inside ends it (CCAM "JANH798\n[A]": the rest is a note) */
	REF_DIGITS,  /* ASCII digits, leading zeros kept; exact length when len > 0 */
	REF_INT,     /* whole number for an int column: leading zeros dropped */
	REF_LABEL,   /* text: each run of blanks holding CR/LF or TAB becomes one
			space, ends trimmed */
};

struct ref_col {
	const char *name;     /* header name (SNDS) or official column name (BDPM) */
	const char *sql;      /* column of the table */
	enum ref_kind kind;
	unsigned char len;    /* REF_DIGITS: exact length, 0 = any */
	bool required;        /* empty value: the record is skipped (counted) */
	signed char pos;      /* BDPM: 0-based field position; SNDS: -1 (by header) */
};

#define REF_MAX_COLS 8

struct ref_spec {
	const char *file;          /* exact file name, e.g. "IR_CCAM_V63.csv" */
	enum ref_source source;
	const char *table;         /* ref_* table */
	const char *pk;            /* primary key columns, for "keep the last" */
	bool line_no;              /* the table has a line_no column (record's line) */
	int nfields;               /* BDPM: fields of a line, trailing empty ones aside */
	int repair_after;          /* BDPM: surplus empty fields right after this
				      position are dropped (stray tabs); -1: none */
	const char *const *field_names; /* BDPM: official name of each position */
	int ncols;
	struct ref_col cols[REF_MAX_COLS];
};

#define REF_MAX_FILES 16   /* at least ref_nspecs */

/* What reading one file found. records = rows handed to the callback + skipped. */
struct ref_counts {
	long long records;    /* data records (header excluded) */
	long long skipped;    /* records with an empty required value */
	long long repaired;   /* records fixed deterministically (stray tabs, CCAM notes) */
	long long bytes;
	char sha256[65];      /* of the file's bytes, lower-case hex */
};

/* One file's outcome in a load. */
struct ref_result {
	const struct ref_spec *spec;
	bool found;
	long long loaded;       /* rows in the table after the load */
	long long duplicates;   /* records whose key a later record repeated */
	struct ref_counts counts;
};

#endif
