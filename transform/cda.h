/*
 * transform/cda.h — the CDA writer: one doc_model becomes one CNAM-HR 2021.01
 * document (CDA R2, UTF-8, indented), laid out element for element like the
 * official ANS examples (shared/cda-kit/data/ExemplesCDA).
 *
 *   struct doc_model --cda_render()--> struct buf (the XML bytes)
 *
 * The writer decides nothing about the data: values come resolved from the
 * builder (transform/doc_model.h). What it does decide (docs/cda.md):
 *   - absent values: empty narrative cells (<td/>), omitted coded parts, and
 *     nullFlavor where the model needs an element (NASK in the patient header,
 *     UNK in entries, as the examples and the CNAM-HR schematron say);
 *   - ids: entry UUIDs are derived from SHA-256 of (doc_id, section, row,
 *     role), so the same model always gives the same bytes;
 *   - text hygiene: every string goes through one filter that drops C0/C1
 *     control characters (TAB, CR and LF included), DEL and the XML-forbidden
 *     U+FFFE/U+FFFF, and replaces each byte of an invalid UTF-8 sequence with
 *     U+FFFD; the writer then escapes '&', '<', '>' and '"'.
 *   - layout: one element per line, no indentation, mixed content on one
 *     line — byte for byte what libxml2's xmlTextWriter wrote with an empty
 *     indent string, which this writer replaced (docs/render.md).
 *
 * Files: cda.c (entry point, text filter, element helpers, ids),
 * cda_header.c (everything before structuredBody), cda_body.c (the eight
 * sections and their narrative tables), cda_entries.c (the coded entries);
 * cda_priv.h is shared between them.
 */
#ifndef DR_CDA_H
#define DR_CDA_H

#include "lib/buf.h"
#include "transform/doc_model.h"

/*
 * Writes m as a CNAM-HR 2021.01 document into out (emptied first).
 * Returns 0, or a negative DR_E_* code with dr_error() set (see lib/err.h):
 * DR_E_INTERNAL when the model breaks its contract (a required string NULL,
 * a date that is not AAAAMMJJ), DR_E_NOMEM when memory runs out. On error
 * out is left empty. Thread-safe: OpenMP workers each call it with their own
 * buffer. out is created by the caller (buf_init with a limit above the
 * largest document; CDA_BUF_TOOBIG will do) and may be reused.
 */
#define CDA_BUF_TOOBIG ((size_t)1 << 31)
int cda_render(const struct doc_model *m, struct buf *out);

/* What cda_render_max() made of a model: an outcome, not an error. */
enum render_outcome {
	RENDER_OK = 0,
	RENDER_TOO_LARGE = 1,   /* larger than max_bytes: out empty, no message */
};

/* The same, but stops as soon as the document is larger than max_bytes
 * (checked at every table row and entry, so out never grows much past it)
 * and returns RENDER_TOO_LARGE with out empty: a dossier too large to store
 * costs no more memory than the limit. Errors are negative DR_E_* codes. */
int cda_render_max(const struct doc_model *m, struct buf *out, size_t max_bytes);

#endif
