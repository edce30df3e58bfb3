/*
 * ingest/manifest.h — the batch manifest: read it, then check the files.
 *
 * manifest.csv lists each data file as FICHIER;LIGNES;SHA256;ENCODAGE. A batch
 * whose files do not match it (missing or extra *.csv file, wrong digest, a
 * required file not listed) is a truncated or corrupted transfer: it is
 * refused whole, before anything is parsed. Data-line counts are checked after
 * parsing (they need the CSV record count), still before anything commits.
 */
#ifndef DR_MANIFEST_H
#define DR_MANIFEST_H

#include "lib/text.h"

#define MANIFEST_MAX_FILES 32

struct manifest_entry {
	char name[64];
	long lines;                 /* LIGNES: data records, header excluded (the sender's word) */
	char sha256[65];
	enum text_encoding enc;
	long long bytes;            /* measured by manifest_verify */
};

struct manifest {
	int n;
	struct manifest_entry e[MANIFEST_MAX_FILES];
	char sha256[65];            /* of manifest.csv itself: the batch's identity */
};

/* Reads and checks the syntax of DIR/manifest.csv. DR_E_DATA / DR_E_NOINPUT. */
int manifest_read(const char *dir, struct manifest *m);

/*
 * Checks the directory against the manifest: the set of *.csv files, the
 * required files, and every file's SHA-256 (files hashed in parallel, jobs
 * threads). DR_E_DATA with a message naming the file on mismatch.
 */
int manifest_verify(const char *dir, struct manifest *m, int jobs);

const struct manifest_entry *manifest_find(const struct manifest *m, const char *name);

#endif
