/*
 * load/stage_io.c — CREATE TEMP TABLE stg and its COPY, from lib/stage_cols.h.
 */
#include "load/stage_io.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/stage_cols.h"
#include "load/db.h"

#include <string.h>

#define STAGE_NAME(id, name, type) #name,
#define STAGE_TYPE(id, name, type) #type,
static const char *const col_names[S_NCOLS] = { STAGE_COLUMNS(STAGE_NAME) };
static const char *const col_types[S_NCOLS] = { STAGE_COLUMNS(STAGE_TYPE) };

int stage_open(PGconn *c, struct copy *cp)
{
	struct buf create, copy;
	int rc;

	buf_init(&create, 16384);
	buf_init(&copy, 16384);
	rc = buf_puts(&create, "CREATE TEMP TABLE stg (");
	if (rc == 0)
		rc = buf_puts(&copy, "COPY stg (");
	for (int i = 0; rc == 0 && i < S_NCOLS; i++) {
		const char *t = strcmp(col_types[i], "char1") == 0 ? "\"char\"" : col_types[i];
		if ((rc = buf_printf(&create, "%s%s %s", i ? ", " : "", col_names[i], t)) == 0)
			rc = buf_printf(&copy, "%s%s", i ? ", " : "", col_names[i]);
	}
	if (rc == 0 && (rc = buf_puts(&create, ") ON COMMIT DROP")) == 0)
		rc = buf_puts(&copy, ") FROM STDIN");
	if (rc == 0 && (rc = db_exec(c, create.data)) == 0)
		rc = copy_begin(cp, c, copy.data);
	buf_free(&create);
	buf_free(&copy);
	return rc;
}
