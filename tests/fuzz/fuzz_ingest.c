/*
 * tests/fuzz/fuzz_ingest.c — libFuzzer target: one whole file through the
 * ingest parser (ingest/parse + ingest/rows), into an in-memory sink.
 *
 * The first byte picks the file: kind = byte & 7 (the order of FILE_KINDS in
 * ingest/rows.h), CP1252 when byte & 8, else UTF-8 ('0'..'7' UTF-8 kinds,
 * '8'..'?' CP1252 ones); the rest is the file. parse_batch() runs it with
 * one parser thread, exactly as `ingest --dry-run` does, and the sink keeps
 * the COPY text. Properties:
 *   - the file is parsed (0) or refused (DR_E_DATA: empty, missing or doubled
 *     column), nothing else;
 *   - read = data records = staged rows + filtered, lines counted by the
 *     chunks = read, per-reason and per-rule counters add up, the merge-time
 *     rule DOSSIER_SUPPRIME is never counted here;
 *   - the COPY text has one row per staged line, each with every staging
 *     column, the rejected ones (rej_code set) are exactly `rejected`;
 *   - the COPY text is valid UTF-8 without NUL (else PostgreSQL refuses the
 *     whole batch, whatever the line).
 */
#include "tests/fuzz/fuzz.h"
#include "ingest/parse.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/text.h"

#include <string.h>

struct sink_mem {
	struct buf out;
	long lines;
};

static int sink_chunk(void *ctx, const char *data, size_t n, long lines)
{
	struct sink_mem *sm = ctx;

	sm->lines += lines;
	return buf_append(&sm->out, data, n);
}

/* Checks the COPY rows; returns how many there are, *rejects the rejected ones. */
static long check_copy_text(const char *s, size_t n, long *rejects)
{
	long rows = 0;
	size_t start = 0;

	*rejects = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n')
			continue;
		int tabs = 0, col = 0;
		size_t cs = start;
		for (size_t k = start; k <= i; k++) {
			if (k < i && s[k] != '\t')
				continue;
			if (col == S_REJ_CODE && !(k - cs == 2 && memcmp(s + cs, "\\N", 2) == 0))
				(*rejects)++;
			col++;
			cs = k + 1;
			tabs += k < i;
		}
		FUZZ_CHECK(tabs == S_NCOLS - 1, "COPY row %ld has %d columns, staging has %d", rows + 1,
			   tabs + 1, (int)S_NCOLS);
		rows++;
		start = i + 1;
	}
	FUZZ_CHECK(start == n, "COPY text does not end with a whole row");
	return rows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct parse_file pf;
	struct parse_file *files[1] = { &pf };
	struct sink_mem sm = { .lines = 0 };
	struct parse_sink sink = { sink_chunk, &sm };
	enum file_kind kind;
	long sum, rows, rejects;
	int rc;

	if (size < 1)
		return 0;
	kind = (enum file_kind)(data[0] & 7);
	memset(&pf, 0, sizeof(pf));
	snprintf(pf.path, sizeof(pf.path), "%s", fuzz_file(data + 1, size - 1));
	rows_file_init(&pf.rf, kind, 1, data[0] & 8 ? ENC_CP1252 : ENC_UTF8, rows_kind_file(kind));
	buf_init(&sm.out, (size_t)64 << 20);
	rc = parse_batch(files, 1, 1, &sink);
	FUZZ_CHECK(rc == 0 || rc == DR_E_DATA, "parse_batch returned %d: %s", rc, dr_errmsg());
	if (rc == 0) {
		const struct rows_file *f = &pf.rf;

		FUZZ_CHECK(f->read == pf.records, "read %ld, data records %ld", f->read, pf.records);
		FUZZ_CHECK(sm.lines == f->read, "chunks carry %ld lines, read %ld", sm.lines, f->read);
		sum = 0;
		for (int r = 0; r < RR_COUNT; r++)
			sum += f->by_reason[r];
		FUZZ_CHECK(sum == f->rejected, "reasons add up to %ld, rejected %ld", sum, f->rejected);
		sum = 0;
		for (int r = 0; r < FR_COUNT; r++)
			sum += f->by_rule[r];
		FUZZ_CHECK(sum == f->filtered, "rules add up to %ld, filtered %ld", sum, f->filtered);
		FUZZ_CHECK(f->by_rule[FR_DOSSIER_SUPPRIME] == 0, "DOSSIER_SUPPRIME counted by the parser");
		rows = check_copy_text(sm.out.data, sm.out.len, &rejects);
		FUZZ_CHECK(rows == f->read - f->filtered, "%ld COPY rows, %ld read, %ld filtered",
			   rows, f->read, f->filtered);
		FUZZ_CHECK(rejects == f->rejected, "%ld rows with rej_code, %ld rejected", rejects, f->rejected);
		long bad = fuzz_bad_utf8_at((const unsigned char *)sm.out.data, sm.out.len);
		FUZZ_CHECK(bad < 0, "COPY text not UTF-8 (or a NUL) at byte %ld", bad);
	}
	buf_free(&sm.out);
	rows_file_free(&pf.rf);
	return 0;
}
