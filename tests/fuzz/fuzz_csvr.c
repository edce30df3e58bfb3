/*
 * tests/fuzz/fuzz_csvr.c — libFuzzer target: the CSV record layer (ingest/csvr).
 *
 * Any bytes are read as a ';' file. Properties checked on every input:
 *   - records are numbered 1, 2, ... and *records equals the callbacks made;
 *   - stored = min(nfields, CSVR_MAX_FIELDS), every stored field is at most
 *     CSVR_FIELD_MAX bytes, too_long is set exactly when a field is flagged cut;
 *   - only the last record may be unterminated;
 *   - when the input holds no '"', the records are exactly its non-blank
 *     lines (LF, CRLF or CR ends, leading UTF-8 BOM skipped) split on ';'.
 */
#include "tests/fuzz/fuzz.h"
#include "ingest/csvr.h"
#include "lib/err.h"

#include <string.h>

struct seen {
	const uint8_t *data;     /* the input, BOM removed */
	size_t size, pos;        /* pos: where the model's next line starts */
	bool model;              /* no quote in the input: compare with the model */
	long calls;
	bool ended_unterminated;
};

/* Next non-blank line of the model: [*start, *start + *len). */
static bool model_next_line(struct seen *sn, size_t *start, size_t *len)
{
	while (sn->pos < sn->size && (sn->data[sn->pos] == '\n' || sn->data[sn->pos] == '\r'))
		sn->pos++;
	if (sn->pos >= sn->size)
		return false;
	*start = sn->pos;
	while (sn->pos < sn->size && sn->data[sn->pos] != '\n' && sn->data[sn->pos] != '\r')
		sn->pos++;
	*len = sn->pos - *start;
	return true;
}

static void model_compare(struct seen *sn, const struct csvr_record *rec)
{
	size_t start, len, fs;
	int k = 0;

	FUZZ_CHECK(model_next_line(sn, &start, &len), "record %ld has no line in the input", rec->record_no);
	FUZZ_CHECK(!rec->unterminated, "record %ld unterminated without a quote", rec->record_no);
	fs = start;
	for (size_t i = start; i <= start + len; i++) {
		if (i < start + len && sn->data[i] != ';')
			continue;
		size_t n = i - fs;
		if (k < rec->stored) {
			size_t want = n > CSVR_FIELD_MAX ? CSVR_FIELD_MAX : n;
			FUZZ_CHECK(rec->f[k].n == want, "record %ld field %d: %zu bytes, want %zu",
				   rec->record_no, k, rec->f[k].n, want);
			FUZZ_CHECK(memcmp(rec->f[k].s, sn->data + fs, want) == 0,
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen sn = { .data = data, .size = size };
	long records = -1;
	int rc;

	if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
		sn.data += 3;
		sn.size -= 3;
	}
	sn.model = memchr(sn.data, '"', sn.size) == NULL;
	rc = csvr_read(fuzz_file(data, size), ';', on_record, &sn, &records);
	FUZZ_CHECK(rc == 0, "csvr_read: %s", dr_errmsg());
	FUZZ_CHECK(records == sn.calls, "*records %ld, callbacks %ld", records, sn.calls);
	if (sn.model) {
		size_t start, len;
		FUZZ_CHECK(!model_next_line(&sn, &start, &len), "a line of the input gave no record");
	}
	return 0;
}
