/*
 * tests/unit/unit.h — the Check suites of the unit test runner.
 *
 * Each tests/unit/check_<module>.c defines one `Suite *suite_<module>(void)`;
 * add it to SUITES below. SHARED (environment) points at ../shared when the
 * national files are there; tests that need them skip loudly otherwise.
 */
#ifndef DR_UNIT_H
#define DR_UNIT_H

#include <check.h>

#define SUITES(X) \
	X(err) \
	X(text) \
	X(buf) \
	X(num) \
	X(json) \
	X(summary) \
	X(csvr) \
	X(fields) \
	X(insc) \
	X(dossier_events) \
	X(lifecycle) \
	X(referentials) \
	X(cda) \
	X(build)

#define DECLARE_SUITE(name) Suite *suite_##name(void);
SUITES(DECLARE_SUITE)

/* Path of ../shared (or NULL when absent), and a loud notice when absent. */
const char *unit_shared_dir(void);

#endif
