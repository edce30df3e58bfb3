/*
 * tests/unit/check_err.c — the error message buffer, its context frames and
 * hint, and exit statuses.
 */
#include "tests/unit/unit.h"
#include "lib/err.h"

#include <pthread.h>
#include <stdio.h>
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

/* Raises msg as a refusal and checks what the thread's message became. */
#define SAYS(msg, want) \
	do { \
		dr_error(DR_E_DATA, "%s", (msg)); \
		ck_assert_str_eq(dr_errmsg(), (want)); \
	} while (0)

/* A reader registers its position once; each error below reads it then. */
START_TEST(frame_names_the_current_line)
{
	long line = 0;
	struct dr_errline at;

	dr_errclear();
	dr_errline_push(&at, "manifest.csv", &line);
	SAYS("no record yet", "no record yet");
	line = 5;
	SAYS("LIGNES is not a whole number", "manifest.csv line 5: LIGNES is not a whole number");
	line = 12;
	SAYS("ENCODAGE must be UTF-8 or CP1252", "manifest.csv line 12: ENCODAGE must be UTF-8 or CP1252");
	dr_errctx_pop(&at.ctx);
	SAYS("after the reader", "after the reader");
}
END_TEST

/* Frames prefix outer to inner; a wrap does not name a position twice. */
START_TEST(frames_nest_outer_to_inner)
{
	long long batch = 12, chunk = 0;
	long line = 8;
	struct dr_errstep b, c;
	struct dr_errline at;

	dr_errstep_push(&b, "batch", &batch);
	dr_errstep_push(&c, "chunk", &chunk);
	dr_errline_push(&at, "PHA.csv", &line);
	SAYS("staging row too large", "batch 12: PHA.csv line 8: staging row too large");
	dr_error(DR_E_RETRY, "writing: %s", dr_errmsg());
	ck_assert_str_eq(dr_errmsg(), "writing: batch 12: PHA.csv line 8: staging row too large");
	chunk = 3;
	SAYS("PHA.csv line 8: by hand", "batch 12: chunk 3: PHA.csv line 8: by hand");
	/* "line 8" is not "line 80" */
	SAYS("PHA.csv line 80: another", "batch 12: chunk 3: PHA.csv line 8: PHA.csv line 80: another");
	dr_errctx_pop(&at.ctx);
	dr_errctx_pop(&c.ctx);
	dr_errctx_pop(&b.ctx);
	SAYS("none", "none");
}
END_TEST

/* Popping a frame drops those pushed after it (an early return that
 * forgot its own pop cannot leave a dead frame behind an outer one). */
START_TEST(pop_drops_the_frames_above)
{
	long long batch = 4, lane = 2;
	struct dr_errstep b, l;

	dr_errstep_push(&b, "batch", &batch);
	dr_errstep_push(&l, "lane", &lane);
	SAYS("x", "batch 4: lane 2: x");
	dr_errctx_pop(&l.ctx);
	SAYS("y", "batch 4: y");
	dr_errstep_push(&l, "lane", &lane);
	dr_errctx_pop(&b.ctx);
	SAYS("z", "z");
}
END_TEST

struct thread_case {
	const char *name;
	long line;
	int rounds;
	int wrong;
};

static void *thread_errors(void *arg)
{
	struct thread_case *t = arg;
	struct dr_errline at;
	char want[128];

	dr_errline_push(&at, t->name, &t->line);
	for (int i = 1; i <= t->rounds; i++) {
		t->line = i;
		dr_error(DR_E_DATA, "bad");
		snprintf(want, sizeof(want), "%s line %d: bad", t->name, i);
		t->wrong += strcmp(dr_errmsg(), want) != 0;
	}
	dr_errctx_pop(&at.ctx);
	return NULL;
}

/* Each thread has its own frames and message: OpenMP workers reading
 * different files never name each other's position. */
START_TEST(frames_are_per_thread)
{
	struct thread_case a = { "a.csv", 0, 20000, 0 }, b = { "b.csv", 0, 20000, 0 };
	long main_line = 7;
	struct dr_errline at;
	pthread_t ta, tb;

	dr_errline_push(&at, "main.csv", &main_line);
	ck_assert_int_eq(pthread_create(&ta, NULL, thread_errors, &a), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, thread_errors, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	dr_error(DR_E_DATA, "mine");
	dr_errctx_pop(&at.ctx);
	ck_assert_int_eq(a.wrong, 0);
	ck_assert_int_eq(b.wrong, 0);
	ck_assert_str_eq(dr_errmsg(), "main.csv line 7: mine");
}
END_TEST

/* Frames and message together stay within the buffer, frames first. */
START_TEST(context_is_cut_with_the_message)
{
	char name[600], big[3000];
	long line = 3;
	struct dr_errline at;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dr_errline_push(&at, name, &line);
	dr_error(DR_E_DATA, "%s", big);
	dr_errctx_pop(&at.ctx);
	ck_assert_uint_lt(strlen(dr_errmsg()), DR_ERRMSG_MAX);
	/* one frame says at most DR_ERRCTX_MAX - 1 bytes */
	ck_assert_uint_eq(strspn(dr_errmsg(), "n"), DR_ERRCTX_MAX - 1);
	ck_assert(strncmp(dr_errmsg() + DR_ERRCTX_MAX - 1, ": xxx", 5) == 0);
}
END_TEST

/* A control character in a name of a frame is escaped, as in messages. */
START_TEST(context_is_escaped)
{
	long line = 2;
	struct dr_errline at;

	dr_errline_push(&at, "a\nb.csv", &line);
	dr_error(DR_E_DATA, "bad");
	dr_errctx_pop(&at.ctx);
	ck_assert_str_eq(dr_errmsg(), "a\\nb.csv line 2: bad");
}
END_TEST

/* The hint is separate; a new message drops it, a wrap keeps it. */
START_TEST(hint_goes_with_its_message)
{
	dr_errclear();
	ck_assert_str_eq(dr_errhint(), "");
	ck_assert_int_eq(dr_hint(dr_error(DR_E_USAGE, "--chunk must be a whole number"),
				 "see 'dmpremb %s --help'", "feed"), DR_E_USAGE);
	ck_assert_str_eq(dr_errmsg(), "--chunk must be a whole number");
	ck_assert_str_eq(dr_errhint(), "see 'dmpremb feed --help'");
	dr_error(DR_E_USAGE, "options: %s", dr_errmsg());
	ck_assert_str_eq(dr_errhint(), "see 'dmpremb feed --help'");
	dr_error(DR_E_IO, "another failure");
	ck_assert_str_eq(dr_errhint(), "");
	dr_hint(dr_error(DR_E_RETRY, "locked"), "run it later");
	dr_errclear();
	ck_assert_str_eq(dr_errmsg(), "");
	ck_assert_str_eq(dr_errhint(), "");
}
END_TEST

struct saved_case {
	struct dr_errsaved saved;
};

static void *fail_in_thread(void *arg)
{
	struct saved_case *t = arg;
	long line = 3;
	struct dr_errline at;

	dr_errline_push(&at, "e.csv", &line);
	dr_hint(dr_error(DR_E_RETRY, "connection lost"), "run the command again");
	dr_errctx_pop(&at.ctx);
	dr_errsave(&t->saved);
	return NULL;
}

/* A worker's failure, reported by the thread that waits for it: the
 * message keeps its position and gains the reporter's, the hint stays. */
START_TEST(saved_message_crosses_threads)
{
	struct saved_case t;
	long long lane = 2;
	struct dr_errstep at;
	pthread_t th;

	dr_errclear();
	ck_assert_int_eq(pthread_create(&th, NULL, fail_in_thread, &t), 0);
	pthread_join(th, NULL);
	ck_assert_str_eq(dr_errmsg(), "");
	dr_errstep_push(&at, "lane", &lane);
	dr_error(DR_E_IO, "meanwhile");
	ck_assert_int_eq(dr_errrestore(DR_E_RETRY, &t.saved), DR_E_RETRY);
	dr_errctx_pop(&at.ctx);
	ck_assert_str_eq(dr_errmsg(), "lane 2: e.csv line 3: connection lost");
	ck_assert_str_eq(dr_errhint(), "run the command again");
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
	tcase_add_test(t, frame_names_the_current_line);
	tcase_add_test(t, frames_nest_outer_to_inner);
	tcase_add_test(t, pop_drops_the_frames_above);
	tcase_add_test(t, frames_are_per_thread);
	tcase_add_test(t, context_is_cut_with_the_message);
	tcase_add_test(t, context_is_escaped);
	tcase_add_test(t, hint_goes_with_its_message);
	tcase_add_test(t, saved_message_crosses_threads);
	tcase_add_test(t, exit_codes);
	suite_add_tcase(s, t);
	return s;
}
