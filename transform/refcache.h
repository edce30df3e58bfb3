/*
 * transform/refcache.h — the referentials and names, in memory, for rendering.
 *
 * Loaded once per feed from the database (one COPY per table, no per-code
 * query), then shared read-only by the OpenMP workers: every lookup is one
 * hash probe. Holds what a document shows: drug names and components (BDPM),
 * LPP, NGAP, CCAM and NABM labels, specialties, GHM and GHS labels, and the
 * names of professionals and establishments received in batches.
 */
#ifndef DR_REFCACHE_H
#define DR_REFCACHE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "lib/arena.h"
#include "lib/strmap.h"
#include "transform/doc_model.h"

struct ref_drug {                 /* one CIS (BDPM specialty) */
	const char *name;             /* CIS_bdpm denomination */
	struct doc_component *compo;  /* active components: SA, or FT when linked */
	size_t n_compo;
};

struct ref_nat {                  /* IR_NAT_V */
	const char *cb2;              /* NGAP letter key, NULL when none */
	const char *lib;
};

struct ref_pro {                  /* professionnels.csv */
	const char *nom, *prn, *rai_soc;
	const char *display;          /* as a cell shows it: PFS_RAI_SOC, else "Prn NOM"; NULL when unnamed */
	const char *display_dr;       /* "Dr Prn NOM" for a physician's line; NULL when there is a PFS_RAI_SOC */
};

struct refcache {
	struct strmap cip;    /* CIP13 -> struct ref_drug * */
	struct strmap lpp;    /* LPP code -> label */
	struct strmap nat;    /* PRS_NAT (decimal) -> struct ref_nat * */
	struct strmap ccam;   /* CCAM code -> label */
	struct strmap bio;    /* NABM code (decimal, no leading zero) -> label */
	struct strmap spe;    /* specialty code (decimal) -> label */
	struct strmap ghm;    /* GHM code -> label */
	struct strmap ghs;    /* GHS number (decimal) -> label */
	struct strmap pro;    /* PFS number -> struct ref_pro * */
	struct strmap physician; /* specialty code of a physician (IR_SPE_V PFS_SPE_POS 1, 2) -> "1" */
	struct strmap etb;    /* FINESS -> raison sociale */
	struct arena mem;     /* every string and struct above */
	size_t entries;
};

/* Loads everything; returns 0 or a DR_E_* code (message set). */
int refcache_load(struct refcache *rc, PGconn *conn);
void refcache_free(struct refcache *rc);

#endif
