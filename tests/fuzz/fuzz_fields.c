/*
 * tests/fuzz/fuzz_fields.c — libFuzzer target: the field validators (ingest/fields).
 *
 * The first byte picks the validator ('d' date, 'D' date with 00 allowed,
 * 'n' NIR and its key, 'c' CIP13, 'b' NABM, 'q' quantity, 'l' whole number
 * with a range picked by the second byte, 'C' CCAM, 'L' LPP, 'f' FINESS,
 * 'a' ATC, 'g' GHM, 'i' code); the rest is the field. Each answer is checked
 * against an independent statement of the rule (docs/validation.md):
 *   - an accepted date is a real calendar date of 1900..2099 that prints back
 *     to the same bytes in its form, its ISO form parses to the same date, and
 *     its day count agrees with a plain count of days;
 *   - an accepted NIR has the documented shape and a key in 1..97 that
 *     field_nir_cle accepts (and refuses when off by one);
 *   - CIP13, NABM, quantities and ranged numbers: accepted exactly when a
 *     separate reference implementation accepts, with the same value;
 *   - every refusal gives a non-empty reason.
 */
#include "tests/fuzz/fuzz.h"
#include "ingest/fields.h"

#include <limits.h>
#include <string.h>

static bool dig(char c) { return c >= '0' && c <= '9'; }
static bool upper(char c) { return c >= 'A' && c <= 'Z'; }

static bool all_dig(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!dig(s[i]))
			return false;
	return n > 0;
}

static void check_refusal(int rc, const char *why)
{
	if (rc != 0)
		FUZZ_CHECK(rc == -1 && why != NULL && why[0] != '\0', "refusal without a reason");
}

/* Days since 1970-01-01 by counting years and months one by one. */
static long plain_days(int y, int m, int d)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long days = 0;

	for (int k = 1970; k < y; k++)
		days += 365 + ((k % 4 == 0 && k % 100 != 0) || k % 400 == 0);
	for (int k = y; k < 1970; k++)
		days -= 365 + ((k % 4 == 0 && k % 100 != 0) || k % 400 == 0);
	for (int k = 1; k < m; k++)
		days += md[k - 1] + (k == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return days + d - 1;
}

static int month_days(int y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static void fuzz_date(const char *s, size_t n, bool unknown)
{
	struct dr_date d = { -1, -1, -1 }, again;
	const char *why = NULL;
	char back[16], iso[11];
	int rc = field_date(s, n, unknown, &d, &why);

	check_refusal(rc, why);
	if (rc != 0)
		return;
	FUZZ_CHECK(d.y >= 1900 && d.y <= 2099, "year %d", d.y);
	FUZZ_CHECK(d.m >= (unknown ? 0 : 1) && d.m <= 12, "month %d", d.m);
	FUZZ_CHECK(d.d >= (unknown ? 0 : 1) && d.d <= (d.m ? month_days(d.y, d.m) : 31),
		   "day %d of %04d-%02d", d.d, d.y, d.m);
	if (n == 10 && s[2] == '/')
		snprintf(back, sizeof(back), "%02d/%02d/%04d", d.d, d.m, d.y);
	else if (n == 10)
		snprintf(back, sizeof(back), "%04d-%02d-%02d", d.y, d.m, d.d);
	else
		snprintf(back, sizeof(back), "%02d%02d%04d", d.d, d.m, d.y);
	FUZZ_CHECK(strlen(back) == n && memcmp(back, s, n) == 0, "date does not print back to its input");
	field_date_iso(&d, iso);
	FUZZ_CHECK(field_date(iso, 10, unknown, &again, &why) == 0 &&
		   again.y == d.y && again.m == d.m && again.d == d.d, "ISO form does not parse back");
	if (d.m && d.d) {
		FUZZ_CHECK(field_date_days(&d) == plain_days(d.y, d.m, d.d), "day count of %s", iso);
		FUZZ_CHECK(field_date(s, n, !unknown, &again, &why) == 0, "complete date refused the other way");
	}
}

static void fuzz_nir(const char *s, size_t n)
{
	const char *why = NULL;
	int rc = field_nir(s, n, &why);
	char cle[3];

	check_refusal(rc, why);
	if (rc != 0) {
		if (n == 13)
			FUZZ_CHECK(nir_key(s) == -1, "nir_key accepts what field_nir refuses");
		return;
	}
	FUZZ_CHECK(n == 13 && strchr("123478", s[0]) && s[0] != '\0', "NIR shape (sex digit)");
	FUZZ_CHECK(all_dig(s + 1, 4) && all_dig(s + 7, 6), "NIR shape (digits)");
	FUZZ_CHECK(all_dig(s + 5, 2) || (s[5] == '2' && (s[6] == 'A' || s[6] == 'B')), "NIR department");
	/* independent key: 13 digits, Corsica 2A -> 19, 2B -> 18 */
	unsigned long long v = 0;
	for (int i = 0; i < 13; i++) {
		int c = s[i];
		if (i == 5 && s[6] == 'A') c = '1';
		if (i == 5 && s[6] == 'B') c = '1';
		if (i == 6 && s[6] == 'A') c = '9';
		if (i == 6 && s[6] == 'B') c = '8';
		v = v * 10 + (unsigned)(c - '0');
	}
	int key = nir_key(s);
	FUZZ_CHECK(key == (int)(97 - v % 97), "nir_key %d, want %d", key, (int)(97 - v % 97));
	snprintf(cle, sizeof(cle), "%02d", key);
	FUZZ_CHECK(field_nir_cle(s, cle, 2, &why) == 0, "its own key refused");
	snprintf(cle, sizeof(cle), "%02d", key % 97 + 1);
	FUZZ_CHECK(field_nir_cle(s, cle, 2, &why) == -1, "a wrong key accepted");
}

static void fuzz_cip13(const char *s, size_t n)
{
	const char *why = NULL;
	int rc = field_cip13(s, n, &why);
	bool want = n == 13 && all_dig(s, 13);

	check_refusal(rc, why);
	if (want) {
		int sum = 0;
		for (int i = 0; i < 12; i++)
			sum += (s[i] - '0') * (i % 2 ? 3 : 1);
		want = (10 - sum % 10) % 10 == s[12] - '0';
	}
	FUZZ_CHECK((rc == 0) == want, "CIP13 %s, reference %s", rc ? "refused" : "accepted",
		   want ? "accepts" : "refuses");
}

/* Reference: optional sign (when allowed), digits, value in [min, max]. */
static bool ref_number(const char *s, size_t n, bool plus_ok, long min, long max, long *out)
{
	size_t i = 0;
	bool neg = false;
	__int128 v = 0;

	if (n > 0 && s[0] == '-' && min < 0) { neg = true; i = 1; }
	else if (n > 0 && s[0] == '+' && plus_ok) { i = 1; }
	if (i == n || !all_dig(s + i, n - i))
		return false;
	for (; i < n; i++)
		if ((v = v * 10 + (s[i] - '0')) > ((__int128)1 << 70))
			return false;
	if (neg)
		v = -v;
	if (v < min || v > max)
		return false;
	*out = (long)v;
	return true;
}

static void fuzz_numbers(char kind, const char *s, size_t n, unsigned char pick)
{
	static const long ranges[][2] = {
		{ LONG_MIN, LONG_MAX }, { -99999, 99999 }, { 0, 99 }, { 1, 1 }, { 5, 3 },
		{ -10, -5 }, { 0, LONG_MAX }, { LONG_MIN, 0 },
	};
	const char *why = NULL;
	long got = 0, want = 0;
	bool ok;
	int rc;

	if (kind == 'q') {
		int q = 0;
		rc = field_quantity(s, n, &q, &why);
		got = q;
		ok = ref_number(s, n, true, -99999, 99999, &want);
	} else if (kind == 'b') {
		int code = -1;
		rc = field_nabm(s, n, &code, &why);
		got = code;
		ok = n <= 4 && ref_number(s, n, false, 0, 9999, &want) && s[0] != '-';
	} else {
		const long *r = ranges[pick % (sizeof(ranges) / sizeof(ranges[0]))];
		rc = field_long(s, n, r[0], r[1], &got, &why);
		ok = ref_number(s, n, false, r[0], r[1], &want);
	}
	check_refusal(rc, why);
	FUZZ_CHECK((rc == 0) == ok, "'%c' %s, reference %s", kind, rc ? "refused" : "accepted",
		   ok ? "accepts" : "refuses");
	if (ok)
		FUZZ_CHECK(got == want, "'%c' value %ld, reference %ld", kind, got, want);
}

static bool shape(const char *s, size_t n, const char *pattern)
{
	if (strlen(pattern) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((pattern[i] == 'A' && !upper(s[i])) || (pattern[i] == '9' && !dig(s[i])) ||
		    (pattern[i] == 'X' && !upper(s[i]) && !dig(s[i])))
			return false;
	return true;
}

static void fuzz_codes(char kind, const char *s, size_t n, unsigned char pick)
{
	const char *why = NULL;
	char ccam[8] = "";
	bool want = false;
	int rc = -1;

	switch (kind) {
	case 'C':
		rc = field_ccam(s, n, ccam, &why);
		want = n >= 7 && n <= 13 && shape(s, 7, "AAAA999");
		for (size_t i = 7; want && i < n; i++)
			want = s[i] == ' ';
		if (rc == 0)
			FUZZ_CHECK(strlen(ccam) == 7 && memcmp(ccam, s, 7) == 0, "CCAM out");
		break;
	case 'L': rc = field_lpp(s, n, &why); want = n == 7 && shape(s, 7, "9999999"); break;
	case 'f':
		rc = field_finess(s, n, &why);
		want = n == 9 && (shape(s, 9, "999999999") ||
				  (s[0] == '2' && (s[1] == 'A' || s[1] == 'B') && all_dig(s + 2, 7)));
		break;
	case 'a': rc = field_atc(s, n, &why); want = n >= 1 && shape(s, n, "A99AA99"); break;
	case 'g': rc = field_ghm(s, n, &why); want = n == 6 && shape(s, 6, "99A99X"); break;
	case 'i': {
		size_t max = pick % 40;
		rc = field_code(s, n, max, &why);
		want = n >= 1 && n <= max;
		for (size_t i = 0; want && i < n; i++)
			want = dig(s[i]) || upper(s[i]) || (s[i] >= 'a' && s[i] <= 'z');
		break;
	}
	}
	check_refusal(rc, why);
	FUZZ_CHECK((rc == 0) == want, "'%c' %s, reference %s", kind, rc ? "refused" : "accepted",
		   want ? "accepts" : "refuses");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s;
	size_t n;
	unsigned char pick;

	if (size < 1)
		return 0;
	pick = size > 1 ? data[1] : 0;
	s = (const char *)data + 1;
	n = size - 1;
	switch (data[0]) {
	case 'd': fuzz_date(s, n, false); break;
	case 'D': fuzz_date(s, n, true); break;
	case 'n': fuzz_nir(s, n); break;
	case 'c': fuzz_cip13(s, n); break;
	case 'b': case 'q': fuzz_numbers((char)data[0], s, n, 0); break;
	case 'l': if (n) fuzz_numbers('l', s + 1, n - 1, pick); break;
	case 'C': case 'L': case 'f': case 'a': case 'g': fuzz_codes((char)data[0], s, n, 0); break;
	case 'i': if (n) fuzz_codes('i', s + 1, n - 1, pick); break;
	}
	return 0;
}
