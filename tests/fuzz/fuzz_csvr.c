/*
 * tests/fuzz/fuzz_csvr.c — libFuzzer target: the CSV record layer (ingest/csvr).
 *
 * Any bytes are read as a ';' file. Properties checked on every input:
 *   - records are numbered 1, 2, ... and *records equals the callbacks made;
 *   - stored = min(nfields, CSVR_MAX_FIELDS), every stored field is at most
 *     CSVR_FIELD_MAX bytes, too_long is set exactly when a field is flagged cut;
 *   - only the last record may be unterminated;
 *   - when the input holds no '"', the records are exactly its non-blank
 *     lines (LF or CRLF ends, leading UTF-8 BOM skipped) split on ';', each
 *     numbered with its physical line, a lone CR read as CSVR_LONE_CR; an
 *     input whose first line ends with a lone CR is refused (DR_E_DATA);
 *   - the fast path gives what libcsv alone gives (every record's numbers,
 *     flags and field bytes, *records, the code and the message), at the
 *     default read size and at tiny ones (read boundaries, lines longer than
 *     the read window).
 */
#include "tests/fuzz/fuzz.h"
#include "ingest/csvr.h"
#include "lib/err.h"

#include <stdlib.h>
#include <string.h>

struct seen {
	const uint8_t *data;     /* the input, BOM removed */
	size_t size, pos;        /* pos: where the model's next line starts */
	bool model;              /* no quote in the input: compare with the model */
	long calls;
	long lines;              /* LFs before pos */
	bool ended_unterminated;
};

/* Whether the model's line ends at data[i]: an LF, or a CR an LF follows. */
static bool model_line_end(const struct seen *sn, size_t i)
{
	return sn->data[i] == '\n' || (sn->data[i] == '\r' && i + 1 < sn->size && sn->data[i + 1] == '\n');
}

/* Next non-blank line of the model: [*start, *start + *len). */
static bool model_next_line(struct seen *sn, size_t *start, size_t *len)
{
	while (sn->pos < sn->size && model_line_end(sn, sn->pos))
		sn->lines += sn->data[sn->pos++] == '\n';
	if (sn->pos >= sn->size)
		return false;
	*start = sn->pos;
	while (sn->pos < sn->size && !model_line_end(sn, sn->pos))
		sn->pos++;
	*len = sn->pos - *start;
	return true;
}

/* The model refuses an input whose first lone CR comes before any LF. */
static bool model_cr_only(const struct seen *sn)
{
	for (size_t i = 0; i < sn->size; i++) {
		if (sn->data[i] == '\n')
			return false;
		if (sn->data[i] == '\r' && !model_line_end(sn, i))
			return true;
	}
	return false;
}

static void model_compare(struct seen *sn, const struct csvr_record *rec)
{
	size_t start, len, fs;
	int k = 0;

	FUZZ_CHECK(model_next_line(sn, &start, &len), "record %ld has no line in the input", rec->record_no);
	FUZZ_CHECK(!rec->unterminated, "record %ld unterminated without a quote", rec->record_no);
	FUZZ_CHECK(rec->line_no == sn->lines + 1, "record %ld on line %ld, the input's line %ld", rec->record_no,
		   rec->line_no, sn->lines + 1);
	fs = start;
	for (size_t i = start; i <= start + len; i++) {
		if (i < start + len && sn->data[i] != ';')
			continue;
		size_t n = i - fs;
		if (k < rec->stored) {
			size_t want = n > CSVR_FIELD_MAX ? CSVR_FIELD_MAX : n;
			FUZZ_CHECK(rec->f[k].n == want, "record %ld field %d: %zu bytes, want %zu",
				   rec->record_no, k, rec->f[k].n, want);
			for (size_t j = 0; j < want; j++)
				FUZZ_CHECK(rec->f[k].s[j] == (sn->data[fs + j] == '\r' ? CSVR_LONE_CR : (char)sn->data[fs + j]),
					   "record %ld field %d differs from the input", rec->record_no, k);
			if (n > CSVR_FIELD_MAX)
				FUZZ_CHECK(rec->too_long, "record %ld field %d cut but not flagged", rec->record_no, k);
		}
		k++;
		fs = i + 1;
	}
	FUZZ_CHECK(rec->nfields == k, "record %ld: %d fields, the line has %d", rec->record_no, rec->nfields, k);
}

static int on_record(void *ctx, const struct csvr_record *rec)
{
	struct seen *sn = ctx;
	size_t total = 0;

	FUZZ_CHECK(!sn->ended_unterminated, "a record follows an unterminated one");
	sn->calls++;
	FUZZ_CHECK(rec->record_no == sn->calls, "record_no %ld, call %ld", rec->record_no, sn->calls);
	FUZZ_CHECK(rec->nfields >= 1, "record %ld has %d fields", rec->record_no, rec->nfields);
	FUZZ_CHECK(rec->stored == (rec->nfields < CSVR_MAX_FIELDS ? rec->nfields : CSVR_MAX_FIELDS),
		   "stored %d of %d fields", rec->stored, rec->nfields);
	for (int i = 0; i < rec->stored; i++) {
		FUZZ_CHECK(rec->f[i].s != NULL, "field %d is NULL", i);
		FUZZ_CHECK(rec->f[i].n <= CSVR_FIELD_MAX, "field %d has %zu bytes", i, rec->f[i].n);
		total += rec->f[i].n;
	}
	FUZZ_CHECK(total <= sn->size, "record %ld holds %zu bytes, input %zu", rec->record_no, total, sn->size);
	int cut = 0;
	for (int i = 0; i < rec->stored; i++)
		if (rec->f[i].cut) {
			FUZZ_CHECK(rec->f[i].n == CSVR_FIELD_MAX, "field %d flagged cut but not cut", i);
			cut++;
		}
	FUZZ_CHECK(rec->too_long == (cut > 0), "record %ld: too_long %d, %d fields cut", rec->record_no,
		   rec->too_long, cut);
	sn->ended_unterminated = rec->unterminated;
	if (sn->model)
		model_compare(sn, rec);
	return 0;
}

/* One csvr_read_mode run, serialised for the comparison. */
struct trace {
	char *out;
	size_t len, cap;
	long records;
	int rc;
	char err[256];
	int most_stored;         /* fields past it were never set */
};

static void trace_put(struct trace *t, const void *p, size_t n)
{
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n)
			cap *= 2;
		t->out = realloc(t->out, cap);
		FUZZ_CHECK(t->out != NULL, "out of memory");
		t->cap = cap;
	}
	memcpy(t->out + t->len, p, n);
	t->len += n;
}

static int trace_record(void *ctx, const struct csvr_record *rec)
{
	struct trace *t = ctx;
	char head[128];
	int n = snprintf(head, sizeof(head), "#%ld@%ld %d %d %d %d\n", rec->record_no, rec->line_no, rec->nfields,
			 rec->stored, rec->too_long, rec->unterminated);

	trace_put(t, head, (size_t)n);
	for (int i = 0; i < rec->stored; i++) {
		n = snprintf(head, sizeof(head), "[%zu%s]", rec->f[i].n, rec->f[i].cut ? "c" : "");
		trace_put(t, head, (size_t)n);
		trace_put(t, rec->f[i].s, rec->f[i].n);
	}
	/* no line, even one the fast path gave up, has more fields than the
	 * records so far: past that, nothing was ever set */
	if (rec->stored > t->most_stored)
		t->most_stored = rec->stored;
	for (int i = rec->stored; i < t->most_stored; i++)
		FUZZ_CHECK(rec->f[i].s != NULL && rec->f[i].n == 0 && !rec->f[i].cut,
			   "record %ld: field %d past stored %d is not empty", rec->record_no, i, rec->stored);
	return 0;
}

static void trace_run(const char *path, const struct csvr_mode *mode, struct trace *t)
{
	t->len = 0;
	t->records = -1;
	t->most_stored = 0;
	t->rc = csvr_read_mode(path, ';', trace_record, t, &t->records, mode);
	snprintf(t->err, sizeof(t->err), "%s", t->rc ? dr_errmsg() : "");
}

/*
 * The fast path against libcsv alone: at the default read size, then at tiny
 * ones with a ceiling for libcsv that fields of a few KiB reach (so that its
 * failure is compared too; the fast path's fields stay under a read).
 */
static void same_as_libcsv(const char *path, size_t size)
{
	static struct trace ref, got;
	const struct csvr_mode modes[] = {
		{ .libcsv_only = true }, { 0 },
		{ .libcsv_only = true, .libcsv_max = 1024 },
		{ .chunk = 4, .libcsv_max = 1024 }, { .chunk = 5 + size % 61, .libcsv_max = 1024 },
	};

	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		const struct csvr_mode *m = &modes[k];
		if (m->libcsv_only) {
			trace_run(path, m, &ref);
			continue;
		}
		trace_run(path, m, &got);
		if (ref.len != got.len || (ref.len > 0 && memcmp(ref.out, got.out, ref.len) != 0)) {
			size_t at = 0;
			while (at < ref.len && at < got.len && ref.out[at] == got.out[at])
				at++;
			FUZZ_CHECK(0, "read size %zu, libcsv_max %zu: records differ from libcsv's at byte"
				   " %zu of %zu", m->chunk, m->libcsv_max, at, ref.len);
		}
		FUZZ_CHECK(ref.records == got.records && ref.rc == got.rc && strcmp(ref.err, got.err) == 0,
			   "read size %zu, libcsv_max %zu: *records %ld rc %d '%s', libcsv %ld %d '%s'", m->chunk,
			   m->libcsv_max, got.records, got.rc, got.err, ref.records, ref.rc, ref.err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen sn = { .data = data, .size = size };
	long records = -1;
	const char *path;
	int rc;

	if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
		sn.data += 3;
		sn.size -= 3;
	}
	sn.model = memchr(sn.data, '"', sn.size) == NULL;
	path = fuzz_file(data, size);
	rc = csvr_read(path, ';', on_record, &sn, &records);
	if (model_cr_only(&sn)) {
		FUZZ_CHECK(rc == DR_E_DATA && strstr(dr_errmsg(), "CR-only line ends") != NULL && sn.calls == 0,
			   "CR-only line ends: rc %d '%s', %ld records", rc, rc ? dr_errmsg() : "", sn.calls);
		same_as_libcsv(path, size);
		return 0;
	}
	FUZZ_CHECK(rc == 0, "csvr_read: %s", dr_errmsg());
	FUZZ_CHECK(records == sn.calls, "*records %ld, callbacks %ld", records, sn.calls);
	if (sn.model) {
		size_t start, len;
		FUZZ_CHECK(!model_next_line(&sn, &start, &len), "a line of the input gave no record");
	}
	same_as_libcsv(path, size);
	return 0;
}
