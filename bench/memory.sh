#!/bin/sh
# bench/memory.sh — peak memory of every stage as the input grows (issue 6).
#
#   bench/memory.sh
#     MEM_SIZES="1000000 10000000"   claim lines of the growing scenarios
#                                    (fixtures/gen, mean 200 lines a person;
#                                    "": none, only the one-person one)
#     MEM_SINGLE=100000              claim lines of the one-person scenario
#                                    (0: skip it)
#     MEM_QUICK=1                    smoke run (a minute or two): MEM_SIZES=
#                                    "100000 400000", MEM_SINGLE=5000 (the
#                                    smaller size still fills feed's chunks
#                                    of 200 dossiers)
#     MEM_JOBS=N                     --jobs of ingest and feed (default: cores)
#
# Each scenario gets a deterministic batch with one CREATION event a person,
# a fresh database in a private cluster (referentials from $SHARED/referentials,
# by default ../shared, when present, else fixtures/referentials), then:
#   dry-run    ingest --dry-run: parse and validate, no database
#   ingest     ingest into the fresh database
#   feed       dossiers import, then feed: the first document of every dossier
#   backfill   backfill --all half an hour later: every document again
#   render     (one-person scenario only) feed --dry-run: builds and renders
#              the document, stores nothing — its cost even when storing fails
# Peak RSS is the command's own getrusage() figure (max_rss_kb in its closing
# log line, the same number /usr/bin/time -f %M prints); the PostgreSQL
# server is not counted. Seconds are wall-clock around the command. A stage
# that fails keeps its row (its closing log line still has max_rss_kb), is
# marked with its exit status, and the scenario goes on; the messages are
# printed after the table.
#
# Prints one table and, per stage, the ratio of peak RSS largest/smallest size:
# "flat" within 10 %, "grows" otherwise. Not a test: nothing is asserted.
# Results: bench/results/memory.csv. Each scenario's batch and database are
# removed before the next; the free space of the temporary directory is checked
# first and the run stops cleanly (exit 75) when it is short.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "${MEM_QUICK:-0}" = 1 ]; then
	sizes=${MEM_SIZES-100000 400000}; single=${MEM_SINGLE:-5000}
else
	sizes=${MEM_SIZES-1000000 10000000}; single=${MEM_SINGLE:-100000}
fi
jobs=${MEM_JOBS:-}
. bench/lib.sh
make -s bin/dmpremb
bench_refs
echo "referentials: $refs"
df -h "${TMPDIR:-/tmp}"
bench_cluster 55481 dmpremb-mem
export PGDATABASE=dmpremb_mem
mkdir -p bench/results
out=bench/results/memory.csv
echo "scenario,stage,persons,claim_lines,input_bytes,seconds,max_rss_kb,documents,xml_bytes,db_bytes,exit" >"$out"
notes="$work/notes"
: >"$notes"

as_of=2026-11-15                          # fixtures/gen's window end; events from 08:00 that day
feed_at=2026-11-15T23:00:00+01:00         # after the last event (50,000 persons: 21:53)
backfill_at=2026-11-15T23:30:00+01:00     # later than feed_at: every dossier again
opt_jobs=${jobs:+--jobs $jobs}

db_bytes() { psql -X -At -c "SELECT pg_database_size(current_database())"; }
free_kb() { df -Pk "$work" | awk 'NR == 2 {print $4}'; }

row() {   # scenario stage persons lines bytes seconds rss_kb docs xml db (and $rc of run)
	printf '%-10s %-9s %11s %9s %8s %10s %7s %s\n' "$1" "$2" "$4" "$(mb "$5")" "$6" "$(mb $(($7 * 1024)))" \
		"${10:+$(mb "${10}")}" "$([ "$rc" = 0 ] || echo "exit $rc")"
	echo "$1,$2,$3,$4,$5,$6,$7,$8,$9,${10},$rc" >>"$out"
}

run() {   # SCENARIO STAGE COMMAND...: runs it into $work/log, sets secs and rc
	sc=$1; st=$2; shift 2
	t=$(now)
	rc=0
	"$@" >"$work/log.out" 2>"$work/log" || rc=$?
	secs=$(awk -v a="$t" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
	[ "$rc" = 0 ] || echo "  $sc $st: exit $rc: $(tail -1 "$work/log")" >>"$notes"
	if [ -z "$(field max_rss_kb "$work/log")" ]; then
		echo "memory.sh: '$*' ended (exit $rc) without its closing log line:" >&2
		tail -5 "$work/log" >&2
		exit 70
	fi
}

scenario() {   # NAME PERSONS [gen options...]
	name=$1; persons=$2; shift 2
	b="$work/batch"; ev="$work/events.csv"
	t=$(now)
	fixtures/gen --persons "$persons" --seed 42 --referentials "$refs" --out "$b" --as-of "$as_of" \
		--events "$ev" "$@" 2>"$work/gen.log"
	gen_s=$(awk -v a="$t" -v b="$(now)" 'BEGIN {printf "%.0f", b - a}')
	lines=$(claim_lines "$b")
	bytes=$(csv_bytes "$b")
	echo "  ($name: $persons persons, $lines claim lines, $(mb "$bytes") MB of CSV, generated in ${gen_s} s)" >&2
	# events are one a second from 08:00; feed_at is 15 h later
	[ "$persons" -le 54000 ] || echo "  ($name: the events of persons after the 54,000th" \
		"come after $feed_at: feed leaves them out)" >&2

	run "$name" dry-run bin/dmpremb ingest "$b" --dry-run --quiet $opt_jobs
	row "$name" dry-run "$persons" "$lines" "$bytes" "$secs" "$(field max_rss_kb "$work/log")" "" "" ""

	dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1
	createdb "$PGDATABASE"
	bin/dmpremb db migrate >/dev/null 2>&1
	bin/dmpremb referentials load --snds "$refs/snds" --bdpm "$refs/bdpm" >/dev/null 2>&1
	run "$name" ingest bin/dmpremb ingest "$b" --quiet $opt_jobs
	row "$name" ingest "$persons" "$lines" "$bytes" "$secs" "$(field max_rss_kb "$work/log")" "" "" "$(db_bytes)"
	rm -rf "$b"

	bin/dmpremb dossiers import "$ev" >/dev/null 2>&1
	rm -f "$ev"
	psql -X -q -c "VACUUM ANALYZE" >/dev/null
	if [ "$persons" = 1 ]; then
		run "$name" render bin/dmpremb feed --as-of "$feed_at" --dry-run --quiet $opt_jobs
		row "$name" render "$persons" "$lines" "$bytes" "$secs" "$(field max_rss_kb "$work/log")" \
			"$(field documents "$work/log")" "$(field bytes "$work/log")" ""
	fi
	run "$name" feed bin/dmpremb feed --as-of "$feed_at" --quiet $opt_jobs
	row "$name" feed "$persons" "$lines" "$bytes" "$secs" "$(field max_rss_kb "$work/log")" \
		"$(field documents "$work/log")" "$(field bytes "$work/log")" "$(db_bytes)"
	run "$name" backfill bin/dmpremb backfill --all --as-of "$backfill_at" --quiet $opt_jobs
	row "$name" backfill "$persons" "$lines" "$bytes" "$secs" "$(field max_rss_kb "$work/log")" \
		"$(field documents "$work/log")" "$(field bytes "$work/log")" "$(db_bytes)"
	dropdb "$PGDATABASE"
}

enough_disk() {   # LINES: KB needed. Measured: 125 bytes of CSV a line, and
	# after the backfill (two versions of every document) the database takes
	# about 730 bytes a line; 1000 bytes a line, plus 2 GB for the WAL
	need=$(($1 * 1000 / 1024 + 2 * 1048576))
	have=$(free_kb)
	[ "$have" -ge "$need" ] && return 0
	echo "memory.sh: disk short in $work: a scenario of $1 lines needs about $((need / 1048576 + 1)) GB," \
		"$((have / 1048576)) GB free; stopping here" >&2
	return 1
}

printf '%-10s %-9s %11s %9s %8s %10s %7s\n' scenario stage "claim lines" "input MB" seconds "peak RSS MB" "DB MB"
rc=0
stopped=
for n in $sizes; do
	enough_disk "$n" || { stopped=1; break; }
	scenario "$n" $(((n + 199) / 200))
done
if [ -z "$stopped" ] && [ "$single" -gt 0 ]; then
	if enough_disk "$single"; then
		scenario "1x$single" 1 --lines-per-person "$single"
	else
		stopped=1
	fi
fi

if [ -s "$notes" ]; then
	echo
	echo "stages that failed (their peak RSS is still the command's own):"
	cat "$notes"
fi
small=${sizes%% *}; large=${sizes##* }
if [ "$small" != "$large" ]; then
	echo
	echo "peak RSS, $large / $small lines (flat: within 10 %):"
	awk -F, -v s="$small" -v l="$large" '
		NR > 1 && $1 == s {a[$2] = $7}
		NR > 1 && $1 == l {b[$2] = $7; order[++n] = $2}
		END {
			for (i = 1; i <= n; i++) {
				k = order[i]
				if (!(k in a) || a[k] == 0) continue
				r = b[k] / a[k]
				printf "  %-9s %6.2f  %s\n", k, r, (r <= 1.10 ? "flat" : "grows")
			}
		}' "$out"
fi
echo "(results in $out)"
[ -z "$stopped" ] || exit 75
