/*
 * tests/unit/check_err.c — the error message buffer and exit statuses.
 */
#include "tests/unit/unit.h"
#include "lib/err.h"

#include <string.h>

/* A step wraps the message of the step that failed under it. */
START_TEST(wraps_its_own_message)
{
	ck_assert_int_eq(dr_error(DR_E_RETRY, "SQLSTATE %s: %s", "40001", "could not serialize"), DR_E_RETRY);
	dr_error(DR_E_RETRY, "writing the batch: %s", dr_errmsg());
	ck_assert_str_eq(dr_errmsg(), "writing the batch: SQLSTATE 40001: could not serialize");
	dr_error(DR_E_RETRY, "%s (run again)", dr_errmsg());
	ck_assert_str_eq(dr_errmsg(), "writing the batch: SQLSTATE 40001: could not serialize (run again)");
}
END_TEST

START_TEST(long_messages_are_cut)
{
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dr_error(DR_E_DATA, "%s", big);
	ck_assert_uint_lt(strlen(dr_errmsg()), sizeof(big) - 1);
	dr_error(DR_E_DATA, "step: %s", dr_errmsg());
	ck_assert(strncmp(dr_errmsg(), "step: xxx", 9) == 0);
}
END_TEST

START_TEST(exit_codes)
{
	ck_assert_int_eq(dr_exit_code(DR_OK), 0);
	ck_assert_int_eq(dr_exit_code(DR_E_RETRY), 75);
	ck_assert_int_eq(dr_exit_code(DR_E_CONFIG), 78);
	ck_assert_int_eq(dr_exit_code(DR_E_DATA), 65);
}
END_TEST

Suite *suite_err(void)
{
	Suite *s = suite_create("err");
	TCase *t = tcase_create("core");

	tcase_add_test(t, wraps_its_own_message);
	tcase_add_test(t, long_messages_are_cut);
	tcase_add_test(t, exit_codes);
	suite_add_tcase(s, t);
	return s;
}
