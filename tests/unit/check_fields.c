/*
 * tests/unit/check_fields.c — the strict field validators of ingest/fields.h.
 */
#include "tests/unit/unit.h"
#include "ingest/fields.h"

#include <stdio.h>
#include <string.h>

/* Each validator on a NUL-terminated literal; why must be set on refusal. */
static const char *why;

static int date_of(const char *s, bool unknown, struct dr_date *d)
{
	why = NULL;
	return field_date(s, strlen(s), unknown, d, &why);
}

#define DATE_OK(s, unknown, yy, mm, dd) do { \
	struct dr_date d_; \
	ck_assert_msg(date_of(s, unknown, &d_) == 0, "%s refused: %s", s, why); \
	ck_assert_int_eq(d_.y, yy); ck_assert_int_eq(d_.m, mm); ck_assert_int_eq(d_.d, dd); \
} while (0)

#define DATE_BAD(s, unknown) do { \
	struct dr_date d_; \
	ck_assert_msg(date_of(s, unknown, &d_) == -1, "%s accepted", s); \
	ck_assert_ptr_nonnull(why); \
	ck_assert_msg(strstr(why, "date") != NULL, "phrase '%s'", why); \
} while (0)

START_TEST(date_three_forms)
{
	DATE_OK("29/02/2024", false, 2024, 2, 29);
	DATE_OK("2024-02-29", false, 2024, 2, 29);
	DATE_OK("29022024", false, 2024, 2, 29);
	DATE_OK("31/12/1900", false, 1900, 12, 31);
	DATE_OK("2099-01-01", false, 2099, 1, 1);
	DATE_OK("29/02/2000", false, 2000, 2, 29);
}
END_TEST

START_TEST(date_refused)
{
	DATE_BAD("31/02/2024", false);
	DATE_BAD("2024-02-31", false);
	DATE_BAD("31022024", false);
	DATE_BAD("29/02/2023", false);
	DATE_BAD("29/02/1900", false);     /* not a leap year */
	DATE_BAD("31/04/2024", false);
	DATE_BAD("2024-13-01", false);
	DATE_BAD("2024-13-01", true);
	DATE_BAD("1/2/2024", false);
	DATE_BAD("01/02/24", false);
	DATE_BAD("2024/02/01", false);
	DATE_BAD("01-02-2024", false);
	DATE_BAD("2024-2-01", false);
	DATE_BAD(" 01/02/2024", false);
	DATE_BAD("01/02/2024 ", false);
	DATE_BAD("0a/02/2024", false);
	DATE_BAD("31/12/1899", false);
	DATE_BAD("01/01/2100", false);
	DATE_BAD("2024021", false);
	DATE_BAD("+1022024", false);
	DATE_BAD("32/01/2024", true);
	ck_assert_int_eq(field_date("", 0, false, &(struct dr_date){ 0 }, &why), -1);
}
END_TEST

START_TEST(date_unknown_parts)
{
	DATE_BAD("00/00/0000", false);
	DATE_BAD("00/00/0000", true);      /* year 0000 is out of range either way */
	DATE_BAD("00/00/1950", false);
	DATE_OK("00/00/1950", true, 1950, 0, 0);
	DATE_BAD("00/05/1950", false);
	DATE_OK("00/05/1950", true, 1950, 5, 0);
	DATE_OK("1950-05-00", true, 1950, 5, 0);
	DATE_OK("00001950", true, 1950, 0, 0);
	DATE_OK("15/00/1950", true, 1950, 0, 15);
	DATE_BAD("30/02/1950", true);      /* a known month still bounds the day */
}
END_TEST

START_TEST(date_formats_and_days)
{
	struct dr_date d = { 1950, 5, 0 }, epoch = { 1970, 1, 1 }, leap = { 2024, 3, 1 };
	char iso[11], compact[9];

	field_date_iso(&d, iso);
	field_date_compact(&d, compact);
	ck_assert_str_eq(iso, "1950-05-00");
	ck_assert_str_eq(compact, "19500500");
	ck_assert_int_eq(field_date_days(&epoch), 0);
	ck_assert_int_eq(field_date_days(&leap) - field_date_days(&(struct dr_date){ 2024, 2, 28 }), 2);
	ck_assert_int_eq(field_date_days(&(struct dr_date){ 2000, 1, 1 }), 10957);
	ck_assert_int_eq(field_date_days(&(struct dr_date){ 1900, 1, 1 }), -25567);
}
END_TEST

static int nir(const char *s)
{
	why = NULL;
	return field_nir(s, strlen(s), &why);
}

START_TEST(nir_form)
{
	ck_assert_int_eq(nir("1500815051040"), 0);
	ck_assert_int_eq(nir("285072B502024"), 0);
	ck_assert_int_eq(nir("265112A571315"), 0);
	ck_assert_int_eq(nir("7500815051040"), 0);
	ck_assert_int_eq(nir("8500815051040"), 0);
	ck_assert_int_eq(nir("5500815051040"), -1);       /* sex digit */
	ck_assert_int_eq(nir("0500815051040"), -1);
	ck_assert_int_eq(nir("285072C502024"), -1);       /* only 2A/2B */
	ck_assert_int_eq(nir("285073A502024"), -1);
	ck_assert_int_eq(nir("285072a502024"), -1);
	ck_assert_int_eq(nir("28507AB502024"), -1);
	ck_assert_int_eq(nir("2A5072B502024"), -1);       /* letters elsewhere */
	ck_assert_int_eq(nir("28507215020A4"), -1);
	ck_assert_int_eq(nir("150081505104"), -1);
	ck_assert_int_eq(nir("15008150510401"), -1);
	ck_assert_int_eq(nir(""), -1);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(nir_keys)
{
	ck_assert_int_eq(nir_key("1500815051040"), 18);   /* the INS-C README vector */
	ck_assert_int_eq(nir_key("285072B502024"), 65);   /* Corsica, 2B read as 18 */
	ck_assert_int_eq(nir_key("265112A571315"), 79);   /* Corsica, 2A read as 19 */
	ck_assert_int_eq(nir_key("2A5072B502024"), -1);
	ck_assert_int_eq(field_nir_cle("1500815051040", "18", 2, &why), 0);
	ck_assert_int_eq(field_nir_cle("285072B502024", "65", 2, &why), 0);
	ck_assert_int_eq(field_nir_cle("1500815051040", "17", 2, &why), -1);
	ck_assert_str_eq(why, "does not match BEN_NIR");
	ck_assert_int_eq(field_nir_cle("1500815051040", "8", 1, &why), -1);
	ck_assert_int_eq(field_nir_cle("1500815051040", "1a", 2, &why), -1);
	ck_assert_int_eq(field_nir_cle("1500815051040", "018", 3, &why), -1);
}
END_TEST

START_TEST(cip13_lpp)
{
	ck_assert_int_eq(field_cip13("3400930000001", 13, &why), -1);   /* the contract example */
	ck_assert_str_eq(why, "fails its EAN-13 check digit");
	ck_assert_int_eq(field_cip13("3400930000007", 13, &why), 0);
	ck_assert_int_eq(field_cip13("4006381333931", 13, &why), 0);
	ck_assert_int_eq(field_cip13("4006381333932", 13, &why), -1);
	ck_assert_int_eq(field_cip13("340093000000", 12, &why), -1);
	ck_assert_int_eq(field_cip13("34009300000O1", 13, &why), -1);
	ck_assert_str_eq(why, "is not 13 digits");
	ck_assert_int_eq(field_lpp("1234567", 7, &why), 0);
	ck_assert_int_eq(field_lpp("123456", 6, &why), -1);
	ck_assert_int_eq(field_lpp("123456A", 7, &why), -1);
}
END_TEST

START_TEST(ccam)
{
	char out[8];

	ck_assert_int_eq(field_ccam("ZBQK002", 7, out, &why), 0);
	ck_assert_str_eq(out, "ZBQK002");
	ck_assert_int_eq(field_ccam("ZBQK002      ", 13, out, &why), 0);
	ck_assert_str_eq(out, "ZBQK002");
	ck_assert_int_eq(field_ccam("ZBQK002       ", 14, out, &why), -1);   /* 14 > 13 */
	ck_assert_int_eq(field_ccam("ZBQK002  x   ", 13, out, &why), -1);
	ck_assert_int_eq(field_ccam("zbqk002", 7, out, &why), -1);
	ck_assert_int_eq(field_ccam("ZBQ1002", 7, out, &why), -1);
	ck_assert_int_eq(field_ccam("ZBQK00A", 7, out, &why), -1);
	ck_assert_int_eq(field_ccam("ZBQK02", 6, out, &why), -1);
}
END_TEST

START_TEST(nabm)
{
	int a = -1, b = -1;

	ck_assert_int_eq(field_nabm("514", 3, &a, &why), 0);
	ck_assert_int_eq(field_nabm("0514", 4, &b, &why), 0);
	ck_assert_int_eq(a, 514);
	ck_assert_int_eq(a, b);
	ck_assert_int_eq(field_nabm("5", 1, &a, &why), 0);
	ck_assert_int_eq(a, 5);
	ck_assert_int_eq(field_nabm("00514", 5, &a, &why), -1);
	ck_assert_int_eq(field_nabm("12345", 5, &a, &why), -1);
	ck_assert_int_eq(field_nabm("", 0, &a, &why), -1);
	ck_assert_int_eq(field_nabm("-514", 4, &a, &why), -1);
	ck_assert_int_eq(field_nabm("51A", 3, &a, &why), -1);
}
END_TEST

static int qty(const char *s, int *q)
{
	why = NULL;
	return field_quantity(s, strlen(s), q, &why);
}

START_TEST(quantities)
{
	int q = 0;

	ck_assert_int_eq(qty("3", &q), 0); ck_assert_int_eq(q, 3);
	ck_assert_int_eq(qty("+3", &q), 0); ck_assert_int_eq(q, 3);
	ck_assert_int_eq(qty("-2", &q), 0); ck_assert_int_eq(q, -2);
	ck_assert_int_eq(qty("0", &q), 0); ck_assert_int_eq(q, 0);
	ck_assert_int_eq(qty("99999", &q), 0); ck_assert_int_eq(q, 99999);
	ck_assert_int_eq(qty("-99999", &q), 0); ck_assert_int_eq(q, -99999);
	ck_assert_int_eq(qty("007", &q), 0); ck_assert_int_eq(q, 7);
	ck_assert_int_eq(qty("100000", &q), -1);
	ck_assert_str_eq(why, "is out of range");
	ck_assert_int_eq(qty("-100000", &q), -1);
	ck_assert_int_eq(qty("99999999999999999999", &q), -1);
	ck_assert_str_eq(why, "is out of range");
	ck_assert_int_eq(qty("3.0", &q), -1);
	ck_assert_str_eq(why, "is not a whole number");
	ck_assert_int_eq(qty("1e3", &q), -1);
	ck_assert_int_eq(qty("+", &q), -1);
	ck_assert_int_eq(qty("-", &q), -1);
	ck_assert_int_eq(qty("+-3", &q), -1);
	ck_assert_int_eq(qty(" 3", &q), -1);
	ck_assert_int_eq(qty("0x10", &q), -1);
	ck_assert_int_eq(qty("", &q), -1);
}
END_TEST

START_TEST(whole_numbers)
{
	long v = 0;

	ck_assert_int_eq(field_long("9999", 4, 0, 9999, &v, &why), 0);
	ck_assert_int_eq(v, 9999);
	ck_assert_int_eq(field_long("10000", 5, 0, 9999, &v, &why), -1);
	ck_assert_int_eq(field_long("-1", 2, 0, 9999, &v, &why), -1);     /* no sign when min >= 0 */
	ck_assert_int_eq(field_long("+1", 2, -5, 5, &v, &why), -1);       /* no + for plain numbers */
	ck_assert_int_eq(field_long("-5", 2, -5, 5, &v, &why), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(field_long("-6", 2, -5, 5, &v, &why), -1);
	ck_assert_int_eq(field_long("0", 1, 1, 5, &v, &why), -1);
	ck_assert_int_eq(field_long("9223372036854775807", 19, 0, __LONG_MAX__, &v, &why), 0);
	ck_assert_int_eq(v, __LONG_MAX__);
	ck_assert_int_eq(field_long("9223372036854775808", 19, 0, __LONG_MAX__, &v, &why), -1);
	ck_assert_int_eq(field_long("-9223372036854775808", 20, -__LONG_MAX__ - 1, 0, &v, &why), 0);
	ck_assert_int_eq(v, -__LONG_MAX__ - 1);
	ck_assert_int_eq(field_long("-9223372036854775809", 20, -__LONG_MAX__ - 1, 0, &v, &why), -1);
}
END_TEST

START_TEST(codes)
{
	ck_assert_int_eq(field_atc("J07BB02", 7, &why), 0);
	ck_assert_int_eq(field_atc("J07", 3, &why), 0);
	ck_assert_int_eq(field_atc("J", 1, &why), 0);
	ck_assert_int_eq(field_atc("J07B", 4, &why), 0);
	ck_assert_int_eq(field_atc("J07BB021", 8, &why), -1);
	ck_assert_int_eq(field_atc("107BB02", 7, &why), -1);
	ck_assert_int_eq(field_atc("J0ABB02", 7, &why), -1);
	ck_assert_int_eq(field_atc("j07bb02", 7, &why), -1);
	ck_assert_int_eq(field_atc("", 0, &why), -1);

	ck_assert_int_eq(field_ghm("05M09T", 6, &why), 0);
	ck_assert_int_eq(field_ghm("90Z00Z", 6, &why), 0);
	ck_assert_int_eq(field_ghm("05M091", 6, &why), 0);
	ck_assert_int_eq(field_ghm("05M09", 5, &why), -1);
	ck_assert_int_eq(field_ghm("0AM09T", 6, &why), -1);
	ck_assert_int_eq(field_ghm("05109T", 6, &why), -1);
	ck_assert_int_eq(field_ghm("05M09t", 6, &why), -1);
	/* codes of MS_GM9_V outside the ATIH form */
	ck_assert_int_eq(field_ghm("XXXXXX", 6, &why), 0);
	ck_assert_int_eq(field_ghm("IIIIII", 6, &why), 0);
	ck_assert_int_eq(field_ghm("XXXXXY", 6, &why), -1);
	ck_assert_int_eq(field_ghm("XXXXX", 5, &why), -1);
	ck_assert_int_eq(field_ghm("111111", 6, &why), -1);

	ck_assert_int_eq(field_finess("750712184", 9, &why), 0);
	ck_assert_int_eq(field_finess("2A0000154", 9, &why), 0);
	ck_assert_int_eq(field_finess("2B0000154", 9, &why), 0);
	ck_assert_int_eq(field_finess("2C0000154", 9, &why), -1);
	ck_assert_int_eq(field_finess("1A0000154", 9, &why), -1);
	ck_assert_int_eq(field_finess("2A000015A", 9, &why), -1);
	ck_assert_int_eq(field_finess("75071218", 8, &why), -1);

	ck_assert_int_eq(field_code("A1b2", 4, 10, &why), 0);
	ck_assert_int_eq(field_code("A1b2", 4, 3, &why), -1);
	ck_assert_int_eq(field_code("A-1", 3, 10, &why), -1);
	ck_assert_int_eq(field_code("", 0, 10, &why), -1);
}
END_TEST

/* every GHM code the national MS_GM9_V lists passes field_ghm (../shared) */
START_TEST(ghm_every_national_code)
{
	const char *dir = unit_shared_dir(), *reason;
	char path[4096], line[512];
	long n_codes = 0, refused = 0;
	FILE *in;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/referentials/snds/MS_GM9_V.csv", dir);
	in = fopen(path, "r");
	ck_assert_msg(in != NULL, "%s not readable", path);
	ck_assert(fgets(line, sizeof(line), in) != NULL);   /* header */
	while (fgets(line, sizeof(line), in)) {
		size_t n = strcspn(line, ";\r\n");
		if (n == 0)
			continue;
		n_codes++;
		if (field_ghm(line, n, &reason) != 0) {
			refused++;
			fprintf(stderr, "MS_GM9_V: %.*s refused: %s\n", (int)n, line, reason);
		}
	}
	fclose(in);
	ck_assert_int_gt(n_codes, 500);
	ck_assert_int_eq(refused, 0);
}
END_TEST

Suite *suite_fields(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, date_three_forms);
	tcase_add_test(tc, date_refused);
	tcase_add_test(tc, date_unknown_parts);
	tcase_add_test(tc, date_formats_and_days);
	tcase_add_test(tc, nir_form);
	tcase_add_test(tc, nir_keys);
	tcase_add_test(tc, cip13_lpp);
	tcase_add_test(tc, ccam);
	tcase_add_test(tc, ghm_every_national_code);
	tcase_add_test(tc, nabm);
	tcase_add_test(tc, quantities);
	tcase_add_test(tc, whole_numbers);
	tcase_add_test(tc, codes);
	suite_add_tcase(s, tc);
	return s;
}
