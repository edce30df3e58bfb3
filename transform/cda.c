/*
 * transform/cda.c — cda_render(), the text filter, the element helpers and the
 * derived ids shared by cda_header.c, cda_body.c and cda_entries.c.
 *
 *   doc_model --> cda_write_header() --> cda_write_body() --> xmlBuffer
 *                 (through cda_el/cda_open/cda_text: filter, then libxml2 escapes)
 */
#include "transform/cda.h"
#include "transform/cda_priv.h"

#include "lib/err.h"
#include "lib/text.h"
#include "lib/uuid.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* A label may be any length: the scratch buffer only stops at absurd sizes. */
#define CDA_TMP_TOOBIG ((size_t)1 << 30)

int cda_xml_failed(const char *what)
{
	return dr_error(DR_E_INTERNAL, "cannot write the CDA document: libxml2 failed at %s", what);
}

/* Characters the document never holds: C0 (TAB, CR, LF included), DEL, C1,
 * and the two code points XML 1.0 forbids. */
static int dropped(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

const char *cda_clean(struct cda_w *cw, const char *s, int *rc)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i = 0, len;
	unsigned cp;

	*rc = 0;
	if (s == NULL)
		return NULL;
	n = strlen(s);
	/* Fast path: most strings are clean and are written as they are. */
	while (i < n) {
		len = text_utf8_seq(s + i, n - i, &cp);
		if (len == 0 || dropped(cp))
			break;
		i += len;
	}
	if (i == n)
		return s;

	buf_reset(&cw->tmp);
	if ((*rc = buf_append(&cw->tmp, s, i)) < 0)
		return NULL;
	while (i < n) {
		len = text_utf8_seq(s + i, n - i, &cp);
		if (len == 0) {
			/* One U+FFFD per byte that is not part of a valid sequence. */
			*rc = buf_append(&cw->tmp, "\xEF\xBF\xBD", 3);
			len = 1;
		} else if (!dropped(cp)) {
			*rc = buf_append(&cw->tmp, p + i, len);
		}
		if (*rc < 0)
			return NULL;
		i += len;
	}
	if (cw->tmp.data == NULL && (*rc = buf_append(&cw->tmp, "", 0)) < 0)
		return NULL;
	return cw->tmp.data;
}

int cda_attr(struct cda_w *cw, const char *name, const char *value)
{
	int rc;
	const char *v = cda_clean(cw, value, &rc);

	if (rc < 0)
		return rc;
	CDA_XML(xmlTextWriterWriteAttribute(cw->w, BAD_CAST name, BAD_CAST v), name);
	return 0;
}

int cda_text(struct cda_w *cw, const char *text)
{
	int rc;
	const char *v = cda_clean(cw, text, &rc);

	if (rc < 0)
		return rc;
	CDA_XML(xmlTextWriterWriteString(cw->w, BAD_CAST v), "text");
	return 0;
}

static int open_va(struct cda_w *cw, const char *name, va_list ap)
{
	const char *an, *av;

	CDA_XML(xmlTextWriterStartElement(cw->w, BAD_CAST name), name);
	while ((an = va_arg(ap, const char *)) != NULL) {
		av = va_arg(ap, const char *);
		if (av != NULL)
			CDA_TRY(cda_attr(cw, an, av));
	}
	return 0;
}

int cda_el(struct cda_w *cw, const char *name, ...)
{
	va_list ap;
	int rc;

	va_start(ap, name);
	rc = open_va(cw, name, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	return cda_end(cw);
}

int cda_open(struct cda_w *cw, const char *name, ...)
{
	va_list ap;
	int rc;

	va_start(ap, name);
	rc = open_va(cw, name, ap);
	va_end(ap);
	return rc;
}

int cda_end(struct cda_w *cw)
{
	CDA_XML(xmlTextWriterEndElement(cw->w), "end of element");
	return 0;
}

int cda_el_text(struct cda_w *cw, const char *name, const char *text)
{
	CDA_XML(xmlTextWriterStartElement(cw->w, BAD_CAST name), name);
	CDA_TRY(cda_text(cw, text));
	return cda_end(cw);
}

int cda_template(struct cda_w *cw, const char *root)
{
	return cda_el(cw, "templateId", "root", root, NULL);
}

int cda_templates(struct cda_w *cw, const char *const *roots)
{
	for (; *roots != NULL; roots++)
		CDA_TRY(cda_template(cw, *roots));
	return 0;
}

/*
 * libxml2 indents an element's end tag when the element had children, even
 * after text; writing an empty raw string once indentation is back on marks
 * "text was last" so the end tag follows the inline content directly.
 */
int cda_inline_begin(struct cda_w *cw)
{
	CDA_XML(xmlTextWriterSetIndent(cw->w, 0), "indentation");
	return 0;
}

int cda_inline_end(struct cda_w *cw)
{
	CDA_XML(xmlTextWriterSetIndent(cw->w, 1), "indentation");
	CDA_XML(xmlTextWriterWriteRaw(cw->w, BAD_CAST ""), "indentation");
	return 0;
}

static int ref_in(struct cda_w *cw, const char *outer, const char *id)
{
	char value[64];

	CDA_XML(xmlTextWriterStartElement(cw->w, BAD_CAST outer), outer);
	CDA_TRY(cda_inline_begin(cw));
	if (id != NULL) {
		if (strlen(id) + 2 > sizeof(value))
			return dr_error(DR_E_INTERNAL, "narrative id too long");
		value[0] = '#';
		memcpy(value + 1, id, strlen(id) + 1);
	}
	CDA_TRY(cda_el(cw, "reference", "value", id ? value : NULL, NULL));
	CDA_TRY(cda_inline_end(cw));
	return cda_end(cw);
}

int cda_text_ref(struct cda_w *cw, const char *id)
{
	return ref_in(cw, "text", id);
}

int cda_original_text_ref(struct cda_w *cw, const char *id)
{
	return ref_in(cw, "originalText", id);
}

int cda_uuid(struct cda_w *cw, int section, size_t row, const char *role, char out[37])
{
	/* NUL-separated fields, so no two inputs share a name. */
	buf_reset(&cw->tmp);
	CDA_TRY(buf_printf(&cw->tmp, "%s%c%d%c%zu%c%s", cw->m->doc_id, 0, section, 0,
			   row, 0, role));
	uuid_from_name(cw->tmp.data, cw->tmp.len, out);
	return 0;
}

int cda_is_date8(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[8] == '\0';
}

/* The strings without which there is no document. */
static int check_model(const struct doc_model *m)
{
	const char *need[] = {
		m->doc_id, m->set_id, m->effective_time, m->period_low, m->period_high,
		m->ins_c, m->ins_nir, m->ins_nir_root, m->family_birth, m->given_first,
		m->family_used, m->given_used,
		/* The structuration minimale wants a value (CNAM-HR's NASK fails it),
		 * and an INS-C cannot exist without a birth date anyway. */
		m->birth_time,
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (need[i] == NULL)
			return dr_error(DR_E_INTERNAL, "document model: required field %zu is NULL", i);
	if (m->version < 1)
		return dr_error(DR_E_INTERNAL, "document model: version %d", m->version);
	if (m->version >= 2 && m->parent_doc_id == NULL)
		return dr_error(DR_E_INTERNAL, "document model: version %d without parent id",
				m->version);
	for (int s = 0; s < DOC_SECTIONS; s++)
		if (m->sections[s].n > 0 && m->sections[s].rows == NULL)
			return dr_error(DR_E_INTERNAL, "document model: section %d has no rows", s);
	return 0;
}

static int render(struct cda_w *cw)
{
	/* One element per line, not indented: line-based diffs of golden files
	 * stay readable, and the 40 % of bytes indentation would cost every
	 * stored document are saved (xmllint --format shows the tree). */
	CDA_XML(xmlTextWriterSetIndent(cw->w, 1), "indentation");
	CDA_XML(xmlTextWriterSetIndentString(cw->w, BAD_CAST ""), "indentation");
	CDA_XML(xmlTextWriterStartDocument(cw->w, "1.0", "UTF-8", NULL), "document start");
	CDA_TRY(cda_open(cw, "ClinicalDocument",
			 "xmlns", "urn:hl7-org:v3",
			 "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance", NULL));
	CDA_TRY(cda_write_header(cw));
	CDA_TRY(cda_write_body(cw));
	CDA_TRY(cda_end(cw));
	CDA_XML(xmlTextWriterEndDocument(cw->w), "document end");
	return 0;
}

int cda_room(const struct cda_w *cw)
{
	if ((size_t)xmlBufferLength(cw->out) > cw->max_bytes)
		return dr_error(DR_E_DATA, "document larger than %zu bytes", cw->max_bytes);
	return 0;
}

int cda_render(const struct doc_model *m, xmlBufferPtr out)
{
	return cda_render_max(m, out, SIZE_MAX);
}

int cda_render_max(const struct doc_model *m, xmlBufferPtr out, size_t max_bytes)
{
	struct cda_w cw = { .m = m, .out = out, .max_bytes = max_bytes };
	int rc;

	if (out == NULL || m == NULL)
		return dr_error(DR_E_INTERNAL, "cda_render: NULL argument");
	xmlBufferEmpty(out);
	CDA_TRY(check_model(m));
	cw.w = xmlNewTextWriterMemory(out, 0);
	if (cw.w == NULL)
		return dr_error(DR_E_NOMEM, "cannot create the XML writer");
	buf_init(&cw.tmp, CDA_TMP_TOOBIG);
	rc = render(&cw);
	/* Freeing the writer flushes what it still holds into out. */
	xmlFreeTextWriter(cw.w);
	buf_free(&cw.tmp);
	if (rc == 0)
		rc = cda_room(&cw);
	if (rc < 0)
		xmlBufferEmpty(out);
	return rc;
}
