/*
 * transform/build.c — dossier rows -> document model (rules in build.h).
 */
#include "transform/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/uuid.h"

const char *const build_warning_names[BW_KINDS] = {
	[BW_CIP] = "unknown_cip13", [BW_LPP] = "unknown_lpp", [BW_NGAP] = "unknown_prs_nat",
	[BW_CCAM] = "unknown_ccam", [BW_NABM] = "unknown_nabm", [BW_STAY] = "unknown_ghs_ghm",
	[BW_SPECIALTY] = "unknown_specialty",
};

#define NON_COMMUNIQUE "Non communiqué"
#define NO_LABEL "Libellé non disponible"

/* A claim line with the section it goes to and the code it nets under. */
struct pending {
	enum doc_section sec;
	const char *code;
	const struct claim_in *c;
};

static int strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);   /* absent first */
	return strcmp(a, b);
}

/* Netting order: section, date (newest first), code, executant, line key. */
static int cmp_pending(const void *pa, const void *pb)
{
	const struct pending *a = pa, *b = pb;
	int r;
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if ((r = strcmp(b->c->date, a->c->date)) != 0)
		return r;
	if ((r = strcmp(a->code, b->code)) != 0)
		return r;
	if ((r = strcmp_null(a->c->pfs_exe_num, b->c->pfs_exe_num)) != 0)
		return r;
	return strcmp_null(a->c->line_key, b->c->line_key);
}

static bool same_group(const struct pending *a, const struct pending *b)
{
	return a->sec == b->sec && strcmp(a->c->date, b->c->date) == 0 && strcmp(a->code, b->code) == 0
	       && strcmp_null(a->c->pfs_exe_num, b->c->pfs_exe_num) == 0;
}

/* Display order: date (newest first), then code, then label and who. */
static int cmp_row(const void *pa, const void *pb)
{
	const struct doc_row *a = pa, *b = pb;
	int r;
	if ((r = strcmp(b->date, a->date)) != 0)
		return r;
	if ((r = strcmp_null(a->code, b->code)) != 0)
		return r;
	if ((r = strcmp_null(a->label, b->label)) != 0)
		return r;
	if ((r = strcmp_null(a->executant.display, b->executant.display)) != 0)
		return r;
	if ((r = strcmp_null(a->executant.pfs_num, b->executant.pfs_num)) != 0)
		return r;
	return strcmp_null(a->executant_etb.finess, b->executant_etb.finess);
}

static char *cat(struct arena *a, const char *x, const char *sep, const char *y)
{
	size_t nx = strlen(x), ns = strlen(sep), ny = strlen(y);
	char *s = arena_alloc(a, nx + ns + ny + 1);
	if (s) {
		memcpy(s, x, nx);
		memcpy(s + nx, sep, ns);
		memcpy(s + nx + ns, y, ny + 1);
	}
	return s;
}

static const char *specialty(const struct build_ctx *ctx, const char *code, struct build_stats *st)
{
	if (code == NULL)
		return NON_COMMUNIQUE;
	const char *l = strmap_getz(&ctx->rc->spe, code);
	if (l == NULL || *l == '\0') {
		st->warnings[BW_SPECIALTY]++;
		return NON_COMMUNIQUE;
	}
	return l;
}

/* A professional, pharmacy or laboratory; absent when num is NULL. */
static void party(const struct build_ctx *ctx, const char *num, const char *spe, struct doc_party *p,
		  struct build_stats *st)
{
	memset(p, 0, sizeof(*p));
	if (num == NULL)
		return;
	p->pfs_num = num;
	p->spe_label = specialty(ctx, spe, st);
	p->display = NON_COMMUNIQUE;
	const struct ref_pro *r = strmap_getz(&ctx->rc->pro, num);
	if (r == NULL)
		return;
	p->given = r->prn;
	p->family = r->nom;
	p->org_name = r->rai_soc;
	/* a physician (their line's specialty) as the CDA model names one: "Dr Laure MARIGNY" */
	if (r->display_dr && spe && strmap_getz(&ctx->rc->physician, spe))
		p->display = r->display_dr;
	else if (r->display)
		p->display = r->display;
}

static void establishment(const struct build_ctx *ctx, const char *finess, struct doc_establishment *e)
{
	memset(e, 0, sizeof(*e));
	if (finess == NULL)
		return;
	e->finess = finess;
	const char *name = strmap_getz(&ctx->rc->etb, finess);
	e->name = name && *name ? name : NULL;
	e->display = e->name ? e->name : NON_COMMUNIQUE;
}

static bool in_stay(const struct dossier_in *d, const char *date)
{
	for (size_t i = 0; i < d->n_stays; i++)
		if (strcmp(d->stays[i].ent, date) <= 0 && strcmp(date, d->stays[i].end) <= 0)
			return true;
	return false;
}

/* Section and netting code of a claim line; false for a line that cannot be shown. */
static bool classify(const struct claim_in *c, struct pending *p)
{
	p->c = c;
	switch (c->domain) {
	case 'P':
		if (c->pha_prs_c13) {
			bool vaccine = c->pha_atc_c07 && strncmp(c->pha_atc_c07, "J07", 3) == 0;
			p->sec = vaccine ? DOC_VACCINATIONS : DOC_MEDICAMENTS;
			p->code = c->pha_prs_c13;
		} else {
			p->sec = DOC_DISPOSITIFS;
			p->code = c->tip_prs_ide;
		}
		break;
	case 'A':
	case 'R':
		p->sec = c->domain == 'A' ? DOC_ACTES : DOC_RADIOLOGIE;
		p->code = c->cam_prs_ide ? c->cam_prs_ide : c->prs_nat_ref;
		break;
	case 'B':
		p->sec = DOC_BIOLOGIE;
		p->code = c->bio_prs_ide;
		break;
	default:
		return false;
	}
	return p->code != NULL;
}

/* Label with a neutral fallback: "Libellé non disponible (KIND code)". */
static const char *label_or_neutral(struct arena *a, const char *label, const char *kind,
				    const char *code, long *warn)
{
	if (label && *label)
		return label;
	(*warn)++;
	if (kind == NULL)
		return NO_LABEL;
	size_t n = strlen(NO_LABEL) + strlen(kind) + strlen(code) + 5;
	char *s = arena_alloc(a, n);
	if (s)
		snprintf(s, n, "%s (%s %s)", NO_LABEL, kind, code);
	return s;
}

/* Codes, labels, ATC and components of a claim row. */
static int describe(const struct build_ctx *ctx, struct arena *a, const struct pending *p,
		    struct doc_row *row, struct build_stats *st)
{
	const struct refcache *rc = ctx->rc;
	const struct claim_in *c = p->c;

	row->code = p->code;
	switch (p->sec) {
	case DOC_MEDICAMENTS:
	case DOC_VACCINATIONS: {
		const struct ref_drug *drug = strmap_getz(&rc->cip, c->pha_prs_c13);
		row->code_system = OID_CIP;
		row->label = label_or_neutral(a, drug ? drug->name : NULL, "CIP", p->code, &st->warnings[BW_CIP]);
		if (p->sec == DOC_MEDICAMENTS) {
			if (c->pha_atc_c07) {
				row->atc_code = arena_strndup(a, c->pha_atc_c07, 3);
				row->atc_label = row->atc_code;
			}
			if (drug) {
				row->components = drug->compo;
				row->n_components = drug->n_compo;
			}
		} else {
			row->atc_code = c->pha_atc_c07;
			/* The valence: the vaccine's substances, else its ATC code. */
			const char *v = NULL;
			for (size_t i = 0; drug && i < drug->n_compo; i++)
				v = v ? cat(a, v, ", ", drug->compo[i].label) : drug->compo[i].label;
			row->atc_label = v ? v : c->pha_atc_c07;
			/* the narrative cell shows them one per line (cda_body.c, valence_cell);
			 * the entry keeps atc_label, whole */
			if (drug) {
				row->valence = drug->compo;
				row->n_valence = drug->n_compo;
			}
		}
		break;
	}
	case DOC_DISPOSITIFS:
		row->code_system = OID_LPP;
		row->label = label_or_neutral(a, strmap_getz(&rc->lpp, p->code), "LPP", p->code,
					      &st->warnings[BW_LPP]);
		break;
	case DOC_ACTES:
	case DOC_RADIOLOGIE:
		if (c->cam_prs_ide) {
			row->code_system = OID_CCAM;
			row->label = label_or_neutral(a, strmap_getz(&rc->ccam, p->code), NULL, p->code,
						      &st->warnings[BW_CCAM]);
		} else {
			const struct ref_nat *nat = strmap_getz(&rc->nat, c->prs_nat_ref);
			row->code_system = OID_NGAP;
			/* the letter key (C, CS, AMI...) as the code, unless it holds a
			 * blank ("IK IKP", "CAR +"), which a CDA code may not (the XSD's
			 * [^\s]+): then the PRS_NAT number, as without a key */
			if (nat && nat->cb2 && strpbrk(nat->cb2, " \t") == NULL)
				row->code = nat->cb2;
			row->label = label_or_neutral(a, nat ? nat->lib : NULL, NULL, p->code,
						      &st->warnings[BW_NGAP]);
		}
		break;
	case DOC_BIOLOGIE:
		row->code_system = OID_NABM;
		row->label = label_or_neutral(a, strmap_getz(&rc->bio, p->code), NULL, p->code,
					      &st->warnings[BW_NABM]);
		break;
	default:
		return dr_error(DR_E_INTERNAL, "claim row in a section without claims");
	}
	if (row->label == NULL || (row->atc_label == NULL && row->atc_code != NULL))
		return dr_error(DR_E_NOMEM, "out of memory building a document");

	bool pharmacy = p->sec <= DOC_DISPOSITIFS;
	if (pharmacy) {
		party(ctx, c->pfs_pre_num, c->psp_spe_cod, &row->prescriber, st);
		establishment(ctx, c->etb_pre_fin, &row->prescriber_etb);
	}
	party(ctx, c->pfs_exe_num, c->pse_spe_cod, &row->executant, st);
	establishment(ctx, c->etb_exe_fin, &row->executant_etb);
	return 0;
}

static int stay_row(const struct build_ctx *ctx, struct arena *a, const struct stay_in *s,
		    struct doc_row *row, struct build_stats *st)
{
	const struct refcache *rc = ctx->rc;
	memset(row, 0, sizeof(*row));
	memcpy(row->date, s->ent, 9);
	if (s->sor[0] && strcmp(s->sor, s->ent) != 0)
		memcpy(row->date_end, s->sor, 9);
	if (s->ghs_num) {
		row->code = s->ghs_num;
		row->code_system = OID_GHS;
	}
	const char *l = s->ghs_num ? strmap_getz(&rc->ghs, s->ghs_num) : NULL;
	if (l == NULL || *l == '\0')
		l = strmap_getz(&rc->ghm, s->grg_ghm);
	row->label = label_or_neutral(a, l, "GHM", s->grg_ghm, &st->warnings[BW_STAY]);
	establishment(ctx, s->eta_num, &row->executant_etb);
	return row->label ? 0 : dr_error(DR_E_NOMEM, "out of memory building a document");
}

static int identity(const struct build_ctx *ctx, struct dossier_in *d, struct arena *a,
		    struct doc_model *m)
{
	m->ins_c = d->ins_c;
	m->ins_nir = cat(a, d->ben_nir, "", d->ben_nir_cle);
	m->ins_nir_root = ctx->ins_nir_root;
	m->family_birth = d->nom_nai;
	m->given_all = d->prn_lis ? d->prn_lis : d->prn;
	m->given_first = d->prn;
	m->family_used = d->nom_usu ? d->nom_usu : d->nom_nai;
	m->given_used = d->prn;
	m->sex = d->sex;
	/* BEN_NAI_DTE is AAAAMMJJ with 00 for an unknown day or month. */
	size_t n = 8;
	if (strncmp(d->nai_dte + 4, "00", 2) == 0)
		n = 4;
	else if (strncmp(d->nai_dte + 6, "00", 2) == 0)
		n = 6;
	m->birth_time = arena_strndup(a, d->nai_dte, n);
	m->birth_place = d->nai_com;

	/* Ids: the set is named by the dossier and the time of its first
	 * version, each version by its set and number (lib/uuid.h). */
	char name[128], *id;
	m->version = d->prev_version + 1;
	if (d->prev_version > 0) {
		m->set_id = d->prev_set_id;
		m->parent_doc_id = d->prev_doc_id;
	} else {
		snprintf(name, sizeof(name), "dmpremb/set/%s/%s", d->ins_c, ctx->effective_time);
		if ((id = arena_alloc(a, UUID_LEN + 1)) == NULL)
			return DR_E_NOMEM;
		uuid_from_name(name, strlen(name), id);
		m->set_id = id;
	}
	int n2 = snprintf(name, sizeof(name), "dmpremb/doc/%s/%d", m->set_id, m->version);
	if ((id = arena_alloc(a, UUID_LEN + 1)) == NULL)
		return DR_E_NOMEM;
	uuid_from_name(name, (size_t)n2, id);
	m->doc_id = id;
	m->effective_time = ctx->effective_time;
	m->period_low = ctx->period_low;
	m->period_high = ctx->effective_time;
	return m->ins_nir && m->birth_time ? 0 : DR_E_NOMEM;
}

int build_model(const struct build_ctx *ctx, struct dossier_in *d, struct arena *a,
		struct doc_model *m, struct build_stats *st)
{
	memset(m, 0, sizeof(*m));
	if (!d->has_identity)
		return BUILD_NO_IDENTITY;
	if (identity(ctx, d, a, m) != 0)
		return dr_error(DR_E_NOMEM, "out of memory building a document");

	size_t cap = d->n_claims + d->n_stays + 1;
	struct pending *p = arena_alloc(a, (d->n_claims + 1) * sizeof(*p));
	struct doc_row *rows = arena_alloc(a, cap * sizeof(*rows));
	unsigned char *sec_of = arena_alloc(a, cap);
	if (p == NULL || rows == NULL || sec_of == NULL)
		return dr_error(DR_E_NOMEM, "out of memory building a document");

	size_t np = 0;
	for (size_t i = 0; i < d->n_claims; i++)
		if (classify(&d->claims[i], &p[np]))
			np++;
	st->lines += (long)d->n_claims;
	qsort(p, np, sizeof(*p), cmp_pending);

	/* Claim rows: one per group of the netting key whose net is positive. */
	size_t nrow = 0;
	for (size_t i = 0; i < np;) {
		size_t j = i;
		long long net = 0;
		const struct pending *rep = NULL;
		bool h = false;
		for (; j < np && same_group(&p[i], &p[j]); j++) {
			net += p[j].c->qty;
			if (rep == NULL && p[j].c->qty > 0)
				rep = &p[j];
			h = h || p[j].c->etb_exe_fin != NULL;
		}
		st->netted_out += (long)(j - i) - (net > 0);
		if (net > 0) {
			struct doc_row *row = &rows[nrow];
			sec_of[nrow++] = (unsigned char)p[i].sec;
			memset(row, 0, sizeof(*row));
			memcpy(row->date, p[i].c->date, 9);
			row->h = h || in_stay(d, p[i].c->date);
			row->quantity = net > 1000000000 ? 1000000000 : (long)net;
			if (describe(ctx, a, rep, row, st) != 0)
				return DR_E_NOMEM;
		}
		i = j;
	}
	/* Stay rows: the stays admitted inside the window. */
	for (size_t i = 0; i < d->n_stays; i++) {
		const struct stay_in *s = &d->stays[i];
		if (strcmp(s->ent, ctx->lo) < 0 || strcmp(s->ent, ctx->hi) > 0)
			continue;
		sec_of[nrow] = DOC_HOSPITALISATIONS;
		if (stay_row(ctx, a, s, &rows[nrow++], st) != 0)
			return DR_E_NOMEM;
	}

	/* Group the rows by section, then sort each section for display. */
	struct doc_row *out = arena_alloc(a, (nrow + 1) * sizeof(*out));
	if (out == NULL)
		return dr_error(DR_E_NOMEM, "out of memory building a document");
	size_t off[DOC_SECTIONS] = { 0 }, count[DOC_SECTIONS] = { 0 };
	for (size_t i = 0; i < nrow; i++)
		count[sec_of[i]]++;
	for (int s = 1; s < DOC_SECTIONS; s++)
		off[s] = off[s - 1] + count[s - 1];
	for (int s = 0; s < DOC_SECTIONS; s++) {
		m->sections[s].rows = &out[off[s]];
		m->sections[s].n = count[s];
		st->rows[s] += (long)count[s];
	}
	for (size_t i = 0; i < nrow; i++)
		out[off[sec_of[i]]++] = rows[i];
	for (int s = 0; s < DOC_SECTIONS; s++)
		qsort((void *)m->sections[s].rows, m->sections[s].n, sizeof(*out), cmp_row);
	return 0;
}
