#!/bin/sh
# bench/feed-scale.sh — feed throughput: documents/s and claim lines/s by threads.
#
#   bench/feed-scale.sh [PERSONS] [JOBS ...]     (default: 10000, then 1 2)
#
# fixtures/gen writes one batch of PERSONS persons (mean 200 claim lines, long
# tail; referentials from $SHARED/referentials, by default ../shared, when
# present, else fixtures/referentials) with a CREATION event each; it is ingested once into
# a private cluster. Then, for each JOBS value, the documents are removed, the dossiers made due
# again, and `feed --jobs JOBS` builds and stores all of them again, as of the batch's
# as-of. Prints documents/s, claim lines/s, XML MB/s and peak RSS (from the
# feed.done log line) and the ratio to the first JOBS value, measured in the
# same run. Not a test: nothing is asserted. Results: bench/results/feed-scale.csv.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. bench/lib.sh
make -s bin/dmpremb
persons=${1:-10000}
[ $# -gt 0 ] && shift
jobs=${*:-1 2}
bench_refs
bench_cluster 55434 dmpremb-bench
export PGDATABASE=dmpremb_bench
createdb "$PGDATABASE"
bin/dmpremb db migrate >/dev/null 2>&1
bin/dmpremb referentials load --snds "$refs/snds" --bdpm "$refs/bdpm" >/dev/null 2>&1
fixtures/gen --persons "$persons" --seed 42 --referentials "$refs" --out "$work/batch" \
	--as-of 2026-11-15 --events "$work/events" 2>/dev/null
bin/dmpremb ingest "$work/batch" --quiet >/dev/null 2>&1
bin/dmpremb dossiers import "$work/events" >/dev/null 2>&1
psql -X -q -c "VACUUM ANALYZE" >/dev/null

mkdir -p bench/results
out=bench/results/feed-scale.csv
echo "persons,jobs,documents,claim_lines,seconds,fetch_s,render_s,store_s,docs_per_s,lines_per_s,xml_mb_per_s,max_rss_kb" >"$out"

printf '%-8s %-5s %10s %11s %9s %20s %8s %10s %9s %8s %6s\n' persons jobs documents lines seconds "read/render/store s" docs/s lines/s "XML MB/s" "RSS MB" ratio
base=
for j in $jobs; do
	reset_documents
	bin/dmpremb feed --as-of 2026-11-15T10:00:00+01:00 --jobs "$j" --quiet >/dev/null 2>"$work/log"
	docs=$(efield feed.done documents "$work/log"); lines=$(efield feed.done lines "$work/log")
	secs=$(efield feed.done seconds "$work/log"); bytes=$(efield feed.done bytes "$work/log")
	rss=$(efield feed.done max_rss_kb "$work/log")
	phases="$(efield feed.done fetch_s "$work/log")/$(efield feed.done render_s "$work/log")/$(efield feed.done store_s "$work/log")"
	dps=$(awk -v n="$docs" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
	lps=$(awk -v n="$lines" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
	mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", b / s / 1e6}')
	[ -n "$base" ] || base=$dps
	ratio=$(awk -v a="$dps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
	printf '%-8s %-5s %10s %11s %9s %20s %8s %10s %9s %8s %6s\n' "$persons" "$j" "$docs" "$lines" "$secs" "$phases" "$dps" "$lps" "$mbs" "$((rss / 1024))" "$ratio"
	echo "$persons,$j,$docs,$lines,$secs,$(echo "$phases" | tr / ,),$dps,$lps,$mbs,$rss" >>"$out"
done
echo "(ratio: documents/s against the first run; results in $out)"
