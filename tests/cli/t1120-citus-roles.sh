#!/bin/sh
# tests/cli/t1120-citus-roles.sh — the role matrix of t0800 (each role can do
# exactly what it should, every forbidden action fails with 42501, probed
# through psql as a login holding one role) on the Citus cluster: the same
# script, its databases made by citus_db (test-lib.sh, TEST_ON_CITUS).
TEST_ON_CITUS=1 exec sh "$TOP/tests/cli/t0800-roles.sh"
