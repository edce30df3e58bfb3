#!/bin/sh
# tests/cli/t1010-bench-smoke.sh — `make bench` must not rot: bench/run.sh at
# a tiny size (40 persons, and its 10x point: 400) completes, its table has
# every row of docs/bench.md, and bench.csv and bench.json parse. No timing,
# rate or goal is asserted: the figures of so small a run mean nothing.
# pgloader is used when installed, never installed here. The bench builds and
# measures the release binary bin/dmpremb itself (in its own private cluster),
# so under the ASan pass of make test this script is skipped.
. "$TESTLIB"

if [ "$(basename "$DMPREMB_UNDER_TEST")" != dmpremb ]; then
	skip "bench smoke run" "$(basename "$DMPREMB_UNDER_TEST") under test: the bench measures the release build only"
	finish
	exit
fi

out=$TMP/bench
check "bench/run.sh completes at 40 persons, with its 10x point" \
	env BENCH_PERSONS=40 BENCH_SCALE10=1 BENCH_PGLOADER=use BENCH_OUT="$out" BENCH_PGPORT=$((PGPORT + 42)) BENCH_CITUS_PORT=$((PGPORT + 43)) \
	SHARED="$SHARED" "$TOP/bench/run.sh"
cp "$TMP/out" "$TMP/table"

# every row of the table, in the issue's order: "stage | what | ..."
rows='ingest|vs COPY
ingest|vs pgloader
parse|per core
parse|vs libcsv alone
render|per core (--jobs 1)
feed|vs pure-SQL feed
feed|vs COPY of the documents
scaling|feed --jobs 2 / --jobs 1
concurrency|two feeds at once / one feed (one node)
concurrency|two feeds at once / one feed (Citus)
citus|ingest vs one node
citus|feed --jobs 2 vs one node
memory|ingest peak RSS, 1x -> 10x
memory|feed peak RSS, 1x -> 10x
storage|per document
deletion|dossiers vacuum after 1 % deleted'
printf '%s\n' "$rows" >"$TMP/rows.want"
sed -n 's/^\([a-z]*\) *| \([^|]*[^ |]\) *|.*/\1|\2/p' "$TMP/table" | grep -v '^stage|' >"$TMP/rows.got"
check "the table has every row, in order" cmp -s "$TMP/rows.want" "$TMP/rows.got"
check_grep "the table is followed by the national projection" '^National projection' "$TMP/table"
check_grep "the projection gives the cores of the 6-hour night" 'cores to fit a 6-hour night' "$TMP/table"

check "bench.csv parses: the same rows, a known 'met' in each" python3 - "$out/bench.csv" "$TMP/rows.want" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
want = [l.rstrip('\n').split('|') for l in open(sys.argv[2])]
assert [[r['stage'], r['what']] for r in rows] == want, rows
for r in rows:
    assert r['met'] in ('yes', 'no', 'not measured', 'report', 'yes (lz4)', 'no (not lz4)'), r
    for k in ('value', 'baseline_value', 'ratio'):
        if r[k] != '':
            float(r[k])
EOF
check "bench.json parses: rows, measures and the projection" python3 - "$out/bench.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert len(j['rows']) == 16, len(j['rows'])
assert j['measures']['persons'] == 40
assert j['projection']['weekly_refresh_core_hours'] > 0
assert j['projection']['first_feeds_cores_72h'] >= 1
EOF
# a NIR has 13 characters, an INS-C 22 digits: no run of 13 digits is printed
check "no identifier in the output" sh -c '! grep -Eq "[0-9]{13}" "$1" "$2" "$3"' - "$TMP/table" "$TMP/err" "$out/bench.json"

finish
