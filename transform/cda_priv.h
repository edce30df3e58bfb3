/*
 * transform/cda_priv.h — what the CDA writer's files share (not a public API).
 *
 * Every helper returns 0 or a negative DR_E_* code (dr_error() set), checked
 * with CDA_TRY(). All strings from the model are written through
 * cda_attr()/cda_text(), which filter and escape them (see cda.h); fixed
 * strings of this writer are clean already. Element and attribute names are
 * string literals: the writer keeps the pointers of open elements.
 */
#ifndef DR_CDA_PRIV_H
#define DR_CDA_PRIV_H

#include <stddef.h>

#include "lib/buf.h"
#include "transform/doc_model.h"

#define CDA_MAX_DEPTH 32   /* the deepest CNAM-HR entry nests about 15 */

/*
 * The writer's state. The layout is one element per line: a newline after a
 * start tag followed by a child element, and after every end tag, except in
 * inline mode (mixed content), where nothing is added between tags.
 */
struct cda_w {
	const struct doc_model *m;
	struct buf tmp;   /* scratch for derived ids */
	struct buf *out;  /* the document */
	size_t max_bytes; /* cda_room() refuses to go on past it */
	int inline_mode;  /* between cda_inline_begin() and cda_inline_end() */
	int tag_open;     /* the last start tag still takes attributes ('>' not written) */
	int depth;
	const char *open[CDA_MAX_DEPTH];   /* names of the open elements */
};

/*
 * CDA_STOP once the document written so far is larger than cw->max_bytes:
 * called at every row, so that rendering a dossier too large stops early.
 * CDA_STOP is not an error and not a DR_E_* code: only the writer's way to
 * unwind through CDA_TRY; cda_render_max() turns it into RENDER_TOO_LARGE.
 */
#define CDA_STOP (-1000)
int cda_room(const struct cda_w *cw);

#define CDA_TRY(call) \
	do { \
		int cda_rc_ = (call); \
		if (cda_rc_ < 0) \
			return cda_rc_; \
	} while (0)

/* NULL-terminated varargs below are pairs: attribute name, value. A NULL value
 * skips that attribute; a NULL name ends the list. Values are filtered. */

/* <name attrs.../> */
int cda_el(struct cda_w *cw, const char *name, ...) __attribute__((sentinel));
/* <name attrs...> left open: close with cda_end(). */
int cda_open(struct cda_w *cw, const char *name, ...) __attribute__((sentinel));
int cda_end(struct cda_w *cw);
/* <name>text</name> (text filtered). */
int cda_el_text(struct cda_w *cw, const char *name, const char *text);
int cda_attr(struct cda_w *cw, const char *name, const char *value);
int cda_text(struct cda_w *cw, const char *text);
/* True when text would be written as nothing but spaces: every character is
 * a space or one the writer drops (controls, U+FFFE, U+FFFF). A name made of
 * them is a missing name: an empty particle fails the structuration
 * minimale (dtr1-3-EN). */
int cda_blank(const char *text);
/* <name qualifier=...>text</name> (qualifier NULL: none), or nothing when
 * text is NULL or blank (a nullFlavor beside a qualifier is refused too). */
int cda_name_part(struct cda_w *cw, const char *name, const char *qualifier, const char *text);
/* <templateId root="root"/>, and one per root of a NULL-terminated list. */
int cda_template(struct cda_w *cw, const char *root);
int cda_templates(struct cda_w *cw, const char *const *roots);

/* Inline mode: no indentation between cda_inline_begin() and cda_inline_end(),
 * for mixed content (narrative cells, <br/>) and one-line <text><reference/>.
 * Call cda_inline_end() before closing the element opened before begin. */
int cda_inline_begin(struct cda_w *cw);
int cda_inline_end(struct cda_w *cw);

/* <text><reference value="#id"/></text> on one line. */
int cda_text_ref(struct cda_w *cw, const char *id);
/* <originalText><reference value="#id"/></originalText> on one line. */
int cda_original_text_ref(struct cda_w *cw, const char *id);

/* Upper-case UUID (version 8, RFC 9562 variant) derived from SHA-256 of
 * (doc_id, section, row, role) into out[37]. */
int cda_uuid(struct cda_w *cw, int section, size_t row, const char *role, char out[37]);

/* True when s holds exactly 8 digits (AAAAMMJJ). */
int cda_is_date8(const char *s);

/* The two halves of the document (cda_header.c, cda_body.c). */
int cda_write_header(struct cda_w *cw);
int cda_write_body(struct cda_w *cw);

/*
 * Coded entries (cda_entries.c), written inside <entry>: the one of row i of
 * section s, whose narrative content ID is id; or, for an empty section, the
 * "no known ..." entry whose text is the section's text ID id.
 */
int cda_entry_medication(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
			 const char *id);
int cda_entry_vaccination(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
			  const char *id);
int cda_entry_device(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
		     const char *id);
int cda_entry_stay(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
		   const char *id);
int cda_entry_procedure(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
			const char *id);
int cda_none_medication(struct cda_w *cw, int s, const char *id);
int cda_none_vaccination(struct cda_w *cw, int s, const char *id);
int cda_none_device(struct cda_w *cw, int s, const char *id);
int cda_none_stay(struct cda_w *cw, int s, const char *id);
int cda_none_procedure(struct cda_w *cw, int s, const char *id);

#endif
