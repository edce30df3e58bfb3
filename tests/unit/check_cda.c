/*
 * tests/unit/check_cda.c — the CDA writer on models built here: every section
 * filled, all empty, odd characters, partial birth dates with a Corsican NIR,
 * a version 2, a 5,000-row section. Each document must parse, render the same
 * bytes twice, have one entry per row, unique content IDs and references that
 * resolve.
 *
 * With CDA_DUMP_DIR set, each document is also written to
 * $CDA_DUMP_DIR/<name>.xml for shared/cda-kit/cda-validate.
 * All people, codes and establishments here are made up.
 */
#include "tests/unit/unit.h"
#include "transform/cda.h"
#include "lib/err.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS "urn:hl7-org:v3"

static const char *const titles[DOC_SECTIONS] = {
	"Médicaments", "Vaccinations", "Dispositifs médicaux", "Hospitalisations",
	"Soins médicaux et dentaires", "Radiologie", "Biologie",
};

/* ---- models ----------------------------------------------------------- */

static const struct doc_component compo_two[] = {
	{ "1636", "ETHINYLESTRADIOL" }, { "1949", "LEVONORGESTREL" },
};
static const struct doc_component compo_one[] = { { "5014", "ROSUVASTATINE" } };
/* two flu strains as BDPM names them (a real vaccine has four: ~500 characters) */
static const struct doc_component flu_strains[] = {
	{ "66536", "ANTIGÈNES DE SURFACE DU VIRUS DE LA GRIPPE, INACTIVÉ, SOUCHE A/VICTORIA/2570/2019 (H1N1)PDM09"
		   " - SOUCHE ANALOGUE (A/VICTORIA/2570/2019 IVR-215) " },
	{ "44815", "ANTIGÈNES DE SURFACE DE VIRUS DE LA GRIPPE, INACTIVÉ, SOUCHE B/WASHINGTON/02/2019 " },
};

static const struct doc_party dr_martin = {
	"10100000001", "Claire", "MARTIN", NULL, "Dr Claire MARTIN",
	"Médecin - Qualifié en Médecine Générale (SM)",
};
static const struct doc_party pharmacie = {
	"75000000012", NULL, NULL, "PHARMACIE DU CENTRE", "PHARMACIE DU CENTRE", NULL,
};
static const struct doc_party labo = {
	"75000000099", NULL, NULL, "LABORATOIRE DES LILAS", "LABORATOIRE DES LILAS", NULL,
};
static const struct doc_party unnamed = {
	"10100000077", NULL, NULL, NULL, "Non communiqué", NULL,
};
static const struct doc_party pharmacie_sans_nom = {
	"75000000034", NULL, NULL, NULL, "Non communiqué", NULL,
};
static const struct doc_establishment clinique = {
	"750000001", "CLINIQUE DES TILLEULS", "CLINIQUE DES TILLEULS",
};
static const struct doc_establishment centre = {
	"750000002", "CENTRE DE SANTE DU PARC", "CENTRE DE SANTE DU PARC (CSP)",
};

static void base_model(struct doc_model *m, const char *name)
{
	static char doc_id[64];
	unsigned long h = 5381;

	memset(m, 0, sizeof(*m));
	/* A different doc_id per test document, so the derived ids differ too. */
	for (const char *p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	snprintf(doc_id, sizeof(doc_id), "8F0C6B1E-2D4A-4C7B-9E3F-%012lX", h & 0xFFFFFFFFFFFFUL);
	m->doc_id = doc_id;
	m->set_id = "3A7E9C10-55B2-4F0E-8D61-0C2B4E6A9F11";
	m->version = 1;
	m->effective_time = "20250314101500+0100";
	m->period_low = "20230314101500+0100";
	m->period_high = "20250314101500+0100";
	m->ins_c = "0123456789012345678901";
	m->ins_nir = "185077512345608";
	m->ins_nir_root = OID_INS_NIR_TEST;
	m->family_birth = "TESTEUR";
	m->given_all = "PAUL JEAN";
	m->given_first = "PAUL";
	m->family_used = "TESTEUR";
	m->given_used = "PAUL";
	m->sex = 1;
	m->birth_time = "19850712";
	m->birth_place = "75112";
}

static struct doc_row rows_med[3], rows_vac[2], rows_dm[2], rows_hosp[3],
	rows_act[3], rows_rad[2], rows_bio[3];

static void set_rows(struct doc_model *m, int s, struct doc_row *rows, size_t n)
{
	m->sections[s].rows = rows;
	m->sections[s].n = n;
}

static void full_model(struct doc_model *m, const char *name)
{
	struct doc_row *r;

	base_model(m, name);
	memset(rows_med, 0, sizeof(rows_med));
	r = &rows_med[0];
	memcpy(r->date, "20250210", 9);
	r->h = true;
	r->code = "3400930000001"; r->code_system = OID_CIP;
	r->label = "CONTRACEPTIF CPR 3/21"; r->quantity = 1;
	r->atc_code = "G03"; r->atc_label = "HORMONES SEXUELLES ET MODULATEURS DE LA FONCTION GENITALE";
	r->components = compo_two; r->n_components = 2;
	r->prescriber = dr_martin; r->prescriber_etb = clinique;
	r->executant = pharmacie; r->executant_etb = clinique;
	r = &rows_med[1];
	memcpy(r->date, "20241105", 9);
	r->code = "3400930000002"; r->code_system = OID_CIP;
	r->label = "STATINE 5MG CPR 30"; r->quantity = 3;
	r->atc_code = "C10"; r->atc_label = "AGENTS MODIFIANT LES LIPIDES";
	r->components = compo_one; r->n_components = 1;
	r->prescriber = unnamed; r->executant = pharmacie;
	r = &rows_med[2];
	memcpy(r->date, "20230401", 9);
	r->code = "3400930000003"; r->code_system = OID_CIP;
	r->label = "PRODUIT SANS ATC"; r->quantity = 2;
	r->executant = pharmacie;
	set_rows(m, DOC_MEDICAMENTS, rows_med, 3);

	memset(rows_vac, 0, sizeof(rows_vac));
	r = &rows_vac[0];
	memcpy(r->date, "20241020", 9);
	r->code = "3400930000010"; r->code_system = OID_CIP;
	r->label = "VACCIN GRIPPE SUSP INJ"; r->quantity = 1;
	r->atc_code = "J07BB02"; r->atc_label = "GRIPPE, ANTIGENE PURIFIE";
	r->valence = flu_strains; r->n_valence = 2;
	r->prescriber = dr_martin; r->prescriber_etb = centre; r->executant = pharmacie;
	r = &rows_vac[1];
	memcpy(r->date, "20240101", 9);
	r->code = "3400930000011"; r->code_system = OID_CIP;
	r->label = "VACCIN TETANOS"; r->quantity = 1;
	r->executant = pharmacie_sans_nom;
	set_rows(m, DOC_VACCINATIONS, rows_vac, 2);

	memset(rows_dm, 0, sizeof(rows_dm));
	r = &rows_dm[0];
	memcpy(r->date, "20250101", 9);
	r->code = "1234567"; r->code_system = OID_LPP;
	r->label = "PANSEMENTS > OU = 50 CM2 & < 63 CM2, BOITE DE 10"; r->quantity = 4;
	r->prescriber = dr_martin; r->executant = pharmacie;
	r = &rows_dm[1];
	memcpy(r->date, "20240615", 9);
	r->h = true;
	r->code = "7654321"; r->code_system = OID_LPP;
	r->label = "COMPRESSES STERILES"; r->quantity = 2;
	r->executant_etb = clinique;
	set_rows(m, DOC_DISPOSITIFS, rows_dm, 2);

	memset(rows_hosp, 0, sizeof(rows_hosp));
	r = &rows_hosp[0];
	memcpy(r->date, "20240610", 9);
	memcpy(r->date_end, "20240620", 9);
	r->code = "1940"; r->code_system = OID_GHS;
	r->label = "Interventions majeures sur l'intestin grêle et le côlon, niveau 2";
	r->executant_etb = clinique;
	r = &rows_hosp[1];
	memcpy(r->date, "20240301", 9);
	r->code = "1721"; r->code_system = OID_GHS;
	r->label = "Séjour de moins de 2 jours"; r->executant_etb = clinique;
	r = &rows_hosp[2];
	memcpy(r->date, "20230501", 9);
	memcpy(r->date_end, "20230503", 9);
	r->label = "Séjour hospitalier";
	set_rows(m, DOC_HOSPITALISATIONS, rows_hosp, 3);

	memset(rows_act, 0, sizeof(rows_act));
	r = &rows_act[0];
	memcpy(r->date, "20250301", 9);
	r->code = "G"; r->code_system = OID_NGAP;
	r->label = "CONSULTATION MEDECINE GENERALE";
	r->executant = dr_martin; r->executant_etb = centre;
	r = &rows_act[1];
	memcpy(r->date, "20240615", 9);
	r->h = true;
	r->code = "FTR"; r->code_system = OID_NGAP;
	r->label = "FORFAIT TECHNIQUE REDUIT"; r->executant_etb = clinique;
	r = &rows_act[2];
	memcpy(r->date, "20240115", 9);
	r->code = "BJQP002"; r->code_system = OID_CCAM;
	r->label = "exam. fct motricité oculaire"; r->executant = unnamed;
	set_rows(m, DOC_ACTES, rows_act, 3);

	memset(rows_rad, 0, sizeof(rows_rad));
	r = &rows_rad[0];
	memcpy(r->date, "20240612", 9);
	r->h = true;
	r->code = "YYYY300"; r->code_system = OID_CCAM;
	r->label = "suppl. imagerie pr radio interv. au bloc op.";
	r->executant = dr_martin; r->executant_etb = clinique;
	r = &rows_rad[1];
	memcpy(r->date, "20240430", 9);
	r->code = "QEQJ001"; r->code_system = OID_CCAM;
	r->label = "remno sein +inject IV"; r->executant = dr_martin;
	set_rows(m, DOC_RADIOLOGIE, rows_rad, 2);

	memset(rows_bio, 0, sizeof(rows_bio));
	r = &rows_bio[0];
	memcpy(r->date, "20250205", 9);
	r->code = "1208"; r->code_system = OID_NABM;
	r->label = "T.S.H. (SANG)"; r->executant = labo;
	r = &rows_bio[1];
	memcpy(r->date, "20240612", 9);
	r->h = true;
	r->code = "552"; r->code_system = OID_NABM;
	r->label = "SANG : GLUCOSE (GLYCEMIE)"; r->executant = labo; r->executant_etb = clinique;
	r = &rows_bio[2];
	memcpy(r->date, "20240101", 9);
	r->code = "9105"; r->code_system = OID_NABM;
	r->label = "FORFAIT DE SECURITE POUR ECHANTILLON SANGUIN";
	set_rows(m, DOC_BIOLOGIE, rows_bio, 3);
}

/* ---- checks ------------------------------------------------------------- */

struct rendered {
	struct buf buf;
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

static void dump(const char *name, const struct buf *b)
{
	const char *dir = getenv("CDA_DUMP_DIR");
	char path[4096];
	FILE *f;

	if (dir == NULL || *dir == '\0')
		return;
	snprintf(path, sizeof(path), "%s/%s.xml", dir, name);
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(b->data, 1, b->len, f), b->len);
	ck_assert_int_eq(fclose(f), 0);
}

static double xp_number(struct rendered *d, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->xp);
	double v;

	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

/* The string value of expr; caller frees. */
static char *xp_string(struct rendered *d, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->xp);
	char *v;

	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	v = (char *)xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	return v;
}

/* The string an XPath expression gives on the rendered document equals want. */
#define ck_assert_xp_str(d, expr, want) do { \
		char *got_ = xp_string((d), (expr)); \
		ck_assert_str_eq(got_, (want)); \
		xmlFree(got_); \
	} while (0)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every ID unique; every reference "#X" names one of them. */
static void check_ids_and_refs(struct rendered *d)
{
	xmlXPathObjectPtr ids = xmlXPathEvalExpression(BAD_CAST "//@ID", d->xp);
	xmlXPathObjectPtr refs = xmlXPathEvalExpression(BAD_CAST "//c:reference", d->xp);
	int nid, nref;
	char **v;

	ck_assert(ids != NULL && refs != NULL);
	nid = ids->nodesetval ? ids->nodesetval->nodeNr : 0;
	nref = refs->nodesetval ? refs->nodesetval->nodeNr : 0;
	ck_assert_int_gt(nid, 0);
	v = calloc((size_t)nid, sizeof(*v));
	ck_assert(v != NULL);
	for (int i = 0; i < nid; i++)
		v[i] = (char *)xmlNodeGetContent(ids->nodesetval->nodeTab[i]);
	qsort(v, (size_t)nid, sizeof(*v), cmp_str);
	for (int i = 1; i < nid; i++)
		ck_assert_msg(strcmp(v[i - 1], v[i]) != 0, "duplicate ID %s", v[i]);
	for (int i = 0; i < nref; i++) {
		xmlChar *val = xmlGetProp(refs->nodesetval->nodeTab[i], BAD_CAST "value");
		ck_assert_msg(val != NULL && val[0] == '#', "reference without #value");
		const char *key = (const char *)val + 1;
		ck_assert_msg(bsearch(&key, v, (size_t)nid, sizeof(*v), cmp_str) != NULL,
			      "reference %s resolves to nothing", val);
		xmlFree(val);
	}
	for (int i = 0; i < nid; i++)
		xmlFree(v[i]);
	free(v);
	xmlXPathFreeObject(ids);
	xmlXPathFreeObject(refs);
}

/* Rows and entries of each section, and each entry's first reference. */
static void check_sections(struct rendered *d, const struct doc_model *m)
{
	static const char *const prefix[DOC_SECTIONS] = {
		"MED", "VAC", "DM", "HOSP", "ACTE", "RAD", "BIO",
	};
	char expr[512], want[64];

	ck_assert_int_eq((int)xp_number(d, "count(/c:ClinicalDocument/c:component/"
				       "c:structuredBody/c:component)"), 1 + DOC_SECTIONS);
	for (int s = 0; s < DOC_SECTIONS; s++) {
		size_t n = m->sections[s].n;
		char *title;

		snprintf(expr, sizeof(expr), "/c:ClinicalDocument/c:component/c:structuredBody/"
			 "c:component[%d]/c:section/c:title", s + 2);
		title = xp_string(d, expr);
		ck_assert_str_eq(title, titles[s]);
		xmlFree(title);
		snprintf(expr, sizeof(expr), "count(/c:ClinicalDocument/c:component/"
			 "c:structuredBody/c:component[%d]/c:section/c:entry)", s + 2);
		ck_assert_int_eq((long)xp_number(d, expr), n ? (long)n : 1);
		snprintf(expr, sizeof(expr), "count(/c:ClinicalDocument/c:component/"
			 "c:structuredBody/c:component[%d]/c:section/c:text/c:table/c:tbody/c:tr)",
			 s + 2);
		ck_assert_int_eq((long)xp_number(d, expr), (long)n);
		/* First, middle and last entries point at their own row. */
		for (size_t k = 0; n && k < 3; k++) {
			size_t i = k == 0 ? 0 : k == 1 ? n / 2 : n - 1;
			char *ref;

			snprintf(expr, sizeof(expr), "string((/c:ClinicalDocument/c:component/"
				 "c:structuredBody/c:component[%d]/c:section/c:entry[%zu]"
				 "//c:reference/@value)[1])", s + 2, i + 1);
			snprintf(want, sizeof(want), "#%s%03zu", prefix[s], i + 1);
			ref = xp_string(d, expr);
			ck_assert_str_eq(ref, want);
			xmlFree(ref);
			snprintf(expr, sizeof(expr), "count(//c:content[@ID='%s'])", want + 1);
			ck_assert_int_eq((int)xp_number(d, expr), 1);
		}
	}
}

/* Renders m (twice: same bytes), dumps it, parses it and runs the checks
 * every document must pass. */
static void render(struct rendered *d, const struct doc_model *m, const char *name)
{
	struct buf again;
	xmlParserCtxtPtr ctxt;

	xmlInitParser();
	buf_init(&d->buf, CDA_BUF_TOOBIG);
	buf_init(&again, CDA_BUF_TOOBIG);
	ck_assert_msg(cda_render(m, &d->buf) == 0, "cda_render: %s", dr_errmsg());
	ck_assert_int_eq(cda_render(m, &again), 0);
	ck_assert_uint_eq(d->buf.len, again.len);
	ck_assert(memcmp(d->buf.data, again.data, again.len) == 0);
	buf_free(&again);
	dump(name, &d->buf);

	ctxt = xmlNewParserCtxt();
	ck_assert(ctxt != NULL);
	d->doc = xmlCtxtReadMemory(ctxt, d->buf.data, (int)d->buf.len, name, NULL, XML_PARSE_NONET);
	ck_assert_msg(d->doc != NULL && ctxt->wellFormed && ctxt->errNo == 0,
		      "%s does not parse", name);
	xmlFreeParserCtxt(ctxt);
	d->xp = xmlXPathNewContext(d->doc);
	ck_assert(d->xp != NULL);
	ck_assert_int_eq(xmlXPathRegisterNs(d->xp, BAD_CAST "c", BAD_CAST NS), 0);
	check_ids_and_refs(d);
	check_sections(d, m);
}

static void release(struct rendered *d)
{
	xmlXPathFreeContext(d->xp);
	xmlFreeDoc(d->doc);
	buf_free(&d->buf);
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(full_document)
{
	struct doc_model m;
	struct rendered d;
	char *s;

	full_model(&m, "full");
	render(&d, &m, "full");
	ck_assert_xp_str(&d, "string(//c:content[@ID='MED001'])", "CONTRACEPTIF CPR 3/21");
	/* H column, components on two lines, stay periods */
	ck_assert_int_eq((int)xp_number(&d, "count(//c:section[c:title='Médicaments']"
					"//c:tbody/c:tr[1]/c:td[1][.='H'])"), 1);
	ck_assert_int_eq((int)xp_number(&d, "count(//c:section[c:title='Médicaments']"
					"//c:tbody/c:tr[1]/c:td[5]/c:br)"), 1);
	ck_assert_xp_str(&d, "string(//c:section[c:title='Hospitalisations']//c:tbody/c:tr[1]/c:td[1])", "du 10/06/2024 au 20/06/2024");
	ck_assert_xp_str(&d, "string(//c:section[c:title='Hospitalisations']//c:tbody/c:tr[2]/c:td[1])", "le 01/03/2024");
	/* a vaccine's valence: a line per substance, without the strain details
	 * after " - "; the coded entry keeps its ATC label whole */
	ck_assert_int_eq((int)xp_number(&d, "count(//c:section[c:title='Vaccinations']"
					"//c:tbody/c:tr[1]/c:td[c:br])"), 1);
	s = xp_string(&d, "string(//c:section[c:title='Vaccinations']//c:tbody/c:tr[1]/c:td[c:br])");
	ck_assert_str_eq(s, "ANTIGÈNES DE SURFACE DU VIRUS DE LA GRIPPE, INACTIVÉ, SOUCHE A/VICTORIA/2570/2019 (H1N1)PDM09"
			 "ANTIGÈNES DE SURFACE DE VIRUS DE LA GRIPPE, INACTIVÉ, SOUCHE B/WASHINGTON/02/2019");
	xmlFree(s);
	ck_assert_int_eq((int)xp_number(&d, "count(//c:translation[@code='J07BB02']"
					"[@displayName='GRIPPE, ANTIGENE PURIFIE'])"), 1);
	/* stay without GHS: no qualifier; with: GHS qualifier */
	ck_assert_int_eq((int)xp_number(&d, "count(//c:encounter/c:code/c:qualifier)"), 2);
	/* version 1: no relatedDocument */
	ck_assert_int_eq((int)xp_number(&d, "count(//c:relatedDocument)"), 0);
	/* entry UUIDs: upper case, version 8, all distinct */
	ck_assert_int_eq((int)xp_number(&d, "count(//c:substanceAdministration/c:id[@root])"), 5);
	s = xp_string(&d, "string(//c:substanceAdministration/c:id/@root)");
	ck_assert_uint_eq(strlen(s), 36);
	ck_assert_int_eq(s[14], '8');
	ck_assert(strchr("89AB", s[19]) != NULL);
	for (const char *p = s; *p; p++)
		ck_assert(!(*p >= 'a' && *p <= 'f'));
	xmlFree(s);
	release(&d);
}
END_TEST

START_TEST(empty_document)
{
	struct doc_model m;
	struct rendered d;
	char *s;

	base_model(&m, "empty");
	m.given_all = NULL;
	m.birth_place = NULL;
	m.sex = 2;
	render(&d, &m, "empty");
	ck_assert_int_eq((int)xp_number(&d, "count(//c:text[.='Aucune donnée de remboursement "
					"connue dans la période'])"), DOC_SECTIONS);
	ck_assert_int_eq((int)xp_number(&d, "count(//c:table)"), 0);
	ck_assert_xp_str(&d, "string(//c:administrativeGenderCode/@code)", "F");
	/* no list of given names: the first one stands for it; no birthplace: NASK */
	ck_assert_xp_str(&d, "string(//c:patient/c:name/c:given[not(@qualifier)])", "PAUL");
	ck_assert_xp_str(&d, "string(//c:birthplace/c:place/c:addr/c:county/@nullFlavor)", "NASK");
	s = xp_string(&d, "string(//c:text[@ID='mention'])");
	ck_assert(strstr(s, "vingt-quatre derniers mois") != NULL);
	ck_assert(strstr(s, "La présence d'un H en début de ligne") != NULL);
	xmlFree(s);
	release(&d);
}
END_TEST

START_TEST(odd_characters)
{
	static char long_label[20001];
	struct doc_model m;
	struct rendered d;
	const char *raw;
	char *s;

	full_model(&m, "odd-characters");
	m.family_birth = "D'ARTAGNAN-LŒUF & <FILS> \"junior\"";
	m.family_used = "D\x01'ARTAGNAN";
	m.given_all = "JOSÉ\tMARIE";
	m.given_first = "JOSÉ";
	m.given_used = "JOSÉ";
	rows_med[0].label = "L'ŒUF & <CIE> \"5 mg\" l’œuvre\x07 fin";
	rows_med[1].label = "ancien \xE9t\xE9 CP1252\x80 \xC3";  /* invalid UTF-8 */
	rows_med[0].components = NULL;
	rows_med[0].n_components = 0;
	memset(&rows_vac[1].executant, 0, sizeof(rows_vac[1].executant));  /* no dispenser */
	memset(long_label, 'A', sizeof(long_label) - 1);
	rows_act[0].label = long_label;
	rows_act[0].executant.family = "O'HARA & <SONS>";
	render(&d, &m, "odd-characters");

	raw = d.buf.data;
	for (size_t i = 0; i < d.buf.len; i++)
		ck_assert_msg((unsigned char)raw[i] >= 0x20 || raw[i] == '\n',
			      "control byte 0x%02x at %zu", (unsigned char)raw[i], i);
	ck_assert_xp_str(&d, "string(//c:content[@ID='MED001'])", "L'ŒUF & <CIE> \"5 mg\" l’œuvre fin");
	ck_assert_xp_str(&d, "string((//c:manufacturedMaterial/c:name)[1])", "L'ŒUF & <CIE> \"5 mg\" l’œuvre fin");
	ck_assert_xp_str(&d, "string((//c:manufacturedMaterial/c:code/c:translation/@displayName)[1])", "L'ŒUF & <CIE> \"5 mg\" l’œuvre fin");
	/* each byte of an invalid sequence becomes U+FFFD */
	ck_assert_xp_str(&d, "string(//c:content[@ID='MED002'])", "ancien \xEF\xBF\xBDt\xEF\xBF\xBD CP1252\xEF\xBF\xBD \xEF\xBF\xBD");
	ck_assert_xp_str(&d, "string(//c:patient/c:name/c:family[@qualifier='BR'])", "D'ARTAGNAN-LŒUF & <FILS> \"junior\"");
	ck_assert_xp_str(&d, "string(//c:patient/c:name/c:family[@qualifier='CL'])", "D'ARTAGNAN");
	ck_assert_xp_str(&d, "string(//c:patient/c:name/c:given[not(@qualifier)])", "JOSÉMARIE");
	s = xp_string(&d, "string(//c:content[@ID='ACTE001'])");
	ck_assert_uint_eq(strlen(s), sizeof(long_label) - 1);
	xmlFree(s);
	ck_assert_xp_str(&d, "string((//c:procedure//c:assignedPerson/c:name/c:family)[1])", "O'HARA & <SONS>");
	release(&d);
}
END_TEST

/* Names of nothing but characters XML cannot hold (U+FFFE, U+FFFF) are missing
 * names: never an empty particle (dtr1-3-EN), an optional one falls back. */
START_TEST(noncharacter_names)
{
	struct doc_model m;
	struct rendered d;

	full_model(&m, "noncharacter-names");
	m.family_used = "\xEF\xBF\xBE\xEF\xBF\xBF";
	m.given_all = " \xEF\xBF\xBF ";
	rows_act[0].executant.family = "\xEF\xBF\xBF";
	rows_act[0].executant.given = "\x01\xEF\xBF\xBE";
	render(&d, &m, "noncharacter-names");
	ck_assert_int_eq((int)xp_number(&d, "count(//c:family[normalize-space(.)=''] | //c:given[normalize-space(.)=''])"), 0);
	ck_assert_xp_str(&d, "string(//c:patient/c:name/c:family[@qualifier='CL'])", m.family_birth);
	ck_assert_xp_str(&d, "string(//c:patient/c:name/c:given[not(@qualifier)])", m.given_first);
	release(&d);
}
END_TEST

/* Corsican NIR 178072A004215 + key 48 (2A counts as 19); birth day or month unknown. */
START_TEST(partial_birth_corsica)
{
	static const char *const births[] = { "1978", "197807" };
	static const char *const names[] = { "partial-aaaa", "partial-aaaamm" };
	struct doc_model m;
	struct rendered d;

	for (int k = 0; k < 2; k++) {
		base_model(&m, names[k]);
		m.ins_nir = "178072A00421548";
		m.birth_time = births[k];
		m.birth_place = "2A004";
		m.ins_nir_root = OID_INS_NIR_PROD;
		render(&d, &m, names[k]);
		ck_assert_xp_str(&d, "string(//c:patient/c:birthTime/@value)", births[k]);
		ck_assert_xp_str(&d, "string(//c:patientRole/c:id[@root='1.2.250.1.213.1.4.8']/@extension)", "178072A00421548");
		ck_assert_xp_str(&d, "string(//c:birthplace/c:place/c:addr/c:county)", "2A004");
		release(&d);
	}
}
END_TEST

START_TEST(version_two)
{
	struct doc_model m;
	struct rendered d;

	full_model(&m, "version-2");
	m.version = 2;
	m.parent_doc_id = "8F0C6B1E-2D4A-4C7B-9E3F-000000000001";
	render(&d, &m, "version-2");
	ck_assert_xp_str(&d, "string(/c:ClinicalDocument/c:relatedDocument[@typeCode='RPLC']"
		      "/c:parentDocument/c:id/@root)", "8F0C6B1E-2D4A-4C7B-9E3F-000000000001");
	ck_assert_xp_str(&d, "string(/c:ClinicalDocument/c:versionNumber/@value)", "2");
	release(&d);
}
END_TEST

START_TEST(five_thousand_rows)
{
	const size_t n = 5000;
	struct doc_row *rows = calloc(n, sizeof(*rows));
	static char labels[5000][32];
	struct doc_model m;
	struct rendered d;

	ck_assert(rows != NULL);
	base_model(&m, "rows-5000");
	for (size_t i = 0; i < n; i++) {
		struct doc_row *r = &rows[i];
		snprintf(r->date, sizeof(r->date), "2024%02zu%02zu", 12 - i % 12, 28 - i % 28);
		r->h = i % 7 == 0;
		r->code = i % 2 ? "G" : "BJQP002";
		r->code_system = i % 2 ? OID_NGAP : OID_CCAM;
		snprintf(labels[i], sizeof(labels[i]), "ACTE NUMERO %zu", i + 1);
		r->label = labels[i];
		r->executant = dr_martin;
		r->executant_etb = i % 3 ? centre : clinique;
	}
	set_rows(&m, DOC_ACTES, rows, n);
	render(&d, &m, "rows-5000");
	ck_assert_int_eq((int)xp_number(&d, "count(//c:content[@ID='ACTE5000'])"), 1);
	ck_assert_int_eq((int)xp_number(&d, "count(//c:content[@ID='ACTE999'])"), 1);
	release(&d);
	free(rows);
}
END_TEST

/* Parties and establishments known only in part, and other rare shapes. */
START_TEST(partial_parties)
{
	static const struct doc_component compo_nocode[] = { { NULL, "SUBSTANCE SANS CODE" } };
	static const struct doc_establishment finess_only = { "750000003", NULL, "Non communiqué" };
	static const struct doc_party nobody = { 0 };
	struct doc_model m;
	struct rendered d;

	full_model(&m, "partial-parties");
	m.sex = 0;
	/* prescriber known by its establishment only; dispenser unknown */
	rows_med[0].prescriber = nobody;
	rows_med[0].executant = nobody;
	rows_med[0].executant_etb = finess_only;
	rows_med[0].components = compo_nocode;
	rows_med[0].n_components = 1;
	rows_med[1].prescriber_etb = finess_only;
	/* a device with no party at all */
	memset(&rows_dm[0].prescriber, 0, sizeof(rows_dm[0].prescriber));
	memset(&rows_dm[0].executant, 0, sizeof(rows_dm[0].executant));
	rows_dm[1].executant_etb = finess_only;
	/* stay whose place has no name; stay with nothing known but its dates */
	rows_hosp[1].executant_etb = finess_only;
	/* unnamed executant with an establishment; laboratory with a nameless one */
	rows_act[2].executant_etb = finess_only;
	rows_bio[1].executant_etb = finess_only;
	rows_rad[1].executant = unnamed;
	render(&d, &m, "partial-parties");
	ck_assert_int_eq((int)xp_number(&d, "count(//c:administrativeGenderCode[@code='UN'])"), 1);
	/* every dispensing has its dispenser (date known) */
	ck_assert_int_eq((int)xp_number(&d, "count(//c:supply[c:templateId/@root='1.2.250.1.213.1.1.3.44'"
					"]/c:performer/c:time)"), 5);
	release(&d);
}
END_TEST

/* OpenMP workers, each with its own buffer, give the single-thread bytes. */
START_TEST(parallel_workers)
{
	struct doc_model m;
	struct buf ref;
	int bad = 0;

	buf_init(&ref, CDA_BUF_TOOBIG);
	full_model(&m, "full");
	ck_assert_int_eq(cda_render(&m, &ref), 0);
#pragma omp parallel for reduction(+:bad)
	for (int i = 0; i < 16; i++) {
		struct buf b;
		buf_init(&b, CDA_BUF_TOOBIG);
		if (cda_render(&m, &b) != 0 || b.len != ref.len || memcmp(b.data, ref.data, ref.len) != 0)
			bad++;
		buf_free(&b);
	}
	ck_assert_int_eq(bad, 0);
	buf_free(&ref);
}
END_TEST

/* A limit: the same bytes when the document fits (even exactly), else
 * DR_E_DATA with the buffer empty, and rendering stops near the limit. */
START_TEST(size_limit)
{
	struct doc_model m;
	struct buf ref, b;

	buf_init(&ref, CDA_BUF_TOOBIG);
	buf_init(&b, CDA_BUF_TOOBIG);
	full_model(&m, "limit");
	ck_assert_int_eq(cda_render(&m, &ref), 0);
	size_t n = ref.len;
	ck_assert_int_eq(cda_render_max(&m, &b, n), 0);
	ck_assert_uint_eq(b.len, n);
	ck_assert(memcmp(b.data, ref.data, n) == 0);
	/* too large: an outcome, not an error (the thread's message untouched) */
	dr_error(DR_E_IO, "earlier");
	ck_assert_int_eq(cda_render_max(&m, &b, n - 1), RENDER_TOO_LARGE);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(dr_errmsg(), "earlier");
	ck_assert_int_eq(cda_render_max(&m, &b, 1000), RENDER_TOO_LARGE);
	ck_assert_uint_eq(b.len, 0);
	/* the same model renders whole again afterwards */
	ck_assert_int_eq(cda_render_max(&m, &b, SIZE_MAX), 0);
	ck_assert_uint_eq(b.len, n);
	buf_free(&b);
	buf_free(&ref);
}
END_TEST

START_TEST(model_errors)
{
	struct doc_model m;
	struct buf bb, *b = &bb;

	buf_init(b, CDA_BUF_TOOBIG);
	full_model(&m, "errors");
	m.version = 2;   /* no parent id */
	ck_assert_int_eq(cda_render(&m, b), DR_E_INTERNAL);
	ck_assert_uint_eq(b->len, 0);
	full_model(&m, "errors");
	memcpy(rows_act[1].date, "2024-6-1", 9);
	ck_assert_int_eq(cda_render(&m, b), DR_E_INTERNAL);
	ck_assert_uint_eq(b->len, 0);
	ck_assert(strstr(dr_errmsg(), "AAAAMMJJ") != NULL);
	full_model(&m, "errors");
	m.ins_c = NULL;
	ck_assert_int_eq(cda_render(&m, b), DR_E_INTERNAL);
	full_model(&m, "errors");
	m.birth_time = NULL;
	ck_assert_int_eq(cda_render(&m, b), DR_E_INTERNAL);
	ck_assert_uint_eq(b->len, 0);
	buf_free(b);
}
END_TEST

Suite *suite_cda(void)
{
	Suite *s = suite_create("cda");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, full_document);
	tcase_add_test(tc, empty_document);
	tcase_add_test(tc, odd_characters);
	tcase_add_test(tc, noncharacter_names);
	tcase_add_test(tc, partial_birth_corsica);
	tcase_add_test(tc, version_two);
	tcase_add_test(tc, partial_parties);
	tcase_add_test(tc, five_thousand_rows);
	tcase_add_test(tc, parallel_workers);
	tcase_add_test(tc, model_errors);
	tcase_add_test(tc, size_limit);
	suite_add_tcase(s, tc);
	return s;
}
