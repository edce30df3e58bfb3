/*
 * ingest/stage.c — staging table DDL and COPY text serialisation.
 */
#include "ingest/stage.h"
#include "load/copy.h"

#include <stdio.h>
#include <string.h>

#define STAGE_NAME(id, name, type) #name,
#define STAGE_TYPE(id, name, type) #type,
static const char *const col_names[S_NCOLS] = { STAGE_COLUMNS(STAGE_NAME) };
static const char *const col_types[S_NCOLS] = { STAGE_COLUMNS(STAGE_TYPE) };

static char create_sql[4096], copy_sql[2048];

static void build_sql(void)
{
	size_t a, b;

	if (create_sql[0])
		return;
	a = (size_t)snprintf(create_sql, sizeof(create_sql), "CREATE TEMP TABLE stg (");
	b = (size_t)snprintf(copy_sql, sizeof(copy_sql), "COPY stg (");
	for (int i = 0; i < S_NCOLS; i++) {
		const char *t = col_types[i];
		if (strcmp(t, "char1") == 0)    /* PostgreSQL's one-byte "char" */
			t = "\"char\"";
		a += (size_t)snprintf(create_sql + a, sizeof(create_sql) - a, "%s%s %s",
				      i ? ", " : "", col_names[i], t);
		b += (size_t)snprintf(copy_sql + b, sizeof(copy_sql) - b, "%s%s",
				      i ? ", " : "", col_names[i]);
	}
	snprintf(create_sql + a, sizeof(create_sql) - a, ") ON COMMIT DROP");
	snprintf(copy_sql + b, sizeof(copy_sql) - b, ") FROM STDIN");
}

const char *stage_create_sql(void)
{
	build_sql();
	return create_sql;
}

const char *stage_copy_sql(void)
{
	build_sql();
	return copy_sql;
}

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
