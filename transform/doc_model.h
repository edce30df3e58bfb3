/*
 * transform/doc_model.h — one dossier's document, resolved and ready to write.
 *
 * This is the contract between the builder (transform/build.c: window,
 * netting, H mark, labels from the referentials) and the CDA writer
 * (transform/cda.c: CNAM-HR 2021.01 XML with libxml2). The builder resolves
 * every value; the writer decides nothing about the data, it only lays values
 * out the way the official example does.
 *
 * All strings are UTF-8. They may hold any character of a name or a label
 * (apostrophes, accents, '&', '<', quotes); the writer escapes them and drops
 * any control character. A NULL string means "absent" (see each field for
 * what the writer shows then). Everything is owned by the builder's
 * per-document arena; the writer keeps no pointer after cda_render().
 */
#ifndef DR_DOC_MODEL_H
#define DR_DOC_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/feed_rows.h"

/* The seven sections that hold rows, in the model's order (the eighth,
 * "Usage et Responsabilités", is fixed text and comes first). */
enum doc_section {
	DOC_MEDICAMENTS,   /* 10160-0, pharmacie lines with a CIP13, ATC not J07 */
	DOC_VACCINATIONS,  /* 11369-6, pharmacie lines whose ATC starts with J07 */
	DOC_DISPOSITIFS,   /* 46264-8, pharmacie lines with an LPP code */
	DOC_HOSPITALISATIONS, /* 46240-8, stays */
	DOC_ACTES,         /* 29554-3 / 67803-7, actes lines (NGAP or CCAM) */
	DOC_RADIOLOGIE,    /* 29554-3 / 18726-0, radiologie lines */
	DOC_BIOLOGIE,      /* 29554-3 / 26436-6, biologie lines */
	DOC_SECTIONS
};
_Static_assert(DOC_SECTIONS == FEED_DOC_SECTIONS, "lib/feed_rows.h: FEED_DOC_SECTIONS is the number of sections");

/* A professional, pharmacy or laboratory (prescriber, dispenser, executant). */
struct doc_party {
	const char *pfs_num;  /* PFS number: performer/author id extension; NULL = unknown */
	const char *given;    /* PFS_PRN (person), NULL when not a person or unknown */
	const char *family;   /* PFS_NOM (person), NULL when not a person or unknown */
	const char *org_name; /* PFS_RAI_SOC (pharmacy, laboratory), NULL otherwise */
	const char *display;  /* narrative cell; NULL = empty cell (no such party),
	                         "Non communiqué" when known but unnamed */
	const char *spe_label;/* specialty (IR_SPE_V label) cell; NULL = empty cell */
};

/* An establishment (FINESS). */
struct doc_establishment {
	const char *finess;   /* id extension (root 1.2.250.1.71.4.2.2); NULL = none */
	const char *name;     /* RAISON_SOCIALE; NULL when unknown */
	const char *display;  /* narrative cell; NULL = empty cell */
};

/* An active component of a drug (BDPM CIS_COMPO, nature SA or FT). */
struct doc_component {
	const char *code;     /* code substance (codeSystem 1.2.250.1.215.200.1.3.1) */
	const char *label;    /* substance name */
};

/* One row of a section table and its coded entry. */
struct doc_row {
	char date[9];         /* AAAAMMJJ: care / dispensing date, or admission of a stay */
	char date_end[9];     /* stays only: discharge AAAAMMJJ; "" when unknown or same day */
	bool h;               /* the H mark (first column); never set for stays */
	const char *code;     /* displayed code: CIP13, LPP, NGAP key, CCAM, NABM, GHS number;
	                         NULL for a stay without GHS */
	const char *code_system; /* OID of code (see document.md); NULL with code */
	const char *label;    /* label from the referentials, or the neutral label */
	long quantity;        /* net quantity (> 0), shown in Médicaments and DM */

	/* Médicaments: ATC level 3 (therapeutic group), Vaccinations: ATC 7 (valence). */
	const char *atc_code;      /* NULL when the extract gives no ATC */
	const char *atc_label;     /* narrative cell (therapeutic group / valence); NULL = empty */
	const struct doc_component *components; /* Médicaments: active components */
	size_t n_components;
	const struct doc_component *valence;  /* a vaccine's substances, for the narrative only */
	size_t n_valence;

	struct doc_party prescriber;           /* pharmacy sections */
	struct doc_establishment prescriber_etb;
	struct doc_party executant;            /* "Délivré par" / "Réalisé par" */
	struct doc_establishment executant_etb;/* "Établissement"; for stays, "Lieu du séjour" */
};

struct doc_section_rows {
	const struct doc_row *rows;  /* already in display order: newest first, then code */
	size_t n;
};

struct doc_model {
	/* Header */
	const char *doc_id;          /* this version's id: upper-case UUID (id/@root) */
	const char *set_id;          /* stable across versions: upper-case UUID (setId/@root) */
	int version;                 /* versionNumber, 1.. */
	const char *parent_doc_id;   /* version >= 2: the id of version - 1 (relatedDocument RPLC) */
	const char *effective_time;  /* generation time "AAAAMMJJHHMMSS+HHMM" (Europe/Paris) */
	const char *period_low;      /* serviceEvent low, same format: generation - 24 months */
	const char *period_high;     /* serviceEvent high: the generation time */

	/* recordTarget */
	const char *ins_c;           /* 22 digits, root 1.2.250.1.213.1.4.2 */
	const char *ins_nir;         /* NIR + key, 15 characters (2A/2B kept) */
	const char *ins_nir_root;    /* 1.2.250.1.213.1.4.8 (production) or .10 (test) */
	const char *family_birth;    /* BEN_NOM_NAI, qualifier BR (never NULL) */
	const char *given_all;       /* BEN_PRN_LIS, all given names; NULL when absent */
	const char *given_first;     /* BEN_PRN, qualifier BR (never NULL) */
	const char *family_used;     /* BEN_NOM_USU or the birth name, qualifier CL */
	const char *given_used;      /* qualifier CL (the first given name) */
	int sex;                     /* BEN_SEX_COD: 1 male (M), 2 female (F) */
	const char *birth_time;      /* AAAAMMJJ, or AAAAMM / AAAA when day / month are unknown */
	const char *birth_place;     /* INSEE code of the birthplace (BEN_NAI_COM); NULL = unknown */

	struct doc_section_rows sections[DOC_SECTIONS];
};

/* Code systems of entries (document.md). */
#define OID_CIP   "1.2.250.1.215.200.1.1.1"
#define OID_ATC   "1.2.250.1.215.200.1.2.1"
#define OID_ATC7  "1.2.250.1.215.200.1.2.2"
#define OID_COMPO "1.2.250.1.215.200.1.3.1"
#define OID_LPP   "1.2.250.1.215.200.2.1"
#define OID_GHS   "1.2.250.1.215.200.3.1"
#define OID_NGAP  "1.2.250.1.215.200.3.3"
#define OID_CCAM  "1.2.250.1.215.200.3.4"
#define OID_NABM  "1.2.250.1.215.200.4.1"
#define OID_INS_C "1.2.250.1.213.1.4.2"
#define OID_INS_NIR_PROD "1.2.250.1.213.1.4.8"
#define OID_INS_NIR_TEST "1.2.250.1.213.1.4.10"

#endif
