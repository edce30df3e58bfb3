/*
 * tests/unit/unit_main.c — runs every Check suite listed in unit.h.
 */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *unit_shared_dir(void)
{
	static char path[4096];
	const char *env = getenv("SHARED");
	struct stat st;

	snprintf(path, sizeof(path), "%s", env && *env ? env : "../shared");
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "NOTICE: %s not found: tests that need ../shared are SKIPPED\n", path);
		return NULL;
	}
	return path;
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define ADD_SUITE(name) srunner_add_suite(sr, suite_##name());
	SUITES(ADD_SUITE)
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
