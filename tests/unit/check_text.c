/*
 * tests/unit/check_text.c — UTF-8 checks, CP1252 conversion, trimming.
 */
#include "tests/unit/unit.h"
#include "lib/text.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* text_decimal gives printf's %lld, the extremes included */
START_TEST(decimal)
{
	const long long v[] = { 0, 7, -7, 10, 1234567890123LL, -1000, LLONG_MAX, LLONG_MIN };
	char got[TEXT_DECIMAL_MAX], want[32];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = text_decimal(v[i], got);
		snprintf(want, sizeof(want), "%lld", v[i]);
		ck_assert_str_eq(got, want);
		ck_assert_uint_eq(n, strlen(want));
	}
}
END_TEST

START_TEST(utf8_valid_and_invalid)
{
	const char *why = NULL;

	ck_assert_int_eq(text_utf8_check("Hélène", strlen("Hélène"), false, &why), -1);
	ck_assert_int_eq(text_utf8_check("ab\xC3", 3, false, &why), 2);
	ck_assert_str_eq(why, "invalid UTF-8");
	ck_assert_int_eq(text_utf8_check("ab\xE9z", 4, false, &why), 2);      /* CP1252 é */
	ck_assert_int_eq(text_utf8_check("a\0b", 3, false, &why), 1);
	ck_assert_str_eq(why, "NUL byte");
	ck_assert_int_eq(text_utf8_check("a\tb", 3, true, &why), -1);
	ck_assert_int_eq(text_utf8_check("a\tb", 3, false, &why), 1);
	ck_assert_int_eq(text_utf8_check("\xC0\xAF", 2, false, &why), 0);    /* overlong */
	ck_assert_int_eq(text_utf8_check("\xED\xA0\x80", 3, false, &why), 0); /* surrogate */
	ck_assert_int_eq(text_utf8_check("x\xEF\xBB\xBF", 4, false, &why), 1); /* BOM */
	ck_assert_int_eq(text_utf8_check("\xF0\x9F\x98\x80", 4, false, &why), -1);
}
END_TEST

START_TEST(noncharacters_only)
{
	ck_assert(text_noncharacters_only("\xEF\xBF\xBF", 3));                       /* U+FFFF */
	ck_assert(text_noncharacters_only(" \xEF\xBF\xBE\t\xEF\xB7\x90 ", 9));          /* U+FFFE, U+FDD0 */
	ck_assert(text_noncharacters_only("\xF4\x8F\xBF\xBF", 4));                   /* U+10FFFF */
	ck_assert(!text_noncharacters_only("", 0));
	ck_assert(!text_noncharacters_only("   ", 3));
	ck_assert(!text_noncharacters_only("A\xEF\xBF\xBF", 4));
	ck_assert(!text_noncharacters_only("\xEF\xBF\xBD", 3));                      /* U+FFFD is a character */
	ck_assert(!text_noncharacters_only("\xEF\xB7\xB0", 3));                      /* U+FDF0 too */
}
END_TEST

START_TEST(cp1252_conversion)
{
	struct buf b;

	buf_init(&b, 1024);
	/* é, Œ (0x8C), € (0x80), ’ (0x92) */
	ck_assert_int_eq(text_cp1252_to_utf8("\xE9\x8C\x80\x92", 4, &b), -1);
	ck_assert_str_eq(b.data, "é" "Œ" "€" "’");
	buf_reset(&b);
	ck_assert_int_eq(text_cp1252_to_utf8("ab\x81", 3, &b), 2);   /* undefined byte */
	buf_reset(&b);
	ck_assert_int_eq(text_cp1252_to_utf8_lenient("a\x81" "b", 3, &b), 0);
	ck_assert_str_eq(b.data, "a b");
	buf_free(&b);
}
END_TEST

START_TEST(trim_and_digits)
{
	const char *s = "  12 \t";
	size_t n = text_trim(&s, strlen(s));

	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(strncmp(s, "12", 2), 0);
	ck_assert(text_all_digits("0123", 4));
	ck_assert(!text_all_digits("01a3", 4));
	ck_assert(!text_all_digits("", 0));
}
END_TEST

/* a name from outside prints on one line and drives no terminal */
START_TEST(escape)
{
	char out[64];

	ck_assert_str_eq(text_escape("a\nb\033[31m\t\r", TEXT_ESC_CONTROLS, out, sizeof(out)), "a\\nb\\x1b[31m\\t\\r");
	ck_assert_str_eq(text_escape("it's \"x\" \\", TEXT_ESC_CONTROLS, out, sizeof(out)), "it's \"x\" \\");
	ck_assert_str_eq(text_escape("it's \"x\" \\", TEXT_ESC_QUOTED, out, sizeof(out)), "it\\'s \\\"x\\\" \\\\");
	/* UTF-8 kept; a byte that is not UTF-8, DEL and a C1 control escaped */
	ck_assert_str_eq(text_escape("RENÉ\xff\x7f\xc2\x9b", TEXT_ESC_CONTROLS, out, sizeof(out)),
			 "RENÉ\\xff\\x7f\\xc2\\x9b");
	/* cut on a whole escape, never inside one */
	ck_assert_str_eq(text_escape("ab\n", TEXT_ESC_CONTROLS, out, 4), "ab");
	ck_assert_str_eq(text_escape("", TEXT_ESC_QUOTED, out, sizeof(out)), "");
}
END_TEST

/* given names as the CDA model shows them */
START_TEST(given_name_case)
{
	char a[] = "JEAN-PIERRE", b[] = "ÉLODIE MARIE", c[] = "D'ARTAGNAN", d[] = "ŒDIPE ÀÉÏ×Ø", e[] = "claire",
	     f[] = "", g[] = "ΑΒΓ";

	text_given_name_case(a);
	text_given_name_case(b);
	text_given_name_case(c);
	text_given_name_case(d);
	text_given_name_case(e);
	text_given_name_case(f);
	text_given_name_case(g);
	ck_assert_str_eq(a, "Jean-Pierre");
	ck_assert_str_eq(b, "Élodie Marie");
	ck_assert_str_eq(c, "D'Artagnan");
	ck_assert_str_eq(d, "Œdipe Àéï×ø");
	ck_assert_str_eq(e, "claire");      /* a first letter is never changed */
	ck_assert_str_eq(f, "");
	ck_assert_str_eq(g, "ΑΒΓ");         /* not a French letter: as it is */
}
END_TEST

START_TEST(json_char)
{
	char out[TEXT_JSON_CHAR_MAX];

	ck_assert_uint_eq(text_json_char('a', out), 1);
	ck_assert_int_eq(out[0], 'a');
	ck_assert_uint_eq(text_json_char('"', out), 2);
	ck_assert_int_eq(memcmp(out, "\\\"", 2), 0);
	ck_assert_uint_eq(text_json_char('\\', out), 2);
	ck_assert_int_eq(memcmp(out, "\\\\", 2), 0);
	ck_assert_uint_eq(text_json_char('\n', out), 6);
	ck_assert_int_eq(memcmp(out, "\\u000a", 6), 0);
	ck_assert_uint_eq(text_json_char(0x1f, out), 6);
	ck_assert_int_eq(memcmp(out, "\\u001f", 6), 0);
	ck_assert_uint_eq(text_json_char(0xc3, out), 1);   /* UTF-8 bytes pass as they are */
}
END_TEST

Suite *suite_text(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, utf8_valid_and_invalid);
	tcase_add_test(tc, noncharacters_only);
	tcase_add_test(tc, cp1252_conversion);
	tcase_add_test(tc, trim_and_digits);
	tcase_add_test(tc, decimal);
	tcase_add_test(tc, escape);
	tcase_add_test(tc, json_char);
	tcase_add_test(tc, given_name_case);
	suite_add_tcase(s, tc);
	return s;
}
