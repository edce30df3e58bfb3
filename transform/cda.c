/*
 * transform/cda.c — cda_render(), the text filter, the element helpers and the
 * derived ids shared by cda_header.c, cda_body.c and cda_entries.c.
 *
 *   doc_model --> cda_write_header() --> cda_write_body() --> struct buf
 *                 (through cda_el/cda_open/cda_text: filter, escape, append)
 *
 * The writer appends straight to the document's buffer: no tree, no
 * allocation per element. It replaced libxml2's xmlTextWriter, which took
 * three quarters of the rendering time in small calls and lists
 * (docs/render.md); the bytes are the same.
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

/* Characters the document never holds: C0 (TAB, CR, LF included), DEL, C1,
 * and the two code points XML 1.0 forbids. */
static int dropped(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

/* What each byte of printable ASCII needs: the entity ('&', '<', '>' and
 * '"', in text as in attribute values), or NULL when it is copied. */
static const char *const entity[128] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
};

/*
 * Appends s filtered and escaped, in one pass: printable ASCII is copied in
 * runs, '&' '<' '>' '"' become entities, the dropped() characters go, a valid
 * UTF-8 sequence is copied, and each byte of an invalid one becomes U+FFFD.
 */
static int put_clean(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (;;) {
		const unsigned char *run = p;
		while (*p >= 0x20 && *p < 0x7F && entity[*p] == NULL)
			p++;
		CDA_TRY(buf_append(out, run, (size_t)(p - run)));
		if (*p == '\0')
			return 0;
		if (*p < 0x80) {
			if (*p >= 0x20 && *p < 0x7F)
				CDA_TRY(buf_puts(out, entity[*p]));
			p++;       /* a control character or DEL: dropped */
			continue;
		}
		unsigned cp;
		/* 4 is enough: decoding stops at the first byte that is not a
		 * continuation, the terminating NUL included */
		size_t len = text_utf8_seq((const char *)p, 4, &cp);
		if (len == 0) {
			CDA_TRY(buf_append(out, "\xEF\xBF\xBD", 3));
			len = 1;
		} else if (!dropped(cp)) {
			CDA_TRY(buf_append(out, p, len));
		}
		p += len;
	}
}

/* Ends the pending start tag, before content: '>' and, before a child
 * element outside inline mode, the newline. */
static int close_tag(struct cda_w *cw, int child)
{
	if (!cw->tag_open)
		return 0;
	cw->tag_open = 0;
	CDA_TRY(buf_putc(cw->out, '>'));
	return child && !cw->inline_mode ? buf_putc(cw->out, '\n') : 0;
}

static int start(struct cda_w *cw, const char *name)
{
	if (cw->depth == CDA_MAX_DEPTH)
		return dr_error(DR_E_INTERNAL, "CDA elements nested deeper than %d", CDA_MAX_DEPTH);
	CDA_TRY(close_tag(cw, 1));
	CDA_TRY(buf_putc(cw->out, '<'));
	CDA_TRY(buf_puts(cw->out, name));
	cw->open[cw->depth++] = name;
	cw->tag_open = 1;
	return 0;
}

int cda_attr(struct cda_w *cw, const char *name, const char *value)
{
	if (value == NULL || !cw->tag_open)
		return dr_error(DR_E_INTERNAL, "CDA attribute %s: %s", name,
				value == NULL ? "no value" : "no start tag to put it in");
	CDA_TRY(buf_putc(cw->out, ' '));
	CDA_TRY(buf_puts(cw->out, name));
	CDA_TRY(buf_append(cw->out, "=\"", 2));
	CDA_TRY(put_clean(cw->out, value));
	return buf_putc(cw->out, '"');
}

int cda_text(struct cda_w *cw, const char *text)
{
	if (text == NULL || cw->depth == 0)
		return dr_error(DR_E_INTERNAL, "CDA text %s", text == NULL ? "missing" : "outside the root");
	CDA_TRY(close_tag(cw, 0));
	return put_clean(cw->out, text);
}

static int open_va(struct cda_w *cw, const char *name, va_list ap)
{
	const char *an, *av;

	CDA_TRY(start(cw, name));
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
	if (cw->depth == 0)
		return dr_error(DR_E_INTERNAL, "CDA end tag without an open element");
	const char *name = cw->open[--cw->depth];
	if (cw->tag_open) {
		cw->tag_open = 0;
		CDA_TRY(buf_append(cw->out, "/>", 2));
	} else {
		CDA_TRY(buf_append(cw->out, "</", 2));
		CDA_TRY(buf_puts(cw->out, name));
		CDA_TRY(buf_putc(cw->out, '>'));
	}
	return cw->inline_mode ? 0 : buf_putc(cw->out, '\n');
}

int cda_el_text(struct cda_w *cw, const char *name, const char *text)
{
	CDA_TRY(start(cw, name));
	CDA_TRY(cda_text(cw, text));
	return cda_end(cw);
}

int cda_blank(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		unsigned cp = *p;
		size_t len = 1;
		if (*p >= 0x80 && (len = text_utf8_seq((const char *)p, 4, &cp)) == 0)
			return 0;           /* written as U+FFFD */
		if (cp != ' ' && !dropped(cp))
			return 0;
		p += len;
	}
	return 1;
}

int cda_name_part(struct cda_w *cw, const char *name, const char *qualifier, const char *text)
{
	if (text == NULL || cda_blank(text))
		return 0;
	CDA_TRY(cda_open(cw, name, "qualifier", qualifier, NULL));
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

/* Inline content keeps the element it is in open with '>' even when nothing
 * was written: <td></td>, as an element with text. */
int cda_inline_begin(struct cda_w *cw)
{
	cw->inline_mode = 1;
	return 0;
}

int cda_inline_end(struct cda_w *cw)
{
	cw->inline_mode = 0;
	return close_tag(cw, 0);
}

static int ref_in(struct cda_w *cw, const char *outer, const char *id)
{
	char value[64];

	CDA_TRY(start(cw, outer));
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
	/* NUL-separated fields, so no two inputs share a name; written by
	 * hand, not with printf, which showed in the profile at several ids a row */
	if (section < 0)
		return dr_error(DR_E_INTERNAL, "CDA id of section %d", section);
	buf_reset(&cw->tmp);
	CDA_TRY(buf_puts(&cw->tmp, cw->m->doc_id));
	CDA_TRY(buf_putc(&cw->tmp, '\0'));
	CDA_TRY(buf_put_long(&cw->tmp, section));
	CDA_TRY(buf_putc(&cw->tmp, '\0'));
	CDA_TRY(buf_put_long(&cw->tmp, (long long)row));
	CDA_TRY(buf_putc(&cw->tmp, '\0'));
	CDA_TRY(buf_puts(&cw->tmp, role));
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
	CDA_TRY(buf_puts(cw->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
	CDA_TRY(cda_open(cw, "ClinicalDocument",
			 "xmlns", "urn:hl7-org:v3",
			 "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance", NULL));
	CDA_TRY(cda_write_header(cw));
	CDA_TRY(cda_write_body(cw));
	CDA_TRY(cda_end(cw));
	if (cw->depth != 0 || cw->inline_mode)
		return dr_error(DR_E_INTERNAL, "CDA writer: %d element(s) left open", cw->depth);
	return 0;
}

int cda_room(const struct cda_w *cw)
{
	return cw->out->len > cw->max_bytes ? CDA_STOP : 0;
}

int cda_render(const struct doc_model *m, struct buf *out)
{
	return cda_render_max(m, out, SIZE_MAX);
}

int cda_render_max(const struct doc_model *m, struct buf *out, size_t max_bytes)
{
	struct cda_w cw = { .m = m, .out = out, .max_bytes = max_bytes };
	int rc;

	if (out == NULL || m == NULL)
		return dr_error(DR_E_INTERNAL, "cda_render: NULL argument");
	buf_reset(out);
	CDA_TRY(check_model(m));
	buf_init(&cw.tmp, CDA_TMP_TOOBIG);
	rc = render(&cw);
	buf_free(&cw.tmp);
	if (rc == 0)
		rc = cda_room(&cw);
	if (rc < 0)
		buf_reset(out);
	return rc == CDA_STOP ? RENDER_TOO_LARGE : rc;
}
