#!/bin/sh
# tests/cli/t1115-citus-small-counts.sh — the small-count rule of the
# analysts' views (t0815: no count from 1 to 9 shown, differencing, order,
# the weekly history) on the Citus cluster: the same script, its database
# made by citus_db (test-lib.sh, TEST_ON_CITUS).
TEST_ON_CITUS=1 exec sh "$TOP/tests/cli/t0815-small-counts.sh"
