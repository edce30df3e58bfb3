#!/bin/sh
# tests/cli/t1140-citus-render-audit.sh — t0850 on the Citus cluster: render
# recorded by the database before anything is read, refused for what the feed
# would not feed, the audit readable by ops and rewritable by no role, each
# probed through psql; the same script, its database made by citus_db
# (test-lib.sh, TEST_ON_CITUS).
TEST_ON_CITUS=1 exec sh "$TOP/tests/cli/t0850-render-audit.sh"
