#!/bin/sh
# bench/ingest-scale.sh — ingest throughput and peak memory as the batch grows.
#
#   bench/ingest-scale.sh [PERSONS ...]     (default: 2500 5000 10000)
#
# For each size: fixtures/gen writes a deterministic batch (referentials from
# ../shared/referentials when present, else fixtures/referentials), then
#   - `ingest --dry-run` measures parsing + validation alone (no database);
#   - `ingest` into a fresh database of a private cluster measures the whole
#     path (manifest, parse, COPY, merge, commit).
# Prints lines/s, MB/s and peak RSS (getrusage, from the command's closing log
# line); memory should stay flat as the batch grows. Not a test: no timing is
# asserted anywhere. Results also go to bench/results/ingest-scale.csv.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s bin/dmpremb
sizes=${*:-2500 5000 10000}
refs="$top/../shared/referentials"
[ -d "$refs/snds" ] || refs="$top/fixtures/referentials"
work=$(mktemp -d /tmp/dmpremb-bench.XXXXXX)
chmod 755 "$work"
trap 'tests/pgcluster.sh stop "$work/pg" >/dev/null 2>&1; rm -rf "$work"' EXIT
PGCLUSTER_PORT=55433 tests/pgcluster.sh start "$work/pg" >/dev/null
. "$work/pg/env"
mkdir -p bench/results
out=bench/results/ingest-scale.csv
echo "persons,claim_lines,bytes,mode,seconds,lines_per_s,mb_per_s,max_rss_kb" >"$out"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2" | tail -1; }

printf '%-8s %-11s %-8s %-8s %12s %8s %12s\n' persons lines MB mode lines/s MB/s "peak RSS MB"
for p in $sizes; do
	b="$work/batch-$p"
	fixtures/gen --persons "$p" --seed 42 --referentials "$refs" --out "$b" 2>/dev/null
	lines=$(awk -F';' 'NR > 1 && $1 ~ /^(pharmacie|actes|radiologie|biologie)/ {s += $2} END {print s}' "$b/manifest.csv")
	bytes=$(cat "$b"/*.csv | wc -c)
	for mode in dry-run ingest; do
		dropdb --if-exists dmpremb_bench >/dev/null 2>&1; createdb dmpremb_bench
		if [ "$mode" = ingest ]; then
			PGDATABASE=dmpremb_bench bin/dmpremb db migrate >/dev/null 2>&1
			PGDATABASE=dmpremb_bench bin/dmpremb ingest "$b" --quiet >/dev/null 2>"$work/log"
		else
			bin/dmpremb ingest "$b" --dry-run --quiet >/dev/null 2>"$work/log"
		fi
		secs=$(field seconds "$work/log"); rss=$(field max_rss_kb "$work/log")
		all=$(field read "$work/log")
		rate=$(awk -v n="$all" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')
		mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", (s > 0 ? b / s / 1e6 : 0)}')
		printf '%-8s %-11s %-8s %-8s %12s %8s %12s\n' "$p" "$lines" "$((bytes / 1000000))" "$mode" "$rate" "$mbs" "$((rss / 1024))"
		echo "$p,$lines,$bytes,$mode,$secs,$rate,$mbs,$rss" >>"$out"
	done
	rm -rf "$b"
done
echo "(lines/s counts every line read, all files; results in $out)"
