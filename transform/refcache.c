/*
 * transform/refcache.c — loads the referentials into hash tables (see refcache.h).
 */
#include "transform/refcache.h"

#include <string.h>

#include "lib/err.h"
#include "lib/text.h"
#include "load/refcache_io.h"

static char *keep(struct refcache *rc, const char *s, size_t n)
{
	return s ? arena_strndup(&rc->mem, s, n) : NULL;
}

#define NOMEM() dr_error(DR_E_NOMEM, "out of memory loading the referentials")

typedef int (*row_fn)(struct refcache *rc, const struct ref_row *co, void *arg);

struct each {
	struct refcache *rc;
	row_fn fn;
	void *arg;
};

static int each_one(void *arg, const struct ref_row *row)
{
	struct each *e = arg;
	int r = e->fn(e->rc, row, e->arg);

	if (r == 0)
		e->rc->entries++;
	return r;
}

/* Hands each row of query q to fn (load/refcache_io.c reads them). */
static int each_row(struct refcache *rc, PGconn *conn, enum ref_query q, row_fn fn, void *arg)
{
	struct each e = { rc, fn, arg };

	return refcache_read(conn, q, each_one, &e);
}

/* code -> label ("" when NULL) into the map arg. */
static int pair_row(struct refcache *rc, const struct ref_row *co, void *arg)
{
	char *label = co->field[1] ? keep(rc, co->field[1], co->len[1]) : (char *)"";
	if (label == NULL || strmap_put(arg, co->field[0], co->len[0], label) != 0)
		return NOMEM();
	return 0;
}

static int load_pairs(struct refcache *rc, PGconn *conn, struct strmap *map, enum ref_query q)
{
	return each_row(rc, conn, q, pair_row, map);
}

static int nat_row(struct refcache *rc, const struct ref_row *co, void *arg)
{
	(void)arg;
	struct ref_nat *n = arena_alloc(&rc->mem, sizeof(*n));
	if (n == NULL)
		return NOMEM();
	n->cb2 = keep(rc, co->field[1], co->len[1]);
	n->lib = co->field[2] ? keep(rc, co->field[2], co->len[2]) : "";
	return strmap_put(&rc->nat, co->field[0], co->len[0], n) ? NOMEM() : 0;
}

static int pro_row(struct refcache *rc, const struct ref_row *co, void *arg)
{
	(void)arg;
	struct ref_pro *p = arena_alloc(&rc->mem, sizeof(*p));
	if (p == NULL)
		return NOMEM();
	p->nom = keep(rc, co->field[1], co->len[1]);
	p->prn = keep(rc, co->field[2], co->len[2]);
	p->rai_soc = keep(rc, co->field[3], co->len[3]);
	/* the given name as the CDA model writes it: "Laure", not "LAURE" */
	if (p->prn)
		text_given_name_case((char *)p->prn);
	/* The cell texts, once here rather than for every row that names them:
	 * "Laure MARIGNY", and "Dr Laure MARIGNY" for a physician's line. */
	p->display = p->rai_soc;
	if (p->display == NULL && p->prn && p->nom) {
		char *d = arena_alloc(&rc->mem, co->len[1] + co->len[2] + 5);
		if (d == NULL)
			return NOMEM();
		memcpy(d, "Dr ", 3);
		memcpy(d + 3, p->prn, co->len[2]);
		d[3 + co->len[2]] = ' ';
		memcpy(d + 3 + co->len[2] + 1, p->nom, co->len[1] + 1);
		p->display_dr = d;
		p->display = d + 3;
	} else if (p->display == NULL) {
		p->display = p->nom ? p->nom : p->prn;
	}
	return strmap_put(&rc->pro, co->field[0], co->len[0], p) ? NOMEM() : 0;
}

/* Drugs are read in two steps: CIS with their components, then CIP13 -> CIS. */
struct drugs {
	struct strmap by_cis;
	struct ref_drug *cur;
	size_t cap;
};

static int cis_row(struct refcache *rc, const struct ref_row *co, void *arg)
{
	struct drugs *dr = arg;
	struct ref_drug *cur = dr->cur;

	if (cur == NULL || strmap_get(&dr->by_cis, co->field[0], co->len[0]) != cur) {
		cur = dr->cur = arena_alloc(&rc->mem, sizeof(*cur));
		if (cur == NULL || strmap_put(&dr->by_cis, co->field[0], co->len[0], cur) != 0)
			return NOMEM();
		cur->name = co->field[1] ? keep(rc, co->field[1], co->len[1]) : "";
		cur->compo = NULL;
		cur->n_compo = 0;
		dr->cap = 0;
	}
	if (co->field[2] == NULL || co->field[3] == NULL)
		return 0;
	for (size_t i = 0; i < cur->n_compo; i++)
		if (strcmp(cur->compo[i].code, co->field[2]) == 0)
			return 0;   /* the same substance at another dosage */
	if (cur->n_compo == dr->cap) {
		/* Arena arrays do not grow in place: copy into a bigger one. */
		size_t ncap = dr->cap ? dr->cap * 2 : 4;
		struct doc_component *a = arena_alloc(&rc->mem, ncap * sizeof(*a));
		if (a == NULL)
			return NOMEM();
		if (cur->n_compo)
			memcpy(a, cur->compo, cur->n_compo * sizeof(*a));
		cur->compo = a;
		dr->cap = ncap;
	}
	struct doc_component *c = &cur->compo[cur->n_compo++];
	c->code = keep(rc, co->field[2], co->len[2]);
	c->label = keep(rc, co->field[3], co->len[3]);
	return c->code && c->label ? 0 : NOMEM();
}

static int cip_row(struct refcache *rc, const struct ref_row *co, void *arg)
{
	struct drugs *dr = arg;
	struct ref_drug *d = co->field[1] ? strmap_get(&dr->by_cis, co->field[1], co->len[1]) : NULL;
	if (d == NULL)
		return 0;   /* a presentation of a CIS the file does not name */
	return strmap_put(&rc->cip, co->field[0], co->len[0], d) ? NOMEM() : 0;
}

/*
 * A drug's components are its active substances (SA), each replaced by the
 * therapeutic fraction (FT) that numero_liaison links to it when the file
 * gives one, in file order; a substance listed twice (two dosages) shows once.
 */
static int load_drugs(struct refcache *rc, PGconn *conn)
{
	struct drugs dr = { .cur = NULL };
	int r;

	strmap_init(&dr.by_cis);
	r = each_row(rc, conn, RQ_DRUGS, cis_row, &dr);
	if (r == 0)
		r = each_row(rc, conn, RQ_CIP, cip_row, &dr);
	strmap_free(&dr.by_cis);
	return r;
}

int refcache_load(struct refcache *rc, PGconn *conn)
{
	memset(rc, 0, sizeof(*rc));
	struct strmap *maps[] = { &rc->cip, &rc->lpp, &rc->nat, &rc->ccam, &rc->bio,
				  &rc->spe, &rc->ghm, &rc->ghs, &rc->pro, &rc->etb, &rc->physician };
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		strmap_init(maps[i]);
	arena_init(&rc->mem, 1024 * 1024);

	int r;
	if ((r = load_drugs(rc, conn)) != 0
	    || (r = load_pairs(rc, conn, &rc->lpp, RQ_LPP)) != 0
	    || (r = each_row(rc, conn, RQ_NAT, nat_row, NULL)) != 0
	    || (r = load_pairs(rc, conn, &rc->ccam, RQ_CCAM)) != 0
	    || (r = load_pairs(rc, conn, &rc->bio, RQ_BIO)) != 0
	    || (r = load_pairs(rc, conn, &rc->spe, RQ_SPE)) != 0
	    || (r = load_pairs(rc, conn, &rc->physician, RQ_PHYSICIAN)) != 0
	    || (r = load_pairs(rc, conn, &rc->ghm, RQ_GHM)) != 0
	    || (r = load_pairs(rc, conn, &rc->ghs, RQ_GHS)) != 0
	    || (r = each_row(rc, conn, RQ_PRO, pro_row, NULL)) != 0
	    || (r = load_pairs(rc, conn, &rc->etb, RQ_ETB)) != 0) {
		refcache_free(rc);
		return r;
	}
	return 0;
}

void refcache_free(struct refcache *rc)
{
	struct strmap *maps[] = { &rc->cip, &rc->lpp, &rc->nat, &rc->ccam, &rc->bio,
				  &rc->spe, &rc->ghm, &rc->ghs, &rc->pro, &rc->etb, &rc->physician };
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		strmap_free(maps[i]);
	arena_free(&rc->mem);
}
