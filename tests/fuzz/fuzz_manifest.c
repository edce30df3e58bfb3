/*
 * tests/fuzz/fuzz_manifest.c — libFuzzer target: manifest parsing (ingest/manifest).
 *
 * Any bytes become manifest.csv in a private temporary directory, read by
 * manifest_read(). It must refuse with DR_E_DATA or accept a manifest where:
 *   - 1..MANIFEST_MAX_FILES entries, each a plain file name (non-empty, no
 *     '/', not "..", no control byte; a fuzz finding, see ingest/manifest.c),
 *     listed once;
 *   - LIGNES a whole number below 10^12, SHA256 64 lower-case hex digits,
 *     ENCODAGE one of the two known encodings;
 *   - the batch identity is the SHA-256 of the very bytes read.
 */
#include "tests/fuzz/fuzz.h"
#include "ingest/manifest.h"
#include "lib/err.h"
#include "lib/sha256.h"

#include <fcntl.h>
#include <string.h>

static char dir[64];

static void cleanup(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/manifest.csv", dir);
	unlink(path);
	rmdir(dir);
}

static void write_manifest(const uint8_t *data, size_t size)
{
	char path[128];
	int fd;

	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/fuzz-manifest.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
		FUZZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
		atexit(cleanup);
	}
	snprintf(path, sizeof(path), "%s/manifest.csv", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0, "cannot create %s", path);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size, "short write");
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct manifest m;
	unsigned char digest[32];
	char hex[65];
	int rc;

	write_manifest(data, size);
	rc = manifest_read(dir, &m);
	FUZZ_CHECK(rc == 0 || rc == DR_E_DATA, "manifest_read returned %d: %s", rc, dr_errmsg());
	if (rc != 0)
		return 0;
	FUZZ_CHECK(m.n >= 1 && m.n <= MANIFEST_MAX_FILES, "%d entries", m.n);
	for (int i = 0; i < m.n; i++) {
		const struct manifest_entry *e = &m.e[i];
		size_t len = strnlen(e->name, sizeof(e->name));

		FUZZ_CHECK(len >= 1 && len < sizeof(e->name), "entry %d: name of %zu bytes", i, len);
		FUZZ_CHECK(strchr(e->name, '/') == NULL && strcmp(e->name, "..") != 0, "entry %d: a path", i);
		for (size_t k = 0; k < len; k++)
			FUZZ_CHECK((unsigned char)e->name[k] >= 0x20, "entry %d: control byte in the name", i);
		FUZZ_CHECK(memmem(data, size, e->name, len) != NULL, "entry %d: name not in the input", i);
		for (int j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(m.e[j].name, e->name) != 0, "entries %d and %d: same name", j, i);
		FUZZ_CHECK(e->lines >= 0 && e->lines < 1000000000000L, "entry %d: LIGNES %ld", i, e->lines);
		FUZZ_CHECK(strlen(e->sha256) == 64 && strspn(e->sha256, "0123456789abcdef") == 64,
			   "entry %d: SHA256 not lower-case hex", i);
		FUZZ_CHECK(e->enc == ENC_UTF8 || e->enc == ENC_CP1252, "entry %d: encoding %d", i, (int)e->enc);
	}
	sha256_once(data, size, digest);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	FUZZ_CHECK(strcmp(hex, m.sha256) == 0, "batch identity is not the SHA-256 of manifest.csv");
	return 0;
}
