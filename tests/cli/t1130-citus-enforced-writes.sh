#!/bin/sh
# tests/cli/t1130-citus-enforced-writes.sh — t0830 (the database refuses what
# the mission forbids, to any client: documents only into feedable dossiers as
# their next version with the server's digest, lifecycle writes only by the
# events role's fold, runs written only by their own session) on the Citus
# cluster: the same script, its database made by citus_db (TEST_ON_CITUS).
TEST_ON_CITUS=1 exec sh "$TOP/tests/cli/t0830-enforced-writes.sh"
