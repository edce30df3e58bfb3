/*
 * tests/unit/check_csvr.c — the streaming CSV reader on real temp files: its
 * contract, and its fast path against libcsv alone (the same records, byte
 * for byte, whatever the read size).
 */
#include "tests/unit/unit.h"
#include "ingest/csvr.h"
#include "lib/buf.h"
#include "lib/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen {
	int n;
	char rec[16][256];     /* fields joined with '|' */
	int nfields[16];
	long line[16];
	bool unterminated[16], too_long[16];
};

static int collect(void *ctx, const struct csvr_record *r)
{
	struct seen *s = ctx;
	char *out;

	if (s->n >= 16)
		return 0;
	out = s->rec[s->n];
	out[0] = '\0';
	for (int i = 0; i < r->stored; i++) {
		size_t len = strlen(out);
		snprintf(out + len, 256 - len, "%s%.*s", i ? "|" : "", (int)(r->f[i].n > 40 ? 40 : r->f[i].n),
			 r->f[i].s);
	}
	s->nfields[s->n] = r->nfields;
	s->line[s->n] = r->line_no;
	s->unterminated[s->n] = r->unterminated;
	s->too_long[s->n] = r->too_long;
	s->n++;
	return 0;
}

/* Writes content to a new temp file; path gets its name (unlink it). */
static void write_temp(const char *content, size_t len, char path[32])
{
	int fd;

	snprintf(path, 32, "/tmp/check_csvr.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
}

static long read_string(const char *content, size_t len, struct seen *s)
{
	char path[32];
	long records = -1;

	write_temp(content, len, path);
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(csvr_read(path, ';', collect, s, &records), 0);
	unlink(path);
	return records;
}

START_TEST(line_ends_bom_and_blank_lines)
{
	struct seen s;
	const char in[] = "\xEF\xBB\xBF" "A;B\r\n1;2\r\n\r\n3;4\r5;6\n\n\n7; 8 ";

	/* a lone CR is a byte of its field (CSVR_LONE_CR), not a line end */
	ck_assert_int_eq(read_string(in, sizeof(in) - 1, &s), 4);
	ck_assert_str_eq(s.rec[0], "A|B");
	ck_assert_str_eq(s.rec[1], "1|2");
	ck_assert_str_eq(s.rec[2], "3|4\v5|6");
	ck_assert_str_eq(s.rec[3], "7| 8 ");     /* spaces are kept */
	/* each record with its physical line, blank lines counted */
	ck_assert_int_eq(s.line[0], 1);
	ck_assert_int_eq(s.line[1], 2);
	ck_assert_int_eq(s.line[2], 4);
	ck_assert_int_eq(s.line[3], 7);
}
END_TEST

START_TEST(cr_only_line_ends_refused)
{
	char path[32];
	long records = -1;
	struct seen s;
	const char in[] = "A;B\r1;2\r3;4\r";

	write_temp(in, sizeof(in) - 1, path);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(csvr_read(path, ';', collect, &s, &records), DR_E_DATA);
	unlink(path);
	ck_assert_int_eq(s.n, 0);
	ck_assert_msg(strstr(dr_errmsg(), "has CR-only line ends") != NULL, "%s", dr_errmsg());
}
END_TEST

START_TEST(quotes_and_line_breaks_inside)
{
	struct seen s;
	const char in[] = "A;B\n\"x;y\";\"he said \"\"hi\"\"\"\n\"two\nlines\";z\nw;v\n";

	ck_assert_int_eq(read_string(in, sizeof(in) - 1, &s), 4);
	ck_assert_int_eq(s.line[3], 5);          /* the physical line, not the record's number */
	ck_assert_str_eq(s.rec[1], "x;y|he said \"hi\"");
	ck_assert_str_eq(s.rec[2], "two\nlines|z");
	ck_assert(!s.unterminated[2]);
	ck_assert_int_eq(s.line[2], 3);          /* where the record starts */
}
END_TEST

START_TEST(unterminated_quote_flags_only_the_last_record)
{
	struct seen s;
	const char in[] = "A;B\n1;2\n3;\"never closed\n4;5\n";

	ck_assert_int_eq(read_string(in, sizeof(in) - 1, &s), 3);
	ck_assert_str_eq(s.rec[1], "1|2");
	ck_assert(!s.unterminated[1]);
	ck_assert(s.unterminated[2]);
}
END_TEST

START_TEST(field_count_and_too_long)
{
	struct seen s;
	size_t big = CSVR_FIELD_MAX + 100;
	char *in = malloc(big + 64);

	strcpy(in, "A;B\n1\n");
	memset(in + 6, 'x', big);
	strcpy(in + 6 + big, ";2\n");
	ck_assert_int_eq(read_string(in, strlen(in), &s), 3);
	ck_assert_int_eq(s.nfields[1], 1);
	ck_assert(!s.too_long[1]);
	ck_assert_int_eq(s.nfields[2], 2);
	ck_assert(s.too_long[2]);
	free(in);
}
END_TEST

START_TEST(missing_file_is_noinput)
{
	long records;

	ck_assert_int_eq(csvr_read("/nonexistent/x.csv", ';', collect, NULL, &records), DR_E_NOINPUT);
}
END_TEST

/* ---- the fast path against libcsv alone ---------------------------------- */

/* One csvr_read_mode run: its result and every record, serialised. */
struct run {
	int rc;
	long records;
	char err[256];
	long stop_at;            /* the callback fails at this record (0: never) */
	int most_stored;         /* fields past it were never set */
	bool past_stored_dirty;  /* a field past `stored` was not empty */
	struct buf out;
};

static int trace_record(void *ctx, const struct csvr_record *r)
{
	struct run *run = ctx;
	int rc = buf_printf(&run->out, "#%ld line=%ld nfields=%d stored=%d too_long=%d unterminated=%d\n",
			    r->record_no, r->line_no, r->nfields, r->stored, r->too_long, r->unterminated);

	for (int i = 0; rc == 0 && i < r->stored; i++) {
		rc = buf_printf(&run->out, "[%zu%s]", r->f[i].n, r->f[i].cut ? " cut" : "");
		if (rc == 0)
			rc = buf_append(&run->out, r->f[i].s, r->f[i].n);
	}
	if (rc == 0)
		rc = buf_putc(&run->out, '\n');
	ck_assert_int_eq(rc, 0);
	/* no line, even one the fast path gave up, has more fields than the
	 * records so far: past that, nothing was ever set */
	if (r->stored > run->most_stored)
		run->most_stored = r->stored;
	for (int i = r->stored; i < run->most_stored; i++)
		if (r->f[i].s == NULL || r->f[i].n != 0 || r->f[i].cut)
			run->past_stored_dirty = true;
	if (r->record_no == run->stop_at)
		return dr_error(DR_E_DATA, "stopped at record %ld", r->record_no);
	return 0;
}

static void run_mode(const char *path, const struct csvr_mode *mode, long stop_at, struct run *run)
{
	memset(run, 0, sizeof(*run));
	buf_init(&run->out, (size_t)1 << 30);
	run->stop_at = stop_at;
	run->records = -1;
	run->rc = csvr_read_mode(path, ';', trace_record, run, &run->records, mode);
	if (run->rc)
		snprintf(run->err, sizeof(run->err), "%s", dr_errmsg());
	ck_assert_msg(!run->past_stored_dirty, "a field past `stored` is not empty");
}

static void same_runs(const char *name, const struct csvr_mode *mode, const struct run *ref,
		      const struct run *got)
{
	size_t at = 0;

	while (at < ref->out.len && at < got->out.len && ref->out.data[at] == got->out.data[at])
		at++;
	ck_assert_msg(ref->out.len == got->out.len && at == ref->out.len,
		      "%s, %s, read size %zu, libcsv_max %zu: records differ from libcsv's at byte %zu:"
		      " '%.60s' vs '%.60s'", name, mode->libcsv_only ? "libcsv" : "fast path", mode->chunk,
		      mode->libcsv_max, at, ref->out.data ? ref->out.data + at : "",
		      got->out.data ? got->out.data + at : "");
	ck_assert_msg(ref->records == got->records && ref->rc == got->rc && strcmp(ref->err, got->err) == 0,
		      "%s, read size %zu, libcsv_max %zu: *records %ld rc %d '%s', libcsv: %ld %d '%s'", name,
		      mode->chunk, mode->libcsv_max, got->records, got->rc, got->err, ref->records, ref->rc,
		      ref->err);
}

/* read sizes tried: the default, tiny ones (every boundary), odd ones */
static const size_t chunks[] = { 0, 4, 5, 7, 13, 64, 100, 4097, 65535 };
/* libcsv's ceilings tried: the default, and one that long fields reach */
#define SMALL_LIBCSV_MAX 8192

/*
 * Reads content with libcsv alone (the reference), then with the fast path at
 * every read size of chunks[] and with libcsv alone at read size 7 (sizes
 * under 64 on small inputs only: slow, and nothing new): every run must give
 * the same records, *records, code and message. Again with a small ceiling
 * for libcsv (and the read sizes below it), so that its failure is compared
 * too. Returns libcsv's code under the small ceiling.
 */
static int same_as_libcsv(const char *name, const char *content, size_t len, long stop_at)
{
	static const size_t ceilings[] = { 0, SMALL_LIBCSV_MAX };
	char path[32];
	struct run ref, got;
	int rc = 0;

	write_temp(content, len, path);
	for (size_t c = 0; c < 2; c++) {
		struct csvr_mode mode = { .libcsv_only = true, .libcsv_max = ceilings[c] };

		run_mode(path, &mode, stop_at, &ref);
		for (size_t k = 0; k <= sizeof(chunks) / sizeof(chunks[0]); k++) {
			mode.libcsv_only = k == sizeof(chunks) / sizeof(chunks[0]);
			mode.chunk = mode.libcsv_only ? 7 : chunks[k];
			if ((ceilings[c] && (mode.chunk == 0 || mode.chunk >= ceilings[c]))
			    || (mode.chunk && mode.chunk < 64 && len > 20000))   /* slow, little news */
				continue;
			run_mode(path, &mode, stop_at, &got);
			same_runs(name, &mode, &ref, &got);
			buf_free(&got.out);
		}
		rc = ref.rc;
		buf_free(&ref.out);
	}
	unlink(path);
	return rc;
}

#define SAME(lit) same_as_libcsv(#lit, lit, sizeof(lit) - 1, 0)

START_TEST(fast_path_small_inputs)
{
	SAME("");
	SAME("\xEF\xBB\xBF");
	SAME("\xEF\xBB");
	SAME("\xEF\xBB\xBF" "A;B\n1;2");
	SAME("\xEF\xBB\xBF" "\"A\";B\n1;2\n");
	SAME("\n\n\r\r\n");
	SAME("A;B\r\n1;2\r\n\r\n3;4\r5;6\n7; 8 ");
	SAME("a;b;\n;\n;;\n;\r\n;");
	SAME(" \n \t;\t\n  ;  \r\n");
	SAME("A;B\n\"x;y\";\"he said \"\"hi\"\"\"\n\"two\nlines\";z\n1;2\n3;4");
	SAME("ab\"c;d\nab;c\"\n");
	SAME("\"a\"b;c\n\"a\" ;d\n\"a\" \"b\";e\n \"a\";f\n");
	SAME("\"\"\n\"\";\"\"\r\n\"\"\"\"\n");
	SAME("a;\"b\r\nc\"\rd;e\n\"\n\";\"\r\"\r\n");
	SAME("A;B\n1;2\n3;\"never closed\n4;5\n");
	SAME("x;\"");
	SAME("x;\"ab\"");
	SAME("x;\"ab\" ");
	SAME("x;\"ab\"\"");
	SAME("a\0b;c\n\0\n");
	SAME("\"a\"\n\"b\"\nc\n\"d\"");
	SAME("1;2;3\n4\n5;6;7;8\n9;10\n");
	SAME("a;\"b\"\r\n\r\nc;d\r\n");
	SAME("A;B\r1;2\n");                      /* CR-only line ends: refused */
	SAME("A;B\n1;2\r");
	SAME("A;B\n1;\r2\r\r\n\"3\r\";4\r\n5\r;\"\r6\"\n");
}
END_TEST

START_TEST(fast_path_callback_stops)
{
	const char in[] = "A;B\n\"1\";2\n3;4\n5;\"6\n7\"\n8;9\n";

	for (long stop = 1; stop <= 6; stop++)
		same_as_libcsv("callback stops", in, sizeof(in) - 1, stop);
}
END_TEST

static void fill(struct buf *b, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(buf_putc(b, c), 0);
}

/* Unquoted lines "i;line;...;end" up to `upto` bytes, line ends cycling LF, CRLF, CR. */
static void plain_lines(struct buf *b, size_t upto)
{
	static const char *const ends[] = { "\n", "\r\n", "\r", "\n\n", "\r\n\r\n" };

	for (int i = 0; b->len < upto; i++)
		ck_assert_int_eq(buf_printf(b, "%d;line;%*s;;end%s", i, i % 7, "", ends[i % 5]), 0);
}

START_TEST(fast_path_across_reads)
{
	struct buf b;

	buf_init(&b, (size_t)1 << 30);

	/* a quoted field with line breaks across the 64 KiB read boundary */
	plain_lines(&b, 65536 - 12);
	ck_assert_int_eq(buf_puts(&b, "q;\"across\nthe\r\nread \"\"boundary\"\"\r\";tail\n"), 0);
	plain_lines(&b, 140000);
	same_as_libcsv("quote across the read", b.data, b.len, 0);

	/* a CRLF split by the read boundary, then a line end at every offset near it */
	for (size_t at = 65530; at < 65540; at++) {
		buf_reset(&b);
		plain_lines(&b, 60000);
		fill(&b, 'x', at - 1 - b.len);
		ck_assert_int_eq(buf_puts(&b, ";\r\n\"q\";1\ry;2\n"), 0);
		plain_lines(&b, 70000);
		same_as_libcsv("line ends at the read boundary", b.data, b.len, 0);
	}

	/* lines longer than the read window: one field, many fields, a quote at the end */
	buf_reset(&b);
	ck_assert_int_eq(buf_puts(&b, "\xEF\xBB\xBF" "A;B\n"), 0);
	fill(&b, 'x', 70000);
	ck_assert_int_eq(buf_puts(&b, "\n1;2\n"), 0);
	for (int i = 0; i < 7000; i++)
		ck_assert_int_eq(buf_printf(&b, "f%d;", i), 0);
	ck_assert_int_eq(buf_puts(&b, "\r\n3;4\n"), 0);
	for (int i = 0; i < 7000; i++)
		ck_assert_int_eq(buf_printf(&b, "g%d;", i), 0);
	ck_assert_int_eq(buf_puts(&b, "\"quoted at the end\"\n5;6\n"), 0);
	fill(&b, 'y', 65536 * 2);
	ck_assert_int_eq(same_as_libcsv("lines longer than the read", b.data, b.len, 0), DR_E_DATA);

	/* the file ends inside an open quote, 100 KB after it */
	buf_reset(&b);
	plain_lines(&b, 30000);
	ck_assert_int_eq(buf_puts(&b, "last;\"open"), 0);
	plain_lines(&b, 130000);
	ck_assert_int_eq(same_as_libcsv("unterminated quote across reads", b.data, b.len, 0), DR_E_DATA);
	buf_free(&b);
}
END_TEST

START_TEST(fast_path_limits)
{
	struct buf b;
	static const size_t sizes[] = { CSVR_FIELD_MAX - 1, CSVR_FIELD_MAX, CSVR_FIELD_MAX + 1 };
	static const int counts[] = { CSVR_MAX_FIELDS - 1, CSVR_MAX_FIELDS, CSVR_MAX_FIELDS + 1, 2000 };

	buf_init(&b, (size_t)1 << 30);
	ck_assert_int_eq(buf_puts(&b, "A;B\n"), 0);
	for (int i = 0; i < 3; i++) {
		/* unquoted, first and last field, then quoted */
		fill(&b, 'a', sizes[i]);
		ck_assert_int_eq(buf_puts(&b, ";x\nx;"), 0);
		fill(&b, 'b', sizes[i]);
		ck_assert_int_eq(buf_puts(&b, "\nx;\""), 0);
		fill(&b, 'c', sizes[i]);
		ck_assert_int_eq(buf_puts(&b, "\"\r\n"), 0);
	}
	for (int i = 0; i < 4; i++) {
		/* many fields, then few: fields past `stored` must be emptied */
		for (int q = 0; q < 2; q++) {
			for (int k = 0; k < counts[i]; k++)
				ck_assert_int_eq(buf_printf(&b, k ? ";%s%d%s" : "%s%d%s", q ? "\"" : "", k,
							    q ? "\"" : ""), 0);
			ck_assert_int_eq(buf_puts(&b, "\n1;2\n3\n"), 0);
		}
	}
	same_as_libcsv("field sizes and counts", b.data, b.len, 0);
	buf_free(&b);
}
END_TEST

/*
 * A quote left open on a huge file: libcsv gives up past 64 MiB, on both
 * paths, with the message that says so. Not under ASan, whose realloc copies
 * every time: libcsv growing a field 4 KiB at a time would take minutes
 * (same_as_libcsv covers the failure with a small ceiling).
 */
START_TEST(fast_path_libcsv_error)
{
#ifndef __SANITIZE_ADDRESS__
	size_t len = (size_t)65 * 1024 * 1024;
	char *in = malloc(len);
	char path[32];
	struct run ref, got;
	const struct csvr_mode libcsv = { .libcsv_only = true }, fast = { 0 };

	ck_assert_ptr_nonnull(in);
	memset(in, 'x', len);
	memcpy(in, "A;B\n1;2\n3;\"", 11);
	write_temp(in, len, path);
	free(in);
	run_mode(path, &libcsv, 0, &ref);
	run_mode(path, &fast, 0, &got);
	unlink(path);
	ck_assert_int_eq(ref.rc, DR_E_DATA);
	ck_assert_msg(strstr(ref.err, "after record 2: a field exceeds 64 MiB") != NULL, "%s", ref.err);
	same_runs("64 MiB", &fast, &ref, &got);
	buf_free(&ref.out);
	buf_free(&got.out);
#endif
}
END_TEST

Suite *suite_csvr(void)
{
	Suite *s = suite_create("csvr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, line_ends_bom_and_blank_lines);
	tcase_add_test(tc, cr_only_line_ends_refused);
	tcase_add_test(tc, quotes_and_line_breaks_inside);
	tcase_add_test(tc, unterminated_quote_flags_only_the_last_record);
	tcase_add_test(tc, field_count_and_too_long);
	tcase_add_test(tc, missing_file_is_noinput);
	suite_add_tcase(s, tc);
	tc = tcase_create("fast path");
	tcase_set_timeout(tc, 60);      /* ASan; a 65 MiB file */
	tcase_add_test(tc, fast_path_small_inputs);
	tcase_add_test(tc, fast_path_callback_stops);
	tcase_add_test(tc, fast_path_across_reads);
	tcase_add_test(tc, fast_path_limits);
	tcase_add_test(tc, fast_path_libcsv_error);
	suite_add_tcase(s, tc);
	return s;
}
