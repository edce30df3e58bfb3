/*
 * tests/unit/check_referentials.c — the SNDS and BDPM readers on small
 * synthetic files written to a temporary directory: quoting, line breaks in
 * fields, CP1252, stray tabs, mixed line ends, chunk boundaries, and the
 * errors that must name file, line and column.
 */
#include "tests/unit/unit.h"
#include "lib/lines.h"
#include "ingest/referentials.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/sha256.h"
#include "lib/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the callback saw: one "line:v1|v2|...\n" per row, NULL as \N. */
struct seen {
	const struct ref_spec *spec;
	struct buf out;
};

static int collect(void *arg, const char *const *values, long line)
{
	struct seen *s = arg;

	buf_printf(&s->out, "%ld:", line);
	for (int i = 0; i < s->spec->ncols; i++)
		buf_printf(&s->out, "%s%s", i ? "|" : "", values[i] ? values[i] : "\\N");
	return buf_putc(&s->out, '\n');
}

static char tmpdir[64];

static void setup(void)
{
	dr_log_setup(DR_LOG_TEXT, DR_LOG_ERROR);   /* the repair warnings are expected */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_ref.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Writes n bytes as tmpdir/name and returns its path (static storage). */
static const char *write_file(const char *name, const char *data, size_t n)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

/*
 * Reads data as the known file `name` of source; returns ref_read's code.
 * s->out holds the rows; *c the counts.
 */
static int read_as(enum ref_source source, const char *name, const char *data, size_t n,
		   struct seen *s, struct ref_counts *c)
{
	s->spec = ref_spec_find(source, name);
	ck_assert_ptr_nonnull(s->spec);
	buf_init(&s->out, 1 << 24);
	buf_puts(&s->out, "");
	dr_errclear();
	return ref_read(s->spec, write_file(name, data, n), collect, s, c);
}

/* Inputs each reader must accept: the rows it hands out and its counts. */
static const struct acceptance {
	const char *what;
	enum ref_source source;
	const char *file, *input, *rows;
	int records, skipped, repaired;
} accepted[] = {
	{ "header in another order with an extra column, every field quoted, labels"
	  " and a code holding line breaks (CRLF too), blanks at the ends",
	  REF_SNDS, "IR_CCAM_V63.csv",
	  "\"CAM_PRS_RGT\";\"CAM_PRS_IDE_LIB\";\"EXTRA\";\"CAM_PRS_IDE_COD\"\n"
	  "\"ATM\";\"Électromyographie \";\"01JAN1996:00:00:00\";\"AHQP001\"\n"
	  "\"ATM\";\"Pose d'une couronne \n  Avec ou sans \"\"céramique\"\"\";\"\";\"HBLD318\"\n"
	  "\"ACO\";\"Supplément (F)\r\n\";\"x;y\";\"YYYY603\n[F]\"\n"
	  "\"NA\";\"deux  espaces\tet tab\";\"\";\"AAAA001\"\n",
	  "2:AHQP001|Électromyographie|ATM\n"
	  "3:HBLD318|Pose d'une couronne Avec ou sans \"céramique\"|ATM\n"
	  "5:YYYY603|Supplément (F)|ACO\n"
	  "8:AAAA001|deux  espaces et tab|NA\n", 4, 0, 1 },
	{ "a BOM, inner spaces of a code kept, a blank line, no final line end",
	  REF_SNDS, "IR_ACT_COD.csv",
	  "\xEF\xBB\xBF" "ACT_COD;ACT_COD_LIB\n\"A   F\";\" férié \"\n\nA;x",
	  "2:A   F|férié\n4:A|x\n", 2, 0, 0 },
	{ "leading zeros of an int dropped, an empty label is NULL, an empty code skips",
	  REF_SNDS, "IR_BIO_R.csv",
	  "BIO_PRS_IDE;BIO_GRP_LIB;BIO_INF_LIB\n0514;;DOSAGE\n;G;SANS CODE\n7;G;X\n",
	  "2:514|DOSAGE|\\N\n4:7|X|G\n", 3, 1, 0 },
	{ "CP1252 é and ’, literal quotes, a leading blank, CRLF, trailing empty fields",
	  REF_BDPM, "CIS_bdpm.txt",
	  "61876780\tABACAVIR 300 mg, comprim\xE9 \"A\" l\x92" "enfant\tcomprim\xE9\torale\t"
	  "Autorisation active\tProc\xE9" "dure nationale\tCommercialis\xE9" "e\t22/10/2019\t\t\t"
	  " ARROW\tNon\r\n"
	  "60000001\t\"DEUX\"\tx\tx\tx\tx\tx\tx\tx\tx\tx\tx\t\t\r\n",
	  "1:61876780|ABACAVIR 300 mg, comprimé \"A\" l’enfant\n2:60000001|\"DEUX\"\n", 2, 0, 0 },
	{ "LF, CRLF, CR and a blank line mixed, no final line end",
	  REF_BDPM, "CIS_CIP_bdpm.txt",
	  "1\t1234567\tlib a\ts\te\td\t3400000000011\too\t65%\t\t\t\t\n"
	  "4\t\tlib b\ts\te\td\t3400000000028\too\t65%\t\t\t\t\r\n"
	  "6\t\tlib c\ts\te\td\t3400000000035\too\t65%\t\t\t\t\r"
	  "\r\n"
	  "8\t\tlib d\ts\te\td\t3400000000042\too\t65%\t\t\t\tindic",
	  "1:3400000000011|1|1234567|lib a\n2:3400000000028|4|\\N|lib b\n"
	  "3:3400000000035|6|\\N|lib c\n5:3400000000042|8|\\N|lib d\n", 4, 0, 0 },
	{ "stray empty fields after the substance name dropped",
	  REF_BDPM, "CIS_COMPO_bdpm.txt",
	  "68285029\tgranules\t02500\tMERCURIUS POUR PR\xC9PARATIONS\t\t\t\t4CH \xE0 30CH\tune gomme\tSA\t14\t\r\n"
	  "68285029\tgranules\t02501\tAUTRE\t1 mg\tune gomme\tFT\t14\t\r\n",
	  "1:68285029|granules|02500|MERCURIUS POUR PRÉPARATIONS|4CH à 30CH|SA|14\n"
	  "2:68285029|granules|02501|AUTRE|1 mg|FT|14\n", 2, 0, 1 },
};

START_TEST(accepted_rows_and_counts)
{
	const struct acceptance *a = &accepted[_i];
	size_t n = strlen(a->input);
	unsigned char d[32];
	char hex[65];
	struct seen s;
	struct ref_counts c;

	ck_assert_msg(read_as(a->source, a->file, a->input, n, &s, &c) == 0, "%s: %s", a->what, dr_errmsg());
	ck_assert_msg(strcmp(s.out.data, a->rows) == 0, "%s: got\n%s", a->what, s.out.data);
	ck_assert_int_eq(c.records, a->records);
	ck_assert_int_eq(c.skipped, a->skipped);
	ck_assert_int_eq(c.repaired, a->repaired);
	ck_assert_int_eq(c.bytes, (long long)n);
	sha256_once(a->input, n, d);
	text_hex(d, 32, hex);
	ck_assert_str_eq(c.sha256, hex);
	buf_free(&s.out);
}
END_TEST

/* Inputs each reader must refuse, and what the message must say. */
static const struct refusal {
	enum ref_source source;
	const char *file, *input, *message;
} refusals[] = {
	{ REF_SNDS, "IR_CCAM_V63.csv", "CAM_PRS_IDE_COD;CAM_PRS_IDE_LIB\nAHQP001;x\n",
	  "IR_CCAM_V63.csv line 1, column CAM_PRS_RGT: missing from the header" },
	{ REF_SNDS, "IR_SPE_V.csv", "PFS_SPE_COD;PFS_SPE_LIB;PFS_SPE_POS\n1;A;1\n2;B;1;C\n",
	  "IR_SPE_V.csv line 3: 4 fields where the header has 3" },
	{ REF_SNDS, "IR_SPE_V.csv", "PFS_SPE_COD;PFS_SPE_LIB;PFS_SPE_POS\n1;A;1\n\n2x;B;1\n",
	  "line 4, column PFS_SPE_COD: not a whole number" },
	{ REF_SNDS, "IR_SPE_V.csv", "PFS_SPE_COD;PFS_SPE_LIB;PFS_SPE_POS\n3000000000;A;1\n",
	  "line 2, column PFS_SPE_COD: not a whole number" },
	/* a quote inside an unquoted field (libcsv strict mode) */
	{ REF_SNDS, "IR_SPE_V.csv", "PFS_SPE_COD;PFS_SPE_LIB;PFS_SPE_POS\n1;A \"B\";1\n",
	  "line 2, column PFS_SPE_LIB: malformed quoting" },
	{ REF_SNDS, "IR_SPE_V.csv", "PFS_SPE_COD;PFS_SPE_LIB;PFS_SPE_POS\n1;\"A;1\n2;B;1\n",
	  "line 2: a quoted field is not closed" },
	/* a CP1252 é in a UTF-8 file */
	{ REF_SNDS, "IR_SPE_V.csv", "PFS_SPE_COD;PFS_SPE_LIB;PFS_SPE_POS\n1;caf\xE9;1\n",
	  "line 2, column PFS_SPE_LIB: invalid UTF-8" },
	{ REF_SNDS, "IR_SPE_V.csv", "PFS_SPE_COD;PFS_SPE_LIB;PFS_SPE_POS;PFS_SPE_COD\n",
	  "line 1, column PFS_SPE_COD: named twice in the header" },
	{ REF_SNDS, "IR_SPE_V.csv", "", "no header line" },
	/* surplus fields that are not empty cannot be repaired */
	{ REF_BDPM, "CIS_COMPO_bdpm.txt", "1\te\t2\tS\t1 mg\tun\tSA\t1\t\n1\te\t2\tS\tX\t1 mg\tun\tSA\t1\t\n",
	  "CIS_COMPO_bdpm.txt line 2: 9 fields, 8 expected" },
	/* a short line names the first missing column */
	{ REF_BDPM, "CIS_COMPO_bdpm.txt", "1\te\t2\tS\t1 mg\r\n",
	  "line 1, column reference_dosage: missing (5 fields, 8 expected)" },
	{ REF_BDPM, "CIS_CIP_bdpm.txt", "1\t1234567\tl\ts\te\td\t340000000001\too\t65%\t\t\t\t\n",
	  "line 1, column code_cip13: not 13 digits" },
	{ REF_BDPM, "CIS_bdpm.txt", "6O000001\tX\tx\tx\tx\tx\tx\tx\tx\tx\tx\tx\n",
	  "line 1, column code_cis: not a string of digits" },
};

static int count_of(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

START_TEST(refused_with_line_and_column)
{
	const struct refusal *r = &refusals[_i];
	struct seen s;
	struct ref_counts c;

	ck_assert_int_eq(read_as(r->source, r->file, r->input, strlen(r->input), &s, &c), DR_E_DATA);
	ck_assert_msg(strstr(dr_errmsg(), r->message) != NULL, "'%s' lacks '%s'", dr_errmsg(), r->message);
	/* the position is said once, and the reader's frame is gone with it */
	ck_assert_msg(count_of(dr_errmsg(), " line ") <= 1, "position said twice: '%s'", dr_errmsg());
	dr_error(DR_E_DATA, "after the reader");
	ck_assert_str_eq(dr_errmsg(), "after the reader");
	buf_free(&s.out);
}
END_TEST

START_TEST(lines_across_chunks)
{
	/* CRLF split across the chunk boundary, and a line longer than a chunk */
	size_t n = 3 * LINES_CHUNK;
	char *data = malloc(n);
	struct lines r;
	long lines = 0, longest = 0;

	ck_assert_ptr_nonnull(data);
	memset(data, 'x', n);
	data[LINES_CHUNK - 1] = '\r';
	data[LINES_CHUNK] = '\n';
	data[LINES_CHUNK + 10] = '\n';
	data[n - 1] = '\r';
	ck_assert_int_eq(lines_open(&r, write_file("lines.txt", data, n), n, LINES_REFUSE), 0);
	while (lines_next(&r) == 1) {
		lines++;
		if ((long)r.len > longest)
			longest = (long)r.len;
		ck_assert(memchr(r.text, '\r', r.len) == NULL && memchr(r.text, '\n', r.len) == NULL);
	}
	ck_assert_int_eq(lines, 3);
	ck_assert_int_eq(r.lineno, 3);
	ck_assert_int_eq(longest, (long)(n - 1 - (LINES_CHUNK + 11)));
	ck_assert_int_eq(r.bytes, (long long)n);
	lines_close(&r, NULL);
	free(data);
}
END_TEST

START_TEST(missing_file)
{
	struct seen s = { .spec = ref_spec_find(REF_SNDS, "NT_LPP.csv") };
	struct ref_counts c;

	buf_init(&s.out, 1024);
	ck_assert_int_eq(ref_read(s.spec, "/nonexistent/NT_LPP.csv", collect, &s, &c), DR_E_NOINPUT);
	ck_assert_ptr_null(ref_spec_find(REF_BDPM, "NT_LPP.csv"));
	ck_assert_ptr_null(ref_spec_find(REF_SNDS, "IR_CCAM_V64.csv"));
	buf_free(&s.out);
}
END_TEST

START_TEST(long_line_cut_and_the_next_intact)
{
	/* LINES_CUT: a line over max (here also across a chunk boundary) comes
	 * back cut and flagged; the line after it is whole; CR alone ends a line */
	size_t n = LINES_CHUNK + 100;
	char *data = malloc(n);
	struct lines r;

	ck_assert_ptr_nonnull(data);
	memset(data, 'y', n);
	memcpy(data, "ab\r", 3);
	data[n - 6] = '\n';
	memcpy(data + n - 5, "tail\n", 5);
	ck_assert_int_eq(lines_open(&r, write_file("cut.txt", data, n), 100, LINES_CUT), 0);
	ck_assert_int_eq(lines_next(&r), 1);
	ck_assert_int_eq((int)r.len, 2);
	ck_assert(!r.too_long);
	ck_assert_int_eq(lines_next(&r), 1);
	ck_assert(r.too_long);
	ck_assert_int_eq((int)r.len, 100);
	ck_assert_int_eq(lines_next(&r), 1);
	ck_assert(!r.too_long);
	ck_assert_int_eq((int)r.len, 4);
	ck_assert_int_eq(memcmp(r.text, "tail", 4), 0);
	ck_assert_int_eq(r.lineno, 3);
	ck_assert_int_eq(lines_next(&r), 0);
	lines_close(&r, NULL);
	/* the same file refused when long lines are not tolerated */
	ck_assert_int_eq(lines_open(&r, write_file("cut.txt", data, n), 100, LINES_REFUSE), 0);
	ck_assert_int_eq(lines_next(&r), 1);
	ck_assert_int_eq(lines_next(&r), DR_E_DATA);
	lines_close(&r, NULL);
	free(data);
}
END_TEST

Suite *suite_referentials(void)
{
	Suite *s = suite_create("referentials");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, accepted_rows_and_counts, 0,
			    (int)(sizeof(accepted) / sizeof(accepted[0])));
	tcase_add_loop_test(tc, refused_with_line_and_column, 0,
			    (int)(sizeof(refusals) / sizeof(refusals[0])));
	tcase_add_test(tc, lines_across_chunks);
	tcase_add_test(tc, long_line_cut_and_the_next_intact);
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}
