/*
 * ingest/stage.c — a staging row in COPY text format.
 */
#include "ingest/stage.h"
#include "load/copy.h"

#include <string.h>

void stage_row_clear(struct stage_row *r)
{
	memset(r->v, 0, sizeof(r->v));
}

int stage_row_write(const struct stage_row *r, struct buf *out)
{
	/* the row's worst case reserved once, then plain stores: a call per
	 * value and per tab showed in the parse profile */
	size_t need = 1;

	for (int i = 0; i < S_NCOLS; i++)
		need += r->v[i] == NULL ? 3 : 2 * r->n[i] + 1;
	int rc = buf_reserve(out, need);
	if (rc)
		return rc;
	char *d = out->data + out->len;
	for (int i = 0; i < S_NCOLS; i++) {
		if (i)
			*d++ = '\t';
		if (r->v[i] == NULL) {
			*d++ = '\\';
			*d++ = 'N';
		} else {
			d = copy_escape_to(d, r->v[i], r->n[i]);
		}
	}
	*d++ = '\n';
	*d = '\0';
	out->len = (size_t)(d - out->data);
	return 0;
}
