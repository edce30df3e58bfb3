/*
 * tests/unit/check_csvr.c — the libcsv streaming reader on real temp files.
 */
#include "tests/unit/unit.h"
#include "ingest/csvr.h"
#include "lib/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen {
	int n;
	char rec[16][256];     /* fields joined with '|' */
	int nfields[16];
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
	s->unterminated[s->n] = r->unterminated;
	s->too_long[s->n] = r->too_long;
	s->n++;
	return 0;
}

static long read_string(const char *content, size_t len, struct seen *s)
{
	char path[] = "/tmp/check_csvr.XXXXXX";
	int fd = mkstemp(path);
	long records = -1;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(csvr_read(path, ';', collect, s, &records), 0);
	unlink(path);
	return records;
}

START_TEST(line_ends_bom_and_blank_lines)
{
	struct seen s;
	const char in[] = "\xEF\xBB\xBF" "A;B\r\n1;2\r\n\r\n3;4\r5;6\n7; 8 ";

	ck_assert_int_eq(read_string(in, sizeof(in) - 1, &s), 5);
	ck_assert_str_eq(s.rec[0], "A|B");
	ck_assert_str_eq(s.rec[1], "1|2");
	ck_assert_str_eq(s.rec[2], "3|4");
	ck_assert_str_eq(s.rec[3], "5|6");
	ck_assert_str_eq(s.rec[4], "7| 8 ");     /* spaces are kept */
}
END_TEST

START_TEST(quotes_and_line_breaks_inside)
{
	struct seen s;
	const char in[] = "A;B\n\"x;y\";\"he said \"\"hi\"\"\"\n\"two\nlines\";z\n";

	ck_assert_int_eq(read_string(in, sizeof(in) - 1, &s), 3);
	ck_assert_str_eq(s.rec[1], "x;y|he said \"hi\"");
	ck_assert_str_eq(s.rec[2], "two\nlines|z");
	ck_assert(!s.unterminated[2]);
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

Suite *suite_csvr(void)
{
	Suite *s = suite_create("csvr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, line_ends_bom_and_blank_lines);
	tcase_add_test(tc, quotes_and_line_breaks_inside);
	tcase_add_test(tc, unterminated_quote_flags_only_the_last_record);
	tcase_add_test(tc, field_count_and_too_long);
	tcase_add_test(tc, missing_file_is_noinput);
	suite_add_tcase(s, tc);
	return s;
}
