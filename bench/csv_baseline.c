/*
 * bench/csv_baseline.c — the libcsv baseline of `make bench` (bench/run.sh).
 *
 *   build/bench/csv_baseline FILE...
 *
 * Reads each file with libcsv alone, set up as ingest/csvr.c sets it up
 * (delimiter ';', no option, spaces kept, 4 KiB blocks, 64 KiB reads, a
 * leading UTF-8 BOM skipped), with callbacks that only count fields and
 * records. No validation, no conversion, no copy of a field: what is left
 * is the cost of tokenising the bytes, the floor under `ingest --dry-run`.
 *
 * Prints one line: "records=N fields=N bytes=N cpu_s=S" (records count the
 * header lines; cpu_s is this process's user + system time, getrusage).
 * Exits 66 when a file cannot be opened, 65 when libcsv refuses one.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define CHUNK (64 * 1024)

struct counts {
	long long records;
	long long fields;
};

static void on_field(void *s, size_t n, void *data)
{
	(void)s;
	(void)n;
	((struct counts *)data)->fields++;
}

static void on_record(int c, void *data)
{
	(void)c;
	((struct counts *)data)->records++;
}

static int keep_spaces(unsigned char c)
{
	(void)c;
	return 0;
}

/* Parses one file; adds to *k and *bytes. Returns 0, 65 or 66. */
static int read_file(const char *path, unsigned char *chunk, struct counts *k, long long *bytes)
{
	struct csv_parser p;
	FILE *f = fopen(path, "rb");
	size_t n;
	int first = 1, rc = 0;

	if (f == NULL) {
		fprintf(stderr, "csv_baseline: cannot open '%s'\n", path);
		return 66;
	}
	if (csv_init(&p, 0) != 0) {
		fclose(f);
		fprintf(stderr, "csv_baseline: out of memory\n");
		return 70;
	}
	csv_set_delim(&p, ';');
	csv_set_space_func(&p, keep_spaces);
	csv_set_blk_size(&p, 4096);
	while (rc == 0 && (n = fread(chunk, 1, CHUNK, f)) > 0) {
		unsigned char *s = chunk;
		*bytes += (long long)n;
		if (first) {
			first = 0;
			if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
				s += 3;
				n -= 3;
			}
		}
		if (csv_parse(&p, s, n, on_field, on_record, k) != n) {
			fprintf(stderr, "csv_baseline: '%s': %s\n", path, csv_strerror(csv_error(&p)));
			rc = 65;
		}
	}
	if (rc == 0)
		csv_fini(&p, on_field, on_record, k);
	csv_free(&p);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	struct counts k = { 0, 0 };
	long long bytes = 0;
	unsigned char *chunk = malloc(CHUNK);
	struct rusage ru;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: csv_baseline FILE...\n");
		return 64;
	}
	if (chunk == NULL)
		return 70;
	for (int i = 1; i < argc && rc == 0; i++)
		rc = read_file(argv[i], chunk, &k, &bytes);
	free(chunk);
	if (rc != 0)
		return rc;
	getrusage(RUSAGE_SELF, &ru);
	printf("records=%lld fields=%lld bytes=%lld cpu_s=%.3f\n", k.records, k.fields, bytes,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
	       + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
}
