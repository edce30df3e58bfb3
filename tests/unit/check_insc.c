/*
 * tests/unit/check_insc.c — INS-C: the README vector, every row of the two
 * ASIP samples in ../shared/insc (read at run time, never copied here), and
 * our own first-name normalisation vectors.
 *
 * Failure messages give row numbers, never the sample's names or NIRs.
 */
#include "tests/unit/unit.h"
#include "ingest/fields.h"
#include "ingest/insc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(readme_vector)
{
	char out[23], name[11];
	const char *why = NULL;

	ck_assert_int_eq(insc_prenom("Jean", 4, name), 0);
	ck_assert_str_eq(name, "JEAN      ");
	ck_assert_int_eq(insc_compute("Jean", 4, "500801", "1500815051040", out, &why), 0);
	ck_assert_str_eq(out, "1541187387477485562488");
	ck_assert(insc_valid(out, 22));
}
END_TEST

/* Splits line in place on ';' into at most max fields; returns the count. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ';') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

/*
 * Checks every data row of SHARED/insc/name (title_lines skipped; fields
 * prenom;AAMMJJ;NIR13;NIR key;INS-C 20 digits;INS-C key) and returns the
 * number of rows, or -1 when the file is absent (said loudly).
 */
static long check_sample(const char *name, int title_lines)
{
	const char *dir = unit_shared_dir();
	char path[4096], *line = NULL, *f[7], out[23], want[23], key[4];
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, rows = 0;
	FILE *in;

	if (dir == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/insc/%s", dir, name);
	in = fopen(path, "r");
	if (in == NULL) {
		fprintf(stderr, "NOTICE: %s not found: its rows are SKIPPED\n", path);
		return -1;
	}
	while ((len = getline(&line, &cap, in)) != -1) {
		const char *why = NULL;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (++lineno <= title_lines)
			continue;
		ck_assert_msg(split(line, f, 7) == 6, "%s line %ld: not 6 fields", name, lineno);
		snprintf(key, sizeof(key), "%02d", nir_key(f[2]));
		ck_assert_msg(strcmp(key, f[3]) == 0, "%s line %ld: NIR key differs", name, lineno);
		ck_assert_msg(insc_compute(f[0], strlen(f[0]), f[1], f[2], out, &why) == 0,
			      "%s line %ld: refused: %s", name, lineno, why);
		snprintf(want, sizeof(want), "%s%s", f[4], f[5]);
		ck_assert_msg(strcmp(out, want) == 0, "%s line %ld: INS-C differs", name, lineno);
		ck_assert_msg(insc_valid(out, 22), "%s line %ld: not valid", name, lineno);
		rows++;
	}
	free(line);
	fclose(in);
	return rows;
}

START_TEST(sample_rows)
{
	long rows = check_sample("insc_sample.csv", 1);

	if (rows >= 0)
		ck_assert_int_eq(rows, 195);
}
END_TEST

START_TEST(official_sample_rows)
{
	long rows = check_sample("insc_official_sample.csv", 2);

	if (rows >= 0)
		ck_assert_int_eq(rows, 14369);
}
END_TEST

static const char *norm(const char *s)
{
	static char out[11];

	insc_prenom(s, strlen(s), out);
	return out;
}

START_TEST(first_names)
{
	char out[11];

	ck_assert_str_eq(norm("Élodie"), "ELODIE    ");
	ck_assert_str_eq(norm("E\xCC\x81lodie"), "ELODIE    ");          /* decomposed É */
	ck_assert_str_eq(norm("Zoé"), "ZOE       ");
	ck_assert_str_eq(norm("Hélène"), "HELENE    ");
	ck_assert_str_eq(norm("Jean-François"), "JEANFRANCO");
	ck_assert_str_eq(norm("D'Artagnan"), "DARTAGNAN ");
	ck_assert_str_eq(norm("d’Artagnan"), "DARTAGNAN ");            /* typographic apostrophe */
	ck_assert_str_eq(norm("Marie Odile"), "MARIEODILE");
	ck_assert_str_eq(norm("Anne-Marie-Thérèse"), "ANNEMARIET");
	ck_assert_str_eq(norm("Al"), "AL        ");
	ck_assert_str_eq(norm("A"), "A         ");
	ck_assert_str_eq(norm("Œdipe"), "OEDIPE    ");
	ck_assert_str_eq(norm("cœur"), "COEUR     ");
	ck_assert_str_eq(norm("Lætitia"), "LAETITIA  ");
	ck_assert_str_eq(norm("Jürgen"), "JURGEN    ");
	ck_assert_str_eq(norm("Grüßgott"), "GRUSSGOTT ");
	ck_assert_str_eq(norm("Łukasz"), "LUKASZ    ");
	ck_assert_str_eq(norm("Ÿves ÿ"), "YVESY     ");
	ck_assert_str_eq(norm("Ñuño Çà"), "NUNOCA    ");
	ck_assert_str_eq(norm("Jean2"), "JEAN      ");
	ck_assert_str_eq(norm("Jean\xC3"), "JEAN      ");                 /* truncated UTF-8 */
	ck_assert_str_eq(norm("Ja\xE9n"), "JAN       ");                  /* CP1252 byte */
	ck_assert_str_eq(norm("Éléonore-Béatrice"), "ELEONOREBE");
	ck_assert_int_eq(insc_prenom("", 0, out), -1);
	ck_assert_str_eq(out, "          ");
	ck_assert_int_eq(insc_prenom(" - ' ", 5, out), -1);
	ck_assert_str_eq(out, "          ");
	ck_assert_int_eq(insc_prenom("Ω", strlen("Ω"), out), -1);
}
END_TEST

START_TEST(compute_and_refuse)
{
	char a[23], b[23];
	const char *why = NULL;

	/* the same normalised name gives the same INS-C */
	ck_assert_int_eq(insc_compute("Élodie", strlen("Élodie"), "500801", "1500815051040", a, &why), 0);
	ck_assert_int_eq(insc_compute("ELODIE", 6, "500801", "1500815051040", b, &why), 0);
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(a, "0734283624679227112718");
	/* lunar dates are taken as given */
	ck_assert_int_eq(insc_compute("JEAN", 4, "500231", "1500815051040", a, &why), 0);
	ck_assert_int_eq(insc_compute("JEAN", 4, "500000", "1500815051040", a, &why), 0);

	ck_assert_int_eq(insc_compute("JEAN", 4, "5008O1", "1500815051040", a, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(insc_compute("JEAN", 4, "50080", "1500815051040", a, &why), -1);
	ck_assert_int_eq(insc_compute("JEAN", 4, "500801", "150081505104", a, &why), -1);
	ck_assert_int_eq(insc_compute("JEAN", 4, "500801", "150082C051040", a, &why), -1);
}
END_TEST

START_TEST(valid_insc)
{
	ck_assert(insc_valid("1541187387477485562488", 22));
	ck_assert(!insc_valid("1541187387477485562487", 22));
	ck_assert(!insc_valid("1541187387477485562488", 21));
	ck_assert(!insc_valid("15411873874774855624880", 23));
	ck_assert(!insc_valid("154118738747748556248A", 22));
	ck_assert(!insc_valid("", 0));
	/* keys right, but the 20 digits exceed a 64-bit number */
	ck_assert(insc_valid("1844674407370955161537", 22));
	ck_assert(!insc_valid("9999999999999999999925", 22));
}
END_TEST

Suite *suite_insc(void)
{
	Suite *s = suite_create("insc");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);   /* 14,369 official rows under ASan */
	tcase_add_test(tc, readme_vector);
	tcase_add_test(tc, sample_rows);
	tcase_add_test(tc, official_sample_rows);
	tcase_add_test(tc, first_names);
	tcase_add_test(tc, compute_and_refuse);
	tcase_add_test(tc, valid_insc);
	suite_add_tcase(s, tc);
	return s;
}
