/*
 * tests/unit/check_dossier_events.c — header, line and timestamp checks of
 * dossier event files, and the line splitter they use.
 */
#include "tests/unit/unit.h"
#include "ingest/dossier_events.h"
#include "lib/lines.h"

#include <string.h>

static int ts(const char *s)
{
	const char *why = NULL;
	int rc = dossier_events_timestamp(s, strlen(s), &why);

	ck_assert(rc == 0 || why != NULL);
	return rc;
}

START_TEST(timestamps)
{
	ck_assert_int_eq(ts("2026-11-16T09:00:00+01:00"), 0);
	ck_assert_int_eq(ts("2026-11-16T09:00:00Z"), 0);
	ck_assert_int_eq(ts("2026-11-16T09:00:00.5Z"), 0);
	ck_assert_int_eq(ts("2026-11-16T09:00:00.123456-03:30"), 0);
	ck_assert_int_eq(ts("2024-02-29T23:59:59+14:00"), 0);
	ck_assert_int_eq(ts("2026-11-16T09:00:00"), -1);          /* no offset */
	ck_assert_int_eq(ts("2026-11-16 09:00:00+01:00"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00z"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00+0100"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00+01"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00+15:00"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00+01:60"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00.Z"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00.1234567Z"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:00ZZ"), -1);
	ck_assert_int_eq(ts("2023-02-29T09:00:00Z"), -1);
	ck_assert_int_eq(ts("2026-13-01T09:00:00Z"), -1);
	ck_assert_int_eq(ts("2026-11-16T24:00:00Z"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:60:00Z"), -1);
	ck_assert_int_eq(ts("2026-11-16T09:00:60Z"), -1);
	ck_assert_int_eq(ts("2026-11-6T09:00:00Z"), -1);
	ck_assert_int_eq(ts("16/11/2026T09:00:00Z"), -1);
	ck_assert_int_eq(ts(""), -1);
}
END_TEST

START_TEST(lines_of_a_file)
{
	static const char header[] = "INS_C;EVENEMENT;HORODATAGE";
	struct dossier_event ev;
	const char *column, *why;
	char line[128];

	ck_assert_int_eq(dossier_events_header(header, strlen(header)), 0);
	ck_assert_int_eq(dossier_events_header("INS_C;EVENEMENT", 15), -1);
	ck_assert_int_eq(dossier_events_header("ins_c;evenement;horodatage", 26), -1);

	strcpy(line, "1541187387477485562488;CREATION;2026-11-16T09:00:00+01:00");
	ck_assert_int_eq(dossier_events_parse(line, strlen(line), &ev, &column, &why), 0);
	ck_assert_str_eq(ev.ins_c, "1541187387477485562488");
	ck_assert_str_eq(ev.evenement, "CREATION");
	ck_assert_str_eq(ev.horodatage, "2026-11-16T09:00:00+01:00");

	strcpy(line, "1541187387477485562487;CREATION;2026-11-16T09:00:00+01:00");
	ck_assert_int_eq(dossier_events_parse(line, strlen(line), &ev, &column, &why), -1);
	ck_assert_str_eq(column, "INS_C");
	ck_assert_ptr_null(strstr(why, "1541"));
	strcpy(line, "1541187387477485562488;creation;2026-11-16T09:00:00+01:00");
	ck_assert_int_eq(dossier_events_parse(line, strlen(line), &ev, &column, &why), -1);
	ck_assert_str_eq(column, "EVENEMENT");
	strcpy(line, "1541187387477485562488;LEVEE_OPPOSITION;");
	ck_assert_int_eq(dossier_events_parse(line, strlen(line), &ev, &column, &why), -1);
	ck_assert_str_eq(column, "HORODATAGE");
	strcpy(line, "1541187387477485562488;DECES;2026-11-16T09:00:00Z;x");
	ck_assert_int_eq(dossier_events_parse(line, strlen(line), &ev, &column, &why), -1);
	ck_assert_ptr_null(column);
}
END_TEST

START_TEST(split)
{
	struct lines_field f[3];

	ck_assert_uint_eq(lines_split("a;bc;", 5, ';', f, 3), 3);
	ck_assert_uint_eq(f[0].n, 1);
	ck_assert_uint_eq(f[1].n, 2);
	ck_assert_int_eq(strncmp(f[1].s, "bc", 2), 0);
	ck_assert_uint_eq(f[2].n, 0);
	ck_assert_uint_eq(lines_split("", 0, ';', f, 3), 1);
	ck_assert_uint_eq(lines_split("a;b;c;d;e", 9, ';', f, 3), 5);
	ck_assert_int_eq(strncmp(f[2].s, "c", 1), 0);
	ck_assert_uint_eq(f[2].n, 1);
}
END_TEST

Suite *suite_dossier_events(void)
{
	Suite *s = suite_create("dossier_events");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, timestamps);
	tcase_add_test(tc, lines_of_a_file);
	tcase_add_test(tc, split);
	suite_add_tcase(s, tc);
	return s;
}
