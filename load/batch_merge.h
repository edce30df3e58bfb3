/*
 * load/batch_merge.h — from the staging table to the stored tables, in SQL.
 *
 * Runs inside the batch's transaction, after the COPY into `stg`:
 *   1. classify (no write to stored tables yet) every staged line into
 *      `res`: loaded, duplicate, rejected (unknown_person, conflict), or
 *      filtered (DOSSIER_SUPPRIME: an identity, claim line or stay whose
 *      INS-C has a dossier in state 'deleted');
 *   2. count outcomes per file (merge_counts);
 *   3. when the batch is applied, write the loaded beneficiaries (re-keying a
 *      person whose INS-C changed, unless the old INS-C's dossier is
 *      deleted), professionals, establishments, stays and claim lines
 *      (creating monthly partitions as needed) — each one statement — and
 *      add the stays and claim lines to the analysts' counts (claim_stat).
 * Rejects of both kinds (validation, classification) go to dmpremb.reject.
 * No per-row round trip: every step is one set-based statement.
 */
#ifndef DR_BATCH_MERGE_H
#define DR_BATCH_MERGE_H

#include <libpq-fe.h>

struct merge_count {
	long long loaded, duplicate, rejected;
	long long filtered_deleted;  /* filtered by DOSSIER_SUPPRIME, the only rule decided in SQL */
};

/*
 * Creates the monthly claim_line partitions the staged lines of c's
 * transaction need, through side, a second connection of the same role, each
 * committed at once: the merge transaction takes no lock on claim_line for
 * DDL (feeds reading claims are not held up for the whole merge), and on
 * Citus it could not create them (a placement DDL'd by the owner's function
 * cannot then be read by the role in the same transaction). A batch then
 * refused or rolled back leaves them empty; purge drops them with their month.
 */
int merge_partitions(PGconn *c, PGconn *side);

/* Creates `files` (file_no, file_name) and classifies into `res`. */
/* file_names must be names of the contract (rows_kind_of() accepted them):
 * they are written into an array literal without escaping. */
int merge_classify(PGconn *c, const char *const *file_names, int nfiles);

/* Per-file outcome counts of the classification; out[file_no]. */
int merge_counts(PGconn *c, struct merge_count *out, int nfiles);

/* Writes the loaded rows to the stored tables. */
int merge_apply(PGconn *c, long long batch_id);

/* Stores every reject of the batch (validation + classification). */
int merge_store_rejects(PGconn *c, long long batch_id);

#endif
