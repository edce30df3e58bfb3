/*
 * ingest/manifest.c — parse manifest.csv, check file set and digests.
 */
#include "ingest/manifest.h"
#include "ingest/csvr.h"
#include "ingest/infile.h"
#include "lib/err.h"
#include "lib/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const required_files[] = {
	"beneficiaires.csv", "pharmacie.csv", "hospitalisation.csv",
	"actes.csv", "radiologie.csv", "biologie.csv",
};

struct mread {
	struct manifest *m;
	int col[4];                 /* FICHIER, LIGNES, SHA256, ENCODAGE */
	long line;                  /* of the entry being read (0: none), for messages */
};

static bool field_is(const struct csvr_field *f, const char *name)
{
	const char *s = f->s;
	size_t n = text_trim(&s, f->n);
	return n == strlen(name) && strncasecmp(s, name, n) == 0;
}

/* A plain file name: no '/', not "..", and no control byte (a NUL would cut
 * the name short, a line break would forge a line in the log that quotes it). */
static bool plain_file_name(const char *s, size_t n)
{
	if (n == 0 || memchr(s, '/', n) || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int manifest_entry(struct mread *mr, const struct csvr_record *rec);

/* The header, then one entry per record; mr->line is the entry's line while
 * it is read, so that its messages name it (the frame of manifest_read). */
static int manifest_record(void *ctx, const struct csvr_record *rec)
{
	static const char *const cols[4] = { "FICHIER", "LIGNES", "SHA256", "ENCODAGE" };
	struct mread *mr = ctx;
	struct manifest *m = mr->m;
	int rc;

	if (rec->record_no == 1) {
		for (int k = 0; k < 4; k++) {
			mr->col[k] = -1;
			for (int i = 0; i < rec->stored; i++) {
				if (!field_is(&rec->f[i], cols[k]))
					continue;
				/* two SHA256 columns: which one the sender meant is unknown */
				if (mr->col[k] >= 0)
					return dr_error(DR_E_DATA, "manifest.csv: column %s appears twice in the header: refused",
							cols[k]);
				mr->col[k] = i;
			}
			if (mr->col[k] < 0)
				return dr_error(DR_E_DATA, "manifest.csv: header misses column %s", cols[k]);
		}
		return 0;
	}
	if (rec->nfields == 1 && rec->f[0].n == 0)
		return 0;
	if (m->n >= MANIFEST_MAX_FILES)
		return dr_error(DR_E_DATA, "manifest.csv: more than %d files", MANIFEST_MAX_FILES);
	mr->line = rec->line_no;
	rc = manifest_entry(mr, rec);
	mr->line = 0;
	return rc;
}

static int manifest_entry(struct mread *mr, const struct csvr_record *rec)
{
	struct manifest *m = mr->m;

	/* the header may put its columns in any order: each line needs them all */
	int need = 0;
	for (int k = 0; k < 4; k++)
		if (mr->col[k] + 1 > need)
			need = mr->col[k] + 1;
	if (rec->nfields < need || rec->unterminated || rec->too_long)
		return dr_error(DR_E_DATA, "expected %d fields, as its header", need);

	struct manifest_entry *e = &m->e[m->n];
	const char *s;
	size_t n;

	memset(e, 0, sizeof(*e));
	s = rec->f[mr->col[0]].s;
	n = text_trim(&s, rec->f[mr->col[0]].n);
	if (n >= sizeof(e->name) || !plain_file_name(s, n))
		return dr_error(DR_E_DATA, "FICHIER is not a plain file name");
	memcpy(e->name, s, n);
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, e->name) == 0) {
			char q[256];
			return dr_error(DR_E_DATA, "'%s' listed twice", text_escape(e->name, TEXT_ESC_QUOTED, q, sizeof(q)));
		}

	s = rec->f[mr->col[1]].s;
	n = text_trim(&s, rec->f[mr->col[1]].n);
	if (!text_all_digits(s, n) || n > 12)
		return dr_error(DR_E_DATA, "LIGNES is not a whole number");
	e->lines = 0;
	for (size_t i = 0; i < n; i++)
		e->lines = e->lines * 10 + (s[i] - '0');

	s = rec->f[mr->col[2]].s;
	n = text_trim(&s, rec->f[mr->col[2]].n);
	if (n != 64)
		return dr_error(DR_E_DATA, "SHA256 is not 64 hex digits");
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return dr_error(DR_E_DATA, "SHA256 is not 64 hex digits");
		e->sha256[i] = c;
	}

	s = rec->f[mr->col[3]].s;
	n = text_trim(&s, rec->f[mr->col[3]].n);
	if ((n == 5 && strncasecmp(s, "UTF-8", 5) == 0) || (n == 4 && strncasecmp(s, "UTF8", 4) == 0))
		e->enc = ENC_UTF8;
	else if (n == 6 && strncasecmp(s, "CP1252", 6) == 0)
		e->enc = ENC_CP1252;
	else
		return dr_error(DR_E_DATA, "ENCODAGE must be UTF-8 or CP1252");
	m->n++;
	return 0;
}

static int hash_file(const char *path, char hex[65], long long *bytes)
{
	unsigned char d[32], *chunk;
	struct sha256 h;
	char q[1024];
	FILE *f;
	size_t n;
	int rc;

	*bytes = 0;
	/* a listed file missing is an incomplete transfer; one that cannot be
	 * read is a local problem (permissions, I/O), not the batch's fault */
	rc = infile_open(path, &f);
	if (rc)
		return rc == DR_E_NOINPUT ? DR_E_DATA : rc;
	chunk = malloc(1 << 20);
	rc = chunk ? sha256_init(&h) : dr_error(DR_E_NOMEM, "out of memory");
	if (rc) {
		free(chunk);
		fclose(f);
		return rc;
	}
	while ((n = fread(chunk, 1, 1 << 20, f)) > 0) {
		sha256_update(&h, chunk, n);
		*bytes += (long long)n;
	}
	sha256_final(&h, d);
	if (ferror(f))
		rc = dr_error(DR_E_IO, "cannot read '%s': %s", text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)),
			      strerror(errno));
	free(chunk);
	fclose(f);
	text_hex(d, 32, hex);
	return rc;
}

int manifest_read(const char *dir, struct manifest *m)
{
	struct mread mr = { .m = m };
	char path[4096];
	long long bytes;
	long records;
	int rc;

	memset(m, 0, sizeof(*m));
	struct stat st;
	char q[1024];
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return dr_error(DR_E_NOINPUT, "batch directory '%s' not found (or not a directory)",
				text_escape(dir, TEXT_ESC_QUOTED, q, sizeof(q)));
	snprintf(path, sizeof(path), "%s/manifest.csv", dir);
	/* a FIFO would block the open for ever: the kind is checked first */
	rc = infile_member(dir, "manifest.csv");
	if (rc == 0) {
		struct dr_errline at;
		dr_errline_push(&at, "manifest.csv", &mr.line);
		rc = csvr_read(path, ';', manifest_record, &mr, &records);
		dr_errctx_pop(&at.ctx);
	}
	if (rc == DR_E_NOINPUT)
		return dr_error(DR_E_DATA, "batch has no manifest.csv: refused (incomplete transfer?)");
	if (rc)
		return rc;
	if (records == 0)
		return dr_error(DR_E_DATA, "manifest.csv is empty");
	if (m->n == 0)
		return dr_error(DR_E_DATA, "manifest.csv lists no file");
	return hash_file(path, m->sha256, &bytes);
}

const struct manifest_entry *manifest_find(const struct manifest *m, const char *name)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, name) == 0)
			return &m->e[i];
	return NULL;
}

static bool is_data_file(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 4 && strcasecmp(name + n - 4, ".csv") == 0
		&& strcmp(name, "manifest.csv") != 0;
}

int manifest_verify(const char *dir, struct manifest *m, int jobs)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	char q[1024];

	if (d == NULL)
		return dr_error(DR_E_NOINPUT, "cannot open batch directory '%s': %s",
				text_escape(dir, TEXT_ESC_QUOTED, q, sizeof(q)), strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (is_data_file(de->d_name) && manifest_find(m, de->d_name) == NULL)
			rc = dr_error(DR_E_DATA, "'%s' is in the batch but not in manifest.csv: refused",
				      text_escape(de->d_name, TEXT_ESC_QUOTED, q, sizeof(q)));
	}
	closedir(d);
	for (size_t i = 0; rc == 0 && i < sizeof(required_files) / sizeof(required_files[0]); i++)
		if (manifest_find(m, required_files[i]) == NULL)
			rc = dr_error(DR_E_DATA, "manifest.csv does not list %s, a required file: refused",
				      required_files[i]);
	if (rc)
		return rc;

	int first_rc = 0;
	struct dr_errsaved first_msg;
#pragma omp parallel for num_threads(jobs) schedule(dynamic, 1)
	for (int i = 0; i < m->n; i++) {
		char path[4096], hex[65], name[256];
		int frc;

		snprintf(path, sizeof(path), "%s/%s", dir, m->e[i].name);
		text_escape(m->e[i].name, TEXT_ESC_QUOTED, name, sizeof(name));
		frc = infile_member(dir, m->e[i].name);
		if (frc == DR_E_NOINPUT)
			frc = dr_error(DR_E_DATA, "'%s' is listed in manifest.csv but missing: refused", name);
		else if (frc == 0)
			frc = hash_file(path, hex, &m->e[i].bytes);
		if (frc == 0 && strcmp(hex, m->e[i].sha256) != 0)
			frc = dr_error(DR_E_DATA, "'%s' does not match its SHA256 in manifest.csv: refused "
				       "(truncated or corrupted transfer?)", name);
		if (frc) {
#pragma omp critical(manifest_err)
			if (first_rc == 0) {
				first_rc = frc;
				dr_errsave(&first_msg);
			}
		}
	}
	if (first_rc)
		return dr_errrestore(first_rc, &first_msg);
	return 0;
}
