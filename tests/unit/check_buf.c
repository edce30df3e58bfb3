/*
 * tests/unit/check_buf.c — bounded buffer and arena.
 */
#include "tests/unit/unit.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/err.h"

#include <string.h>

START_TEST(buf_limit_is_a_clean_error)
{
	struct buf b;

	buf_init(&b, 16);
	ck_assert_int_eq(buf_puts(&b, "0123456789"), 0);
	ck_assert_int_eq(buf_puts(&b, "0123456789"), DR_E_DATA);
	ck_assert_str_eq(b.data, "0123456789");     /* unchanged by the failed append */
	ck_assert_int_eq(buf_printf(&b, "%d", 42), 0);
	ck_assert_str_eq(b.data, "012345678942");
	buf_free(&b);
}
END_TEST

START_TEST(arena_alloc_reset)
{
	struct arena a;

	arena_init(&a, 64);
	char *p = arena_strndup(&a, "hello", 5);
	ck_assert_str_eq(p, "hello");
	void *big = arena_alloc(&a, 1000);   /* larger than a block */
	ck_assert_ptr_nonnull(big);
	memset(big, 1, 1000);
	ck_assert_uint_eq((uintptr_t)big % 16, 0);
	arena_reset(&a);
	ck_assert_uint_eq(a.used_total, 0);
	ck_assert_ptr_nonnull(arena_alloc(&a, 8));
	arena_free(&a);
}
END_TEST

Suite *suite_buf(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, buf_limit_is_a_clean_error);
	tcase_add_test(tc, arena_alloc_reset);
	suite_add_tcase(s, tc);
	return s;
}
