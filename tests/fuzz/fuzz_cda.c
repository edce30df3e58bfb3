/*
 * tests/fuzz/fuzz_cda.c — libFuzzer target: random identities and labels
 * through the CDA writer (transform/cda*).
 *
 * Input: control byte 0 (bit s: one row in section s; bit 7: the H mark),
 * control byte 1 (bit 0: birth_time from the input too), then NUL-separated
 * strings handed in turn to the identity (names, INS, birthplace) and to each
 * row (code, labels, ATC, a component, the parties and establishments); an
 * empty optional string means absent. Properties:
 *   - a failed render leaves the buffer empty (cda.h's contract);
 *   - a render is well-formed XML (libxml2 reads it back, XML_PARSE_NONET,
 *     no error) in strict UTF-8, its root is ClinicalDocument;
 *   - rendering again gives the same bytes;
 *   - a birth name of plain letters, digits and spaces shows verbatim.
 */
#include "tests/fuzz/fuzz.h"
#include "transform/cda.h"
#include "lib/err.h"

#include <libxml/parser.h>
#include <string.h>

struct pool {
	const char *s;          /* input copy, NUL-terminated */
	size_t n, pos;
};

/* Next string, "" when the input is used up. */
static const char *next(struct pool *p)
{
	const char *s = p->s + p->pos;

	if (p->pos >= p->n)
		return "";
	p->pos += strlen(s) + 1;
	return s;
}

/* Next string, NULL when it is empty (absent). */
static const char *opt(struct pool *p)
{
	const char *s = next(p);
	return s[0] ? s : NULL;
}

static void party(struct pool *p, struct doc_party *d)
{
	d->pfs_num = opt(p);
	d->given = opt(p);
	d->family = opt(p);
	d->org_name = opt(p);
	d->display = opt(p);
	d->spe_label = opt(p);
}

static void establishment(struct pool *p, struct doc_establishment *e)
{
	e->finess = opt(p);
	e->name = opt(p);
	e->display = opt(p);
}

static void fill_model(struct doc_model *m, struct doc_row rows[DOC_SECTIONS],
		       struct doc_component compo[DOC_SECTIONS], struct pool *p,
		       uint8_t c0, uint8_t c1)
{
	static const char *const systems[DOC_SECTIONS] = {
		OID_CIP, OID_CIP, OID_LPP, OID_GHS, OID_CCAM, OID_CCAM, OID_NABM,
	};

	memset(m, 0, sizeof(*m));
	m->doc_id = "8F0C6B1E-2D4A-4C7B-9E3F-00000000F022";
	m->set_id = "3A7E9C10-55B2-4F0E-8D61-0C2B4E6A9F11";
	m->version = 2;
	m->parent_doc_id = "8F0C6B1E-2D4A-4C7B-9E3F-00000000F021";
	m->effective_time = "20250314101500+0100";
	m->period_low = "20230314101500+0100";
	m->period_high = "20250314101500+0100";
	m->ins_nir_root = OID_INS_NIR_TEST;
	m->sex = 1 + (c1 >> 1 & 1);
	m->family_birth = next(p);
	m->given_all = opt(p);
	m->given_first = next(p);
	m->family_used = next(p);
	m->given_used = next(p);
	m->birth_place = opt(p);
	m->ins_c = next(p);
	m->ins_nir = next(p);
	m->birth_time = c1 & 1 ? next(p) : "19850712";
	for (int s = 0; s < DOC_SECTIONS; s++) {
		struct doc_row *r = &rows[s];

		memset(r, 0, sizeof(*r));
		if (!(c0 >> s & 1))
			continue;
		memcpy(r->date, "20250210", 9);
		if (s == DOC_HOSPITALISATIONS)
			memcpy(r->date_end, "20250214", 9);
		else
			r->h = c0 & 0x80;
		r->code = opt(p);
		r->code_system = r->code ? systems[s] : NULL;
		r->label = next(p);
		r->quantity = 1 + (long)(c1 >> 2);
		r->atc_code = opt(p);
		r->atc_label = opt(p);
		compo[s].code = next(p);
		compo[s].label = next(p);
		if (s == DOC_MEDICAMENTS) {
			r->components = &compo[s];
			r->n_components = 1;
		}
		party(p, &r->prescriber);
		establishment(p, &r->prescriber_etb);
		party(p, &r->executant);
		establishment(p, &r->executant_etb);
		m->sections[s].rows = r;
		m->sections[s].n = 1;
	}
}

static void check_xml(const struct buf *b)
{
	const char *x = b->data;
	int n = (int)b->len;
	long bad = fuzz_bad_utf8_at((const unsigned char *)x, (size_t)n);
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	FUZZ_CHECK(bad < 0, "document not UTF-8 at byte %ld", bad);
	ctxt = xmlNewParserCtxt();
	FUZZ_CHECK(ctxt != NULL, "xmlNewParserCtxt");
	doc = xmlCtxtReadMemory(ctxt, x, n, "fuzz.xml", NULL, XML_PARSE_NONET);
	FUZZ_CHECK(doc != NULL && ctxt->wellFormed && ctxt->nsWellFormed && ctxt->errNo == 0,
		   "document not well-formed XML");
	FUZZ_CHECK(xmlStrcmp(xmlDocGetRootElement(doc)->name, BAD_CAST "ClinicalDocument") == 0,
		   "root is not ClinicalDocument");
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc_model m;
	struct doc_row rows[DOC_SECTIONS];
	struct doc_component compo[DOC_SECTIONS];
	struct pool p;
	char *copy;
	struct buf out, again;
	int rc;

	if (size < 2)
		return 0;
	copy = malloc(size - 1);
	FUZZ_CHECK(copy != NULL, "malloc");
	memcpy(copy, data + 2, size - 2);
	copy[size - 2] = '\0';
	p = (struct pool){ copy, size - 2, 0 };
	fill_model(&m, rows, compo, &p, data[0], data[1]);
	buf_init(&out, CDA_BUF_TOOBIG);
	buf_init(&again, CDA_BUF_TOOBIG);
	rc = cda_render(&m, &out);
	if (rc != 0) {
		FUZZ_CHECK(out.len == 0, "failed render (%s) left %zu bytes", dr_errmsg(), out.len);
	} else {
		check_xml(&out);
		FUZZ_CHECK(cda_render(&m, &again) == 0 && again.len == out.len &&
			   memcmp(again.data, out.data, out.len) == 0, "a second render differs");
		if (m.family_birth[0] && strspn(m.family_birth, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") ==
		    strlen(m.family_birth))
			FUZZ_CHECK(strstr(out.data, m.family_birth) != NULL, "the birth name does not show");
	}
	buf_free(&out);
	buf_free(&again);
	free(copy);
	return 0;
}
