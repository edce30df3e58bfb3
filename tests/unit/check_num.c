/*
 * tests/unit/check_num.c — strict number parsing (lib/num.h).
 */
#include "unit.h"
#include "lib/num.h"

START_TEST(whole_integers_only)
{
	long long v = 7;

	ck_assert_int_eq(num_parse_ll("42", &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(num_parse_ll("-9223372036854775808", &v), 0);
	ck_assert(v == -9223372036854775807LL - 1);
	v = 7;
	/* what atoll() would have read as a number */
	ck_assert_int_eq(num_parse_ll("", &v), -1);
	ck_assert_int_eq(num_parse_ll("12abc", &v), -1);
	ck_assert_int_eq(num_parse_ll(" 12", &v), -1);
	ck_assert_int_eq(num_parse_ll("12 ", &v), -1);
	ck_assert_int_eq(num_parse_ll("9223372036854775808", &v), -1);
	ck_assert_int_eq(num_parse_ll("1.5", &v), -1);
	ck_assert_int_eq(num_parse_ll(NULL, &v), -1);
	ck_assert_int_eq(v, 7);   /* untouched on failure */
}
END_TEST

START_TEST(whole_finite_decimals_only)
{
	double d = 7;

	ck_assert_int_eq(num_parse_double("12.5", &d), 0);
	ck_assert(d == 12.5);
	ck_assert_int_eq(num_parse_double("-3", &d), 0);
	ck_assert(d == -3);
	d = 7;
	ck_assert_int_eq(num_parse_double("", &d), -1);
	ck_assert_int_eq(num_parse_double("1.5x", &d), -1);
	ck_assert_int_eq(num_parse_double("inf", &d), -1);
	ck_assert_int_eq(num_parse_double("nan", &d), -1);
	ck_assert_int_eq(num_parse_double("1e999", &d), -1);
	ck_assert_int_eq(num_parse_double(" 1", &d), -1);
	ck_assert(d == 7);
}
END_TEST

Suite *suite_num(void)
{
	Suite *s = suite_create("num");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, whole_integers_only);
	tcase_add_test(tc, whole_finite_decimals_only);
	suite_add_tcase(s, tc);
	return s;
}
