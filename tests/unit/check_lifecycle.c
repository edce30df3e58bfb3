/*
 * tests/unit/check_lifecycle.c — the lifecycle fold: transitions, refusals,
 * waiting events, ties. (That the order of arrival does not matter is the
 * database's sort: tests/cli/t0700-lifecycle.sh imports the same events in
 * different orders.)
 */
#include "tests/unit/unit.h"
#include "transform/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A history "EVENT@time EVENT@time ..." (times sort as text), folded in
 * timestamp order then rank, as the database hands it over. */
struct ev { enum lc_event e; char at[8]; };

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	int c = strcmp(x->at, y->at);
	return c ? c : lifecycle_rank(x->e) - lifecycle_rank(y->e);
}

/* Folds the history; writes each event's outcome letter (A applied, W
 * waiting, R refused) into out, in fold order. */
static struct lc_dossier fold(const char *history, char *out)
{
	struct ev evs[32];
	int n = 0;
	char buf[512], *save = NULL;
	struct lc_dossier d;

	snprintf(buf, sizeof(buf), "%s", history);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *at = strchr(tok, '@');
		ck_assert_ptr_nonnull(at);
		*at++ = '\0';
		int e = lifecycle_event(tok);
		ck_assert_int_ge(e, 0);
		evs[n].e = (enum lc_event)e;
		snprintf(evs[n].at, sizeof(evs[n].at), "%s", at);
		n++;
	}
	qsort(evs, (size_t)n, sizeof(evs[0]), cmp_ev);
	lifecycle_init(&d);
	for (int i = 0; i < n; i++) {
		const char *why = NULL;
		enum lc_outcome o = lifecycle_step(&d, evs[i].e, evs[i].at, &why);
		ck_assert(o == LC_APPLIED ? why == NULL : why != NULL);
		out[i] = o == LC_APPLIED ? 'A' : o == LC_WAITING ? 'W' : 'R';
	}
	out[n] = '\0';
	/* created_at / due_at point into evs (gone at return): keep their text */
	static char created[8], due[8];
	snprintf(created, sizeof(created), "%s", d.created_at ? d.created_at : "-");
	snprintf(due, sizeof(due), "%s", d.due_at ? d.due_at : "-");
	d.created_at = created;
	d.due_at = due;
	d.last_event_at = NULL;
	return d;
}

#define EXPECT(history, state_, opp, created_, due_, outcomes) do { \
	char o_[33]; \
	struct lc_dossier d_ = fold(history, o_); \
	ck_assert_str_eq(lifecycle_state_name(d_.state), state_); \
	ck_assert_int_eq(d_.opposition, opp); \
	ck_assert_str_eq(d_.created_at, created_); \
	ck_assert_str_eq(d_.due_at, due_); \
	ck_assert_str_eq(o_, outcomes); \
} while (0)

START_TEST(transitions)
{
	EXPECT("CREATION@01", "open", 0, "01", "01", "A");
	EXPECT("CREATION@01 FERMETURE@02", "closed", 0, "01", "01", "AA");
	EXPECT("CREATION@01 FERMETURE@02 REACTIVATION@03", "open", 0, "01", "03", "AAA");
	EXPECT("CREATION@01 DECES@02", "deceased", 0, "01", "01", "AA");
	EXPECT("CREATION@01 FERMETURE@02 DECES@03", "deceased", 0, "01", "01", "AAA");
	EXPECT("CREATION@01 OPPOSITION@02", "open", 1, "01", "01", "AA");
	EXPECT("CREATION@01 OPPOSITION@02 LEVEE_OPPOSITION@04", "open", 0, "01", "04", "AAA");
	EXPECT("CREATION@01 FERMETURE@02 OPPOSITION@03", "closed", 1, "01", "01", "AAA");
	EXPECT("CREATION@01 SUPPRESSION@02", "deleted", 0, "-", "-", "AA");
	EXPECT("CREATION@01 DECES@02 SUPPRESSION@03", "deleted", 0, "-", "-", "AAA");
}
END_TEST

START_TEST(refusals)
{
	/* reactivating a deceased person's dossier */
	EXPECT("CREATION@01 DECES@02 REACTIVATION@03", "deceased", 0, "01", "01", "AAR");
	/* anything after the deletion, even a new CREATION */
	EXPECT("CREATION@01 SUPPRESSION@02 CREATION@03 REACTIVATION@04", "deleted", 0, "-", "-", "AARR");
	EXPECT("CREATION@01 FERMETURE@02 FERMETURE@03", "closed", 0, "01", "01", "AAR");
	EXPECT("CREATION@01 REACTIVATION@02", "open", 0, "01", "01", "AR");
	EXPECT("CREATION@01 CREATION@02", "open", 0, "01", "01", "AR");
	EXPECT("CREATION@01 FERMETURE@02 CREATION@03", "closed", 0, "01", "01", "AAR");
	EXPECT("CREATION@01 LEVEE_OPPOSITION@02", "open", 0, "01", "01", "AR");
	EXPECT("CREATION@01 OPPOSITION@02 OPPOSITION@03", "open", 1, "01", "01", "AAR");
	/* deletion is honoured even without a CREATION */
	EXPECT("SUPPRESSION@02", "deleted", 0, "-", "-", "A");
}
END_TEST

START_TEST(waiting)
{
	/* a CREATION not arrived yet: the others wait, nothing is fed */
	EXPECT("FERMETURE@05", "unknown", 0, "-", "-", "W");
	EXPECT("REACTIVATION@05 OPPOSITION@06", "unknown", 0, "-", "-", "WW");
	/* when it arrives with an earlier time, the same events apply */
	EXPECT("REACTIVATION@05 OPPOSITION@06 CREATION@01", "open", 1, "01", "01", "ARA");
	/* arriving with a later time, the earlier events keep waiting */
	EXPECT("FERMETURE@05 CREATION@07", "open", 0, "07", "07", "WA");
}
END_TEST

START_TEST(same_instant)
{
	/* ties: CREATION before anything else, SUPPRESSION after everything */
	EXPECT("SUPPRESSION@01 FERMETURE@01 CREATION@01", "deleted", 0, "-", "-", "AAA");
	EXPECT("FERMETURE@01 CREATION@01", "closed", 0, "01", "01", "AA");
	EXPECT("OPPOSITION@02 LEVEE_OPPOSITION@02 CREATION@01", "open", 1, "01", "01", "ARA");
}
END_TEST

START_TEST(names)
{
	for (int e = 0; e < LC_EVENTS; e++)
		ck_assert_int_eq(lifecycle_event(lifecycle_event_name((enum lc_event)e)), e);
	ck_assert_int_eq(lifecycle_event("OUVERTURE"), -1);
	ck_assert_int_lt(lifecycle_rank(LC_CREATION), lifecycle_rank(LC_SUPPRESSION));
}
END_TEST

Suite *suite_lifecycle(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *t = tcase_create("fold");

	tcase_add_test(t, transitions);
	tcase_add_test(t, refusals);
	tcase_add_test(t, waiting);
	tcase_add_test(t, same_instant);
	tcase_add_test(t, names);
	suite_add_tcase(s, t);
	return s;
}
