/*
 * load/refcache_io.h — the referential rows a feed keeps in memory.
 *
 * One COPY ... TO STDOUT per query, streamed row by row to the caller
 * (transform/refcache.c), which keeps what it needs: no statement lives
 * outside load/ (docs/architecture.md).
 */
#ifndef DR_REFCACHE_IO_H
#define DR_REFCACHE_IO_H

#include <libpq-fe.h>
#include <stddef.h>

enum ref_query {
	RQ_DRUGS,       /* cis, denomination, code_substance, substance (FT for SA), by cis, file order */
	RQ_CIP,         /* cip13, cis */
	RQ_LPP,         /* lpp_prs_ide, label */
	RQ_NAT,         /* prs_nat, letter key (NULL when none), label */
	RQ_CCAM,        /* code, label */
	RQ_BIO,         /* code, label */
	RQ_SPE,         /* specialty, label */
	RQ_PHYSICIAN,   /* specialty of a physician (IR_SPE_V PFS_SPE_POS 1 or 2), '1' */
	RQ_GHM,         /* code, label */
	RQ_GHS,         /* number, label */
	RQ_PRO,         /* pfs_num, name, given name, company name (NULL when empty) */
	RQ_ETB,         /* finess, name */
	RQ_COUNT
};

/* A row: its fields (NULL for SQL NULL) and their lengths, valid during the call. */
struct ref_row {
	char *const *field;
	const size_t *len;
	int nfield;
};

/* Streams the rows of q to fn (the first field never NULL, the number of
 * fields checked); fn's non-zero return stops the stream. */
int refcache_read(PGconn *c, enum ref_query q, int (*fn)(void *arg, const struct ref_row *row), void *arg);

#endif
