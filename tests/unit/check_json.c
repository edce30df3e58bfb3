/*
 * tests/unit/check_json.c — the JSON object writer (lib/json.h).
 */
#include "unit.h"
#include "lib/json.h"

START_TEST(object_with_every_kind)
{
	struct buf b;
	struct json j;

	buf_init(&b, 1024);
	json_begin(&j, &b);
	json_str(&j, "file", "a\"b\\c\n\x01");
	json_str(&j, "none", NULL);
	json_int(&j, "read", -42);
	json_real(&j, "seconds", 1.23456, 3);
	json_bool(&j, "dry_run", true);
	json_object(&j, "unlabelled");
	json_int(&j, "cip", 0);
	json_int(&j, "lpp", 7);
	json_close(&j);
	json_bool(&j, "last", false);
	json_raw(&j, "counts", "{\"read\": 3}");
	json_raw(&j, "exit_code", NULL);
	ck_assert_int_eq(json_end(&j), 0);
	ck_assert_str_eq(b.data, "{\"file\": \"a\\\"b\\\\c\\u000a\\u0001\", \"none\": null, \"read\": -42,"
			 " \"seconds\": 1.235, \"dry_run\": true, \"unlabelled\": {\"cip\": 0, \"lpp\": 7},"
			 " \"last\": false, \"counts\": {\"read\": 3}, \"exit_code\": null}");
	buf_free(&b);
}
END_TEST

START_TEST(the_first_error_sticks)
{
	struct buf b;
	struct json j;

	buf_init(&b, 16);   /* far too small */
	json_begin(&j, &b);
	json_str(&j, "a key longer than the buffer", "v");
	json_int(&j, "n", 1);
	ck_assert_int_ne(json_end(&j), 0);
	buf_free(&b);
}
END_TEST

Suite *suite_json(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, object_with_every_kind);
	tcase_add_test(tc, the_first_error_sticks);
	suite_add_tcase(s, tc);
	return s;
}
