#!/bin/sh
# tests/memcheck.sh [BIN] — what `make memcheck` runs: valgrind memcheck over
# a small scenario of the release binary (default bin/dmpremb): db migrate,
# referentials load, ingest fixtures/batch-demo, dossiers import, feed, render,
# and insc, against a private cluster (tests/pgcluster.sh, port
# PGCLUSTER_PORT, default 55491) in a temporary directory, stopped and removed
# at the end. Any memcheck error or definite/possible leak fails the step
# (--error-exitcode=1 --leak-check=full); tests/memcheck.supp holds the only
# suppressions, each for a library outside our code. Logs: build/memcheck/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$(dirname "${1:-$top/bin/dmpremb}")" && pwd)/$(basename "${1:-bin/dmpremb}")
fx=$top/fixtures
logs=$top/build/memcheck
export PGCLUSTER_PORT=${PGCLUSTER_PORT:-55491}
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap '"$top/tests/pgcluster.sh" stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
rm -rf "$logs"; mkdir -p "$logs"
"$top/tests/pgcluster.sh" start "$tmp/pg" >/dev/null || exit 69
. "$tmp/pg/env"

pass=0; fail=0
# step NAME EXPECTED_EXIT ARGS... — one command under memcheck
step() {
	name=$1; want=$2; shift 2
	valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
		--suppressions="$top/tests/memcheck.supp" --num-callers=30 --log-file="$logs/$name.log" \
		"$bin" "$@" >"$logs/$name.out" 2>&1 <"${STDIN:-/dev/null}"
	rc=$?
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$logs/$name.log" | tail -1)
	if [ "$rc" = 99 ] || [ "${errs:-x}" != 0 ]; then
		fail=$((fail + 1)); echo "memcheck $name: ${errs:-?} errors (exit $rc), see build/memcheck/$name.log"
	elif [ "$rc" != "$want" ]; then
		fail=$((fail + 1)); echo "memcheck $name: exit $rc, expected $want, see build/memcheck/$name.out"
	else
		pass=$((pass + 1)); echo "memcheck $name: clean"
	fi
}

step migrate 0 db migrate
step referentials 0 referentials load --snds "$fx/referentials/snds" --bdpm "$fx/referentials/bdpm"
step ingest 0 ingest "$fx/batch-demo" --max-reject-ratio 0.5 --jobs 2
step dossiers 0 dossiers import "$fx/dossiers.csv"
step feed 0 feed --as-of 2026-11-16T12:00:00+01:00 --jobs 2
ins_c=$(psql -X -At -c 'SELECT ins_c FROM dmpremb.document LIMIT 1')
step render 0 render "$ins_c" --as-of 2026-11-16T12:00:00+01:00
step status 0 status --as-of 2026-11-16T12:00:00+01:00
printf 'jean;850712;1850775123456\n' >"$tmp/insc.in"
STDIN=$tmp/insc.in step insc 0 insc
echo "memcheck: $pass clean, $fail failed"
[ "$fail" = 0 ]
