#!/bin/sh
# bench/ingest-scale.sh — ingest throughput and peak memory as the batch grows.
#
#   bench/ingest-scale.sh [PERSONS ...]     (default: 2500 5000 10000)
#
# For each size: fixtures/gen writes a deterministic batch (referentials from
# $SHARED/referentials, by default ../shared, when present, else fixtures/referentials), then
#   - `ingest --dry-run` measures parsing + validation alone (no database);
#   - `ingest` into a fresh database of a private cluster measures the whole
#     path (manifest, parse, COPY, merge, commit).
# Prints lines/s, MB/s and peak RSS (getrusage, from the command's closing log
# line); memory should stay flat as the batch grows. Not a test: no timing is
# asserted anywhere. Results also go to bench/results/ingest-scale.csv.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. bench/lib.sh
make -s bin/dmpremb
sizes=${*:-2500 5000 10000}
bench_refs
bench_cluster 55433 dmpremb-bench
mkdir -p bench/results
out=bench/results/ingest-scale.csv
echo "persons,claim_lines,bytes,mode,seconds,lines_per_s,mb_per_s,max_rss_kb" >"$out"

printf '%-8s %-11s %-8s %-8s %12s %8s %12s\n' persons lines MB mode lines/s MB/s "peak RSS MB"
for p in $sizes; do
	b="$work/batch-$p"
	fixtures/gen --persons "$p" --seed 42 --referentials "$refs" --out "$b" 2>/dev/null
	lines=$(claim_lines "$b")
	bytes=$(csv_bytes "$b")
	for mode in dry-run ingest; do
		dropdb --if-exists dmpremb_bench >/dev/null 2>&1; createdb dmpremb_bench
		if [ "$mode" = ingest ]; then
			PGDATABASE=dmpremb_bench bin/dmpremb db migrate >/dev/null 2>&1
			PGDATABASE=dmpremb_bench bin/dmpremb ingest "$b" --quiet >/dev/null 2>"$work/log"
		else
			bin/dmpremb ingest "$b" --dry-run --quiet >/dev/null 2>"$work/log"
		fi
		secs=$(efield ingest.done seconds "$work/log"); rss=$(efield ingest.done max_rss_kb "$work/log")
		all=$(efield ingest.done read "$work/log")
		rate=$(awk -v n="$all" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')
		mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", (s > 0 ? b / s / 1e6 : 0)}')
		printf '%-8s %-11s %-8s %-8s %12s %8s %12s\n' "$p" "$lines" "$((bytes / 1000000))" "$mode" "$rate" "$mbs" "$((rss / 1024))"
		echo "$p,$lines,$bytes,$mode,$secs,$rate,$mbs,$rss" >>"$out"
	done
	rm -rf "$b"
done
echo "(lines/s counts every line read, all files; results in $out)"
