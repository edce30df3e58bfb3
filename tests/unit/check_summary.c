/*
 * tests/unit/check_summary.c — a run's summary, written as the run row's
 * JSON and as the `.done` line's logfmt (lib/summary.h).
 */
#include "unit.h"
#include "lib/err.h"
#include "lib/summary.h"

#include <stdio.h>
#include <string.h>

START_TEST(same_counts_in_both_writers)
{
	struct run_summary s = { 0 };
	struct buf b;
	char as_of[32];

	buf_init(&b, 4096);
	snprintf(as_of, sizeof(as_of), "%s", "2026-11-15 10:00:00+01");
	summary_str(&s, "as_of", as_of);
	as_of[0] = 'X';   /* the summary holds a copy: the command's locals go away before it is written */
	summary_int(&s, "read", 12);
	summary_real(&s, "seconds", 1.23456, 3);
	summary_bool(&s, "stopped", false);
	summary_str(&s, "none", NULL);
	summary_object(&s, "unlabelled");
	summary_int(&s, "ccam", 3);
	summary_close(&s);
	summary_int(&s, "last", -1);

	ck_assert_int_eq(summary_json(&s, &b), 0);
	ck_assert_str_eq(b.data, "{\"as_of\": \"2026-11-15 10:00:00+01\", \"read\": 12, \"seconds\": 1.235,"
			 " \"stopped\": false, \"none\": null, \"unlabelled\": {\"ccam\": 3}, \"last\": -1}");
	ck_assert_int_eq(summary_logfmt(&s, &b), 0);   /* the line stays flat: no nested object */
	ck_assert_str_eq(b.data, "as_of=\"2026-11-15 10:00:00+01\" read=12 seconds=1.235 stopped=false"
			 " none=null last=-1");
	buf_free(&b);
}
END_TEST

START_TEST(quotes_in_a_string_are_escaped_for_the_log_reader)
{
	struct run_summary s = { 0 };
	struct buf b;

	buf_init(&b, 256);
	summary_str(&s, "file", "a \"b\" c\\d");
	ck_assert_int_eq(summary_logfmt(&s, &b), 0);
	ck_assert_str_eq(b.data, "file=\"a \\\"b\\\" c\\\\d\"");
	buf_free(&b);
}
END_TEST

START_TEST(too_much_is_an_error_not_a_truncation)
{
	static struct run_summary s;   /* zeroed */
	struct buf b;
	char big[SUMMARY_POOL];

	buf_init(&b, 1 << 16);
	for (int i = 0; i <= SUMMARY_MAX_ITEMS; i++)
		summary_int(&s, "n", i);
	ck_assert_int_eq(summary_json(&s, &b), DR_E_INTERNAL);
	ck_assert_int_eq(summary_logfmt(&s, &b), DR_E_INTERNAL);
	ck_assert_ptr_nonnull(strstr(dr_errmsg(), "more than"));

	memset(&s, 0, sizeof(s));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	summary_str(&s, "a", "fits");
	summary_str(&s, "b", big);   /* with the first, one pool too many */
	ck_assert_int_eq(summary_json(&s, &b), DR_E_INTERNAL);
	buf_free(&b);
}
END_TEST

Suite *suite_summary(void)
{
	Suite *s = suite_create("summary");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, same_counts_in_both_writers);
	tcase_add_test(tc, quotes_in_a_string_are_escaped_for_the_log_reader);
	tcase_add_test(tc, too_much_is_an_error_not_a_truncation);
	suite_add_tcase(s, tc);
	return s;
}
