/*
 * ingest/referentials.c — which known referential files a directory holds.
 *
 * ref_scan() matches the names of a directory against the catalogue
 * (ingest/ref_catalog.c); jobs/referentials.c then reads each file found
 * (ingest/ref_read.c) into its table (load/referentials_io.c), all in one
 * transaction.
 */
#include "ingest/referentials.h"
#include "lib/err.h"
#include "lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const source_names[] = { "snds", "bdpm" };

/* Marks the known files of dir as found; warns about the others. */
static int scan(const char *dir, enum ref_source source, struct ref_result *res, int nres,
		int *found)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char base[256];

	if (d == NULL)
		return dr_error(errno == ENOENT || errno == ENOTDIR ? DR_E_NOINPUT : DR_E_IO,
				"cannot read the %s directory '%s': %s", source_names[source], dir,
				strerror(errno));
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name, *dot = strrchr(name, '.');
		bool known = false;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		for (int i = 0; i < nres; i++)
			if (res[i].spec->source == source && strcmp(res[i].spec->file, name) == 0) {
				res[i].found = known = true;
				(*found)++;
			}
		/* the Table Schema next to each SNDS file (X.json beside X.csv) */
		if (!known && source == REF_SNDS && dot && strcmp(dot, ".json") == 0
		    && (size_t)(dot - name) < sizeof(base) - 4) {
			snprintf(base, sizeof(base), "%.*s.csv", (int)(dot - name), name);
			known = ref_spec_find(REF_SNDS, base) != NULL;
		}
		if (!known)
			dr_log(DR_LOG_WARN, "referentials.ignored", "dir=%s file=\"%s\" why=\"not a known %s file\"",
			       source_names[source], name, source_names[source]);
	}
	closedir(d);
	return 0;
}

int ref_scan(const char *snds_dir, const char *bdpm_dir, struct ref_result *res, int *nres)
{
	const char *dirs[2] = { snds_dir, bdpm_dir };
	int n = 0, found = 0, rc = 0;

	for (int i = 0; i < ref_nspecs; i++)
		if (dirs[ref_specs[i].source]) {
			memset(&res[n], 0, sizeof(res[n]));
			res[n++].spec = &ref_specs[i];
		}
	*nres = n;
	for (int s = 0; s < 2 && rc == 0; s++)
		if (dirs[s])
			rc = scan(dirs[s], (enum ref_source)s, res, n, &found);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (!res[i].found)
			dr_log(DR_LOG_WARN, "referentials.missing", "dir=%s file=%s table=%s"
			       " why=\"not found: table left as it was\"",
			       source_names[res[i].spec->source], res[i].spec->file, res[i].spec->table);
	if (found == 0)
		return dr_error(DR_E_NOINPUT, "no known referential file in %s%s%s",
				snds_dir ? snds_dir : "", snds_dir && bdpm_dir ? " nor in " : "",
				bdpm_dir ? bdpm_dir : "");
	return 0;
}
