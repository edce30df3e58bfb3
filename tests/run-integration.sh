#!/bin/sh
# tests/run-integration.sh — runs tests/cli/tNNNN-*.sh against a real PostgreSQL.
#
#   DMPREMB=bin/dmpremb tests/run-integration.sh [tNNNN ...]
#
# Starts a private cluster in a temporary directory (tests/pgcluster.sh), runs
# every script (or those named) with that cluster in PG* variables, and always
# stops the cluster and removes the directory, even on failure or Ctrl-C
# (KEEP_TMP=1 keeps the scratch files, e.g. a test's diff, for a look).
# Last line: "integration: N passed, N failed, N skipped".
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
DMPREMB_UNDER_TEST=${DMPREMB:-$top/bin/dmpremb}
# every command runs under a login holding only its role (not the superuser)
DMPREMB=$top/tests/tools/dmpremb-as-role
SHARED=${SHARED:-$top/../shared}
export DMPREMB DMPREMB_UNDER_TEST SHARED
export FIXTURES="${FIXTURES:-$top/fixtures}"
export TESTLIB="$top/tests/test-lib.sh"
export TOP="$top"

work=$(mktemp -d /tmp/dmpremb-test.XXXXXX)
chmod 755 "$work"
cleanup() {
	"$top/tests/pgcluster.sh" stop "$work/pg" >/dev/null 2>&1
	[ ! -d "$work/citus" ] || "$top/tests/citus-cluster.sh" stop "$work/citus" >/dev/null 2>&1
	if [ "${KEEP_TMP:-}" = 1 ]; then
		echo "KEEP_TMP=1: scratch files kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PGCLUSTER_PORT=${PGCLUSTER_PORT:-55432} "$top/tests/pgcluster.sh" start "$work/pg" >/dev/null || exit 1
. "$work/pg/env"
# the Citus cluster (coordinator + 2 workers) is started by the first test
# that asks for it (test-lib.sh citus_db), here, and stopped with the rest
export CITUS_DIR="$work/citus"

if [ ! -d "$SHARED" ]; then
	echo "NOTICE: $SHARED not found: tests that need the national referentials, the INS-C"
	echo "NOTICE: official rows or cda-validate are SKIPPED. CI has ../shared beside the clone."
fi

pass=0; fail=0; skipped=0; failed_scripts=""
if [ $# -gt 0 ]; then
	scripts=""
	for t in "$@"; do scripts="$scripts $(ls "$top"/tests/cli/"$t"*.sh)"; done
else
	scripts=$(ls "$top"/tests/cli/t[0-9]*.sh)
fi
for s in $scripts; do
	TMP="$work/tmp.$(basename "$s" .sh)"
	mkdir -p "$TMP"
	chmod 777 "$TMP"
	export TMP
	sh "$s" >"$work/log" 2>&1
	status=$?
	cat "$work/log"
	line=$(grep '^# .*passed' "$work/log" | tail -1)
	p=$(echo "$line" | sed -n 's/.* \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	k=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skipped=$((skipped + ${k:-0}))
	if [ "$status" != 0 ] || [ -z "$line" ]; then
		[ "${f:-0}" = 0 ] && fail=$((fail + 1)) && echo "not ok - $(basename "$s"): script ended abnormally (status $status)"
		failed_scripts="$failed_scripts $(basename "$s")"
	fi
done
echo "integration ($(basename "$DMPREMB_UNDER_TEST")): $pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
