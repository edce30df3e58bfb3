#!/bin/bash
# bench/run.sh — `make bench`: every stage of dmpremb against its baseline,
# measured in the same run, in one table (docs/bench.md says how and why).
#
#   bench/run.sh          (make bench builds bin/dmpremb and the libcsv
#                          baseline first; this script also does)
#
# Variables:
#   BENCH_PERSONS=1000    persons of the batch (fixtures/gen, seed 42, mean 200
#                         claim lines a person, long tail): about 200,000 claim
#                         lines; the whole run takes 4 to 8 minutes on this
#                         2-core machine, depending on what else runs on it
#   BENCH_SCALE10=1       also the 10x point of the memory rows (a second batch
#                         of 10 x BENCH_PERSONS, ingested and fed); 0: skip it
#   BENCH_OUT=bench/results   where bench.csv and bench.json go
#   BENCH_PGPORT=55472    port of the private cluster (a Unix socket only)
#   BENCH_PGLOADER=install    install: apt-get install pgloader when missing
#                         (root, or sudo without a password); use: only if
#                         installed; 0: skip. A row not measured says why.
#   BENCH_SQL_FEED=bench/sql_feed.sql   the pure-SQL feed (bench.sql_feed(as-of))
#   BENCH_SQL_FEED_TIMEOUT=300   seconds it may take
#   SHARED=../shared      where referentials/ is looked for (else fixtures/)
#
# Prints the table and the national projection on stdout, progress on
# stderr. Nothing is asserted: a goal not met is printed as not met, and the
# exit status is 0 unless a measurement could not be made at all.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. bench/lib.sh
. bench/report.sh

persons=${BENCH_PERSONS:-1000}
scale10=${BENCH_SCALE10:-1}
out=${BENCH_OUT:-$top/bench/results}
pgloader_mode=${BENCH_PGLOADER:-install}
sql_feed=${BENCH_SQL_FEED:-bench/sql_feed.sql}
sql_timeout=${BENCH_SQL_FEED_TIMEOUT:-300}
gen_as_of=2026-11-15          # fixtures/gen's window end; its events start at 08:00 that day

make -s bin/dmpremb build/bench/csv_baseline
bench_refs
bench_cluster "${BENCH_PGPORT:-55472}" dmpremb-bench
export PGDATABASE=dmpremb_bench PGOPTIONS="-c client_min_messages=warning"
mkdir -p "$out"
: >"$work/rows.tsv"
: >"$work/measures"
: >"$work/notes"
t_start=$(now)
load_start=$(cut -d' ' -f1 /proc/loadavg)

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 70; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# CPU seconds used so far by the cluster: the postmaster, its live children
# (checkpointer, WAL writer...) and the children it has reaped (the backends
# of finished connections, autovacuum workers).
cpu_off=0
server_cpu() {
	[ "$cpu_off" = 0 ] || { echo 0; return; }
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$(head -1 "$work/pg/data/postmaster.pid")" \
		-v hz="$(getconf CLK_TCK)" '
		{ pid = $1; sub(/^.*\) /, "") }      # now $2 = ppid, $12..$15 = utime stime cutime cstime
		pid == pm { t += $12 + $13 + $14 + $15 }
		$2 == pm { t += $12 + $13 }
		END { printf "%.2f", t / hz }'
}

# timed NAME CMD...: runs CMD, stdout to $work/NAME.out, stderr to $work/NAME.log.
# Sets rc, wall (s), cpu_c (CMD's user + system s, children included) and
# cpu_s (the cluster's), and records them as NAME.wall, NAME.cpu_client, NAME.cpu_server.
timed() {
	local name=$1 s0 u s
	shift
	s0=$(server_cpu)
	rc=0
	{ TIMEFORMAT='%3R %3U %3S'; time "$@" >"$work/$name.out" 2>"$work/$name.log" || rc=$?; } 2>"$work/$name.time"
	sleep 0.2       # the backend's exit, reaped by the postmaster
	read -r wall u s <"$work/$name.time"
	cpu_c=$(calc "$u + $s")
	cpu_s=$(calc "$(server_cpu) - $s0")
	measure "$name.wall" "$wall"; measure "$name.cpu_client" "$cpu_c"; measure "$name.cpu_server" "$cpu_s"
	[ "$rc" = 0 ] || measure "$name.exit" "$rc"
}

# best3 NAME CMD...: timed three times (for sub-second commands, whose CPU
# time one run measures poorly); cpu_c is the smallest of the three
best3() {
	local best='' _
	for _ in 1 2 3; do
		timed "$@"
		must "$1"
		if [ -z "$best" ] || awk -v a="$cpu_c" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$cpu_c; fi
	done
	cpu_c=$best
	measure "$1.cpu_best" "$best"
}

# must NAME: the timed command NAME succeeded, or the run stops with its log
must() {
	[ "$rc" = 0 ] && return 0
	tail -5 "$work/$1.log" >&2
	die "$1 failed (exit $rc)"
}

# the feed's as-of: after the last CREATION event of N persons (one a second from 08:00)
feed_as_of() {
	TZ=Europe/Paris date -d "@$(($(date -d "${gen_as_of}T08:00:00+01:00" +%s) + $1 + 60))" +%Y-%m-%dT%H:%M:%S%:z
}

new_db() {
	dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1
	createdb "$PGDATABASE"
	bin/dmpremb db migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
	bin/dmpremb referentials load --snds "$refs/snds" --bdpm "$refs/bdpm" >"$work/refs.log" 2>&1 ||
		{ tail -5 "$work/refs.log" >&2; die "referentials load failed"; }
}

generate() {   # DIR EVENTS PERSONS
	fixtures/gen --persons "$3" --seed 42 --referentials "$refs" --out "$1" --as-of "$gen_as_of" \
		--events "$2" 2>"$work/gen.log" || { cat "$work/gen.log" >&2; die "fixtures/gen failed"; }
}

# ---- the batch -------------------------------------------------------------
batch=$work/batch
say "generating $persons persons (referentials: $refs)"
generate "$batch" "$work/events.csv" "$persons"
lines=$(claim_lines "$batch")
bytes=$(csv_bytes "$batch")
data_lines=$(awk -F';' 'NR > 1 {s += $2} END {print s + 0}' "$batch/manifest.csv")
as_of=$(feed_as_of "$persons")
measure persons "$persons"; measure claim_lines "$lines"; measure csv_bytes "$bytes"
measure data_lines "$data_lines"; measure as_of "$as_of"; measure referentials "$refs"
say "$lines claim lines, $(mb "$bytes") MiB of CSV; feed as of $as_of"

# ---- parse: ingest --dry-run against libcsv alone ---------------------------
say "parse: ingest --dry-run --jobs 1, libcsv alone (best of 3 each)"
best3 dryrun bin/dmpremb ingest "$batch" --dry-run --jobs 1 --quiet
parse_cpu=$cpu_c
measure dryrun.seconds "$(efield ingest.done seconds "$work/dryrun.log")"
measure dryrun.max_rss_kb "$(efield ingest.done max_rss_kb "$work/dryrun.log")"
# shellcheck disable=SC2046  # one argument per file
best3 libcsv build/bench/csv_baseline $(batch_files "$batch")
libcsv_cpu=$cpu_c
libcsv_records=$(field records "$work/libcsv.out")
[ "$libcsv_records" = "$((data_lines + $(batch_files "$batch" | wc -l)))" ] ||
	note "libcsv counted $libcsv_records records, the manifest $data_lines lines and their headers"
# shellcheck disable=SC2046
best3 sha256 sha256sum $(batch_files "$batch")
note "ingest --dry-run checks every file's SHA-256 (sha256sum alone: $(fmt2 "$cpu_c") CPU s of $(fmt2 "$parse_cpu"))"

parse_rate=$(div "$lines" "$parse_cpu")
libcsv_rate=$(div "$lines" "$libcsv_cpu")
row parse "per core" "$(fmt_int "$parse_rate") lines/s, $(fmt1 "$(div "$bytes" "$parse_cpu" 1e6)") MB/s" \
	"$parse_rate" "claim lines/s/core" "" "" "$(div "$parse_rate" 1e6)" ">= 1 M lines/s/core" \
	"$(met_ge "$parse_rate" 1000000)"
row parse "vs libcsv alone" "$(fmt_int "$parse_rate") lines/s/core" "$parse_rate" "claim lines/s/core" \
	"libcsv: $(fmt_int "$libcsv_rate") lines/s/core" "$libcsv_rate" "$(div "$parse_rate" "$libcsv_rate")" \
	">= 0.5 x libcsv" "$(met_ge "$(div "$parse_rate" "$libcsv_rate")" 0.5)"

# ---- ingest, then COPY of the same rows into the same table -----------------
new_db
say "ingest into a fresh database"
q -c CHECKPOINT
timed ingest bin/dmpremb ingest "$batch" --quiet
must ingest
ingest_s=$(efield ingest.done seconds "$work/ingest.log")
rss_ingest_1x=$(efield ingest.done max_rss_kb "$work/ingest.log")
measure ingest.seconds "$ingest_s"; measure ingest.max_rss_kb "$rss_ingest_1x"
measure ingest.analytics_s "$(efield analytics.refresh seconds "$work/ingest.log")"
ingest_rate=$(div "$lines" "$ingest_s")
ingest_mbs=$(div "$bytes" "$ingest_s" 1e6)

say "COPY baseline: claim_line dumped, truncated, copied back"
rows_before=$(q -c "SELECT count(*) FROM dmpremb.claim_line")
q -c "\\copy (SELECT * FROM dmpremb.claim_line) TO '$work/claims.bin' (FORMAT binary)"
q -c "TRUNCATE dmpremb.claim_line" -c CHECKPOINT
timed copy_claims psql -X -q -v ON_ERROR_STOP=1 -c "\\copy dmpremb.claim_line FROM '$work/claims.bin' (FORMAT binary)"
must copy_claims
[ "$(q -c "SELECT count(*) FROM dmpremb.claim_line")" = "$rows_before" ] || die "the COPY baseline lost rows"
rm -f "$work/claims.bin"
copy_rate=$(div "$rows_before" "$wall")
[ "$rows_before" = "$lines" ] || note "claim_line holds $rows_before rows for $lines claim lines"
row ingest "vs COPY" "$(fmt_int "$ingest_rate") lines/s, $(fmt1 "$ingest_mbs") MB/s" "$ingest_rate" "claim lines/s" \
	"COPY: $(fmt_int "$copy_rate") lines/s" "$copy_rate" "$(div "$ingest_rate" "$copy_rate")" ">= 0.8 x COPY" \
	"$(met_ge "$(div "$ingest_rate" "$copy_rate")" 0.8)"

# ---- ingest against pgloader ------------------------------------------------
have_pgloader() {
	command -v pgloader >/dev/null 2>&1 && return 0
	[ "$pgloader_mode" = install ] || return 1
	local sudo=
	[ "$(id -u)" = 0 ] || sudo="sudo -n"
	say "installing pgloader (Debian package)"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgloader \
		>"$work/apt.log" 2>&1 || { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgloader; } \
		>>"$work/apt.log" 2>&1 || true
	command -v pgloader >/dev/null 2>&1
}

# the same CSV files into plain text tables (no index, no validation)
pgloader_load() {
	local f name enc cmd=$work/load.pgl
	: >"$cmd"
	q -c "DROP SCHEMA IF EXISTS pgl CASCADE" -c "CREATE SCHEMA pgl"
	for f in $(batch_files "$batch"); do
		name=$(basename "$f" .csv)
		enc=$(awk -F';' -v f="$name.csv" '$1 == f {print ($4 == "CP1252" ? "windows-1252" : "utf-8")}' "$batch/manifest.csv")
		q -c "CREATE TABLE pgl.$name ($(head -1 "$f" | tr -d '\r' | sed 's/^\xEF\xBB\xBF//' |
			tr '[:upper:]' '[:lower:]' | sed 's/;/ text, /g') text)"
		cat >>"$cmd" <<EOF
LOAD CSV FROM '$f' WITH ENCODING $enc
  INTO postgresql://$PGUSER@unix:$PGHOST:$PGPORT/$PGDATABASE?pgl.$name
  WITH skip header = 1, fields terminated by ';', fields optionally enclosed by '"',
       fields escaped by double-quote;
EOF
	done
	q -c CHECKPOINT
	timed pgloader pgloader -D "$work/pgloader" "$cmd"
}

if [ "$pgloader_mode" = 0 ]; then
	row ingest "vs pgloader" "$(fmt_int "$ingest_rate") lines/s" "$ingest_rate" "claim lines/s" \
		"not measured (BENCH_PGLOADER=0)" "" "" ">= 3 x pgloader" "not measured"
elif ! have_pgloader; then
	row ingest "vs pgloader" "$(fmt_int "$ingest_rate") lines/s" "$ingest_rate" "claim lines/s" \
		"not measured (pgloader not installed)" "" "" ">= 3 x pgloader" "not measured"
else
	say "pgloader: the same CSV files into plain tables"
	pgloader_load
	# pgloader's own "Total import time" of each file (its start-up left out), else the wall clock
	pgl_s=$(awk '/Total import time/ {t = $NF; s = 0
		if (t ~ /h/) { split(t, a, "h"); s += a[1] * 3600; t = a[2] }
		if (t ~ /m/) { split(t, a, "m"); s += a[1] * 60; t = a[2] }
		sub(/s$/, "", t); total += s + t; n++} END {if (n) printf "%.3f", total}' "$work/pgloader.out" "$work/pgloader.log")
	pgl_rows=$(awk '/Total import time/ {s += $(NF - 3)} END {print s + 0}' "$work/pgloader.out" "$work/pgloader.log")
	[ -n "$pgl_s" ] || pgl_s=$wall
	measure pgloader.seconds "$pgl_s"; measure pgloader.rows "$pgl_rows"
	if [ "$rc" != 0 ] || [ "$pgl_rows" != "$data_lines" ]; then
		row ingest "vs pgloader" "$(fmt_int "$ingest_rate") lines/s" "$ingest_rate" "claim lines/s" \
			"not measured (pgloader exit $rc, $pgl_rows of $data_lines lines)" "" "" ">= 3 x pgloader" "not measured"
		tail -5 "$work/pgloader.log" >&2
	else
		pgl_rate=$(div "$lines" "$pgl_s")
		row ingest "vs pgloader" "$(fmt_int "$ingest_rate") lines/s" "$ingest_rate" "claim lines/s" \
			"pgloader: $(fmt_int "$pgl_rate") lines/s" "$pgl_rate" "$(div "$ingest_rate" "$pgl_rate")" \
			">= 3 x pgloader" "$(met_ge "$(div "$ingest_rate" "$pgl_rate")" 3)"
	fi
	q -c "DROP SCHEMA pgl CASCADE"
fi

# ---- render: feed --dry-run ---------------------------------------------------
bin/dmpremb dossiers import "$work/events.csv" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; die "dossiers import failed"; }
q -c "VACUUM ANALYZE" -c CHECKPOINT
for j in 1 2; do
	say "render: feed --dry-run --jobs $j"
	timed "dry$j" bin/dmpremb feed --as-of "$as_of" --dry-run --jobs "$j" --quiet
	must "dry$j"
	for k in documents lines bytes seconds fetch_s render_s store_s max_rss_kb; do
		measure "dry$j.$k" "$(efield feed.done "$k" "$work/dry$j.log")"
	done
done
xml_bytes=$(efield feed.done bytes "$work/dry1.log")
feed_lines=$(efield feed.done lines "$work/dry1.log")
documents=$(efield feed.done documents "$work/dry1.log")
# Rendering runs on one thread: its CPU time is at most its wall-clock time
# (render_s), and at most the whole command's CPU time. The smaller of the
# two is the tighter bound (the wall clock is the larger on a busy machine).
render_s=$(efield feed.done render_s "$work/dry1.log")
render_t=$(awk -v a="$render_s" -v b="$(mval dry1.cpu_client)" 'BEGIN {print (b > 0 && b < a) ? b : a}')
measure render.seconds_used "$render_t"
render_mbs=$(div "$xml_bytes" "$render_t" 1e6)
row render "per core (--jobs 1)" "$(fmt1 "$render_mbs") MB/s of XML, $(fmt_int "$(div "$feed_lines" "$render_t")") lines/s" \
	"$render_mbs" "MB/s of XML/core" "" "" "" ">= 200 MB/s/core" "$(met_ge "$render_mbs" 200)"

# ---- feed: the pure-SQL feed, then dmpremb feed on 1 and 2 threads -------------
feed_row_sql() {   # the C feed's rate is known: the pure-SQL row
	local reason=$1
	if [ -n "$reason" ]; then
		row feed "vs pure-SQL feed" "$(fmt1 "$feed_dps") docs/s, $(fmt_int "$feed_lps") lines/s" "$feed_dps" "documents/s" \
			"not measured ($reason)" "" "" ">= 10 x SQL" "not measured"
	else
		row feed "vs pure-SQL feed" "$(fmt1 "$feed_dps") docs/s, $(fmt_int "$feed_lps") lines/s" "$feed_dps" "documents/s" \
			"SQL: $(fmt1 "$sql_dps") docs/s" "$sql_dps" "$(div "$feed_dps" "$sql_dps")" ">= 10 x SQL" \
			"$(met_ge "$(div "$feed_dps" "$sql_dps")" 10)"
	fi
}
sql_reason=
if [ ! -f "$sql_feed" ]; then
	sql_reason="$sql_feed missing"
elif ! psql -X -q -v ON_ERROR_STOP=1 -f "$sql_feed" >"$work/sql_feed_install.log" 2>&1; then
	sql_reason="$sql_feed failed to install"
	tail -3 "$work/sql_feed_install.log" >&2
else
	say "pure-SQL feed: SELECT bench.sql_feed(as-of)"
	reset_documents
	timed sqlfeed psql -X -q -At -v ON_ERROR_STOP=1 -c "SET statement_timeout = '${sql_timeout}s'" \
		-c "SELECT bench.sql_feed('$as_of'::timestamptz)"
	sql_docs=$(tail -1 "$work/sqlfeed.out")
	if [ "$rc" != 0 ]; then
		if grep -q "statement timeout" "$work/sqlfeed.log"; then
			sql_reason="over BENCH_SQL_FEED_TIMEOUT=$sql_timeout s"
		else
			sql_reason="bench.sql_feed failed: $(head -1 "$work/sqlfeed.log" | cut -c1-60)"
		fi
	else
		measure sqlfeed.documents "$sql_docs"
		sql_dps=$(div "$sql_docs" "$wall")
		[ "$sql_docs" = "$documents" ] || note "the pure-SQL feed made $sql_docs documents, dmpremb feed $documents"
	fi
fi

for j in 1 2; do
	say "feed --jobs $j"
	reset_documents
	timed "feed$j" bin/dmpremb feed --as-of "$as_of" --jobs "$j" --quiet
	must "feed$j"
	for k in documents lines bytes seconds fetch_s render_s store_s max_rss_kb; do
		measure "feed$j.$k" "$(efield feed.done "$k" "$work/feed$j.log")"
	done
	measure "feed$j.analytics_s" "$(efield analytics.refresh seconds "$work/feed$j.log")"
done
# end to end: the whole command, from its start to its exit
feed_dps=$(div "$(mval feed1.documents)" "$(mval feed1.wall)")
feed_lps=$(div "$(mval feed1.lines)" "$(mval feed1.wall)")
feed2_dps=$(div "$(mval feed2.documents)" "$(mval feed2.wall)")
rss_feed_1x=$(efield feed.done max_rss_kb "$work/feed2.log")   # --jobs 2, as at 10 x
feed_row_sql "$sql_reason"

# ---- storage of the stored documents, then COPY of the same rows ---------------
say "storage, then the COPY baseline of the documents"
q -F ' ' -c "SELECT pg_relation_size(c.oid), coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0),
	pg_indexes_size(c.oid), pg_total_relation_size(c.oid),
	(SELECT count(*) FROM dmpremb.document), (SELECT coalesce(sum(bytes), 0) FROM dmpremb.document),
	(SELECT attcompression FROM pg_attribute WHERE attrelid = c.oid AND attname = 'xml'),
	pg_total_relation_size('dmpremb.document_version'), pg_total_relation_size('dmpremb.trace'),
	pg_total_relation_size('dmpremb.claim_line') + coalesce((SELECT sum(pg_total_relation_size(inhrelid))
		FROM pg_inherits WHERE inhparent = 'dmpremb.claim_line'::regclass), 0)
	FROM pg_class c WHERE c.oid = 'dmpremb.document'::regclass" >"$work/storage"
read -r st_heap st_toast st_index st_total st_docs st_raw st_comp st_version st_trace st_claims <"$work/storage"
for k in heap toast index total docs raw comp version trace claims; do eval "measure storage.$k \"\$st_$k\""; done
per_doc=$(div "$st_total" "$st_docs")
row storage "per document" "$(fmt_int "$per_doc") B/doc, $(fmt_int "$(div "$st_total" "$feed_lines")") B/line" \
	"$per_doc" "bytes/document" "raw XML: $(fmt_int "$(div "$st_raw" "$st_docs")") B/doc" "$(div "$st_raw" "$st_docs")" \
	"$(div "$st_total" "$st_raw")" "report; lz4" "$([ "$st_comp" = l ] && echo "yes (lz4)" || echo "no (not lz4)")"
note "document: heap $(mb "$st_heap") MiB, TOAST $(mb "$st_toast") MiB, indexes $(mb "$st_index") MiB for $(mb "$st_raw") MiB of XML ($(fmt1 "$(div "$st_raw" "$st_total")") x smaller); document_version $(mb "$st_version") MiB, trace $(mb "$st_trace") MiB (no XML); claim_line $(fmt_int "$(div "$st_claims" "$lines")") B/line"

q -c "\\copy (SELECT * FROM dmpremb.document) TO '$work/documents.bin' (FORMAT binary)"
q -c "TRUNCATE dmpremb.document" -c CHECKPOINT
timed copy_docs psql -X -q -v ON_ERROR_STOP=1 -c "\\copy dmpremb.document FROM '$work/documents.bin' (FORMAT binary)"
must copy_docs
rm -f "$work/documents.bin"
copy_dps=$(div "$st_docs" "$wall")
row feed "vs COPY of the documents" "$(fmt1 "$feed_dps") docs/s" "$feed_dps" "documents/s" \
	"COPY: $(fmt1 "$copy_dps") docs/s" "$copy_dps" "$(div "$feed_dps" "$copy_dps")" ">= 0.5 x COPY" \
	"$(met_ge "$(div "$feed_dps" "$copy_dps")" 0.5)"

scaling=$(div "$feed2_dps" "$feed_dps")
# feed --jobs 2 runs two lanes (a connection each, transform/feed.h): how
# many of the cores it kept busy, client and server together
busy2=$(div "$(calc "$(mval feed2.cpu_client) + $(mval feed2.cpu_server)")" "$(mval feed2.wall)")
busy1=$(div "$(calc "$(mval feed1.cpu_client) + $(mval feed1.cpu_server)")" "$(mval feed1.wall)")
[ -z "$busy2" ] || [ -z "$busy1" ] ||
	note "cores kept busy (dmpremb and PostgreSQL): feed --jobs 1 $(fmt2 "$busy1"), --jobs 2 (two lanes) $(fmt2 "$busy2") of $(nproc)"
render_scaling=$(div "$(efield feed.done render_s "$work/dry1.log")" "$(efield feed.done render_s "$work/dry2.log")")
row scaling "feed --jobs 2 / --jobs 1" "$(fmt1 "$feed2_dps") / $(fmt1 "$feed_dps") docs/s (render alone: $(fmt2 "$render_scaling") x)" \
	"$feed2_dps" "documents/s" "" "" "$scaling" ">= 1.6 x on 2 cores" "$(met_ge "$scaling" 1.6)"

# ---- concurrency and Citus ---------------------------------------------------
# two_feeds NAME: two feeds at once (--jobs 1 each) over the same due dossiers,
# after reset_documents; wall of the pair into NAME.wall, documents stored
two_feeds() {
	local t0 a b
	reset_documents
	t0=$(now)
	bin/dmpremb feed --as-of "$as_of" --jobs 1 --quiet >"$work/$1a.out" 2>"$work/$1a.log" & a=$!
	bin/dmpremb feed --as-of "$as_of" --jobs 1 --quiet >"$work/$1b.out" 2>"$work/$1b.log" & b=$!
	wait $a || die "$1: the first feed failed"
	wait $b || die "$1: the second feed failed"
	measure "$1.wall" "$(calc "$(now) - $t0")"
	measure "$1.documents" "$(q -c "SELECT count(*) FROM dmpremb.document")"
	measure "$1.versions" "$(q -c "SELECT count(*) FROM dmpremb.document_version")"
}
say "two feeds at once, one PostgreSQL"
two_feeds pair
[ "$(mval pair.versions)" = "$(mval feed1.documents)" ] ||
	note "two feeds at once stored $(mval pair.versions) versions for $(mval feed1.documents) documents"
pair_ratio=$(div "$(mval pair.wall)" "$(mval feed1.wall)")
row concurrency "two feeds at once / one feed (one node)" "$(fmt1 "$(mval pair.wall)") s for both" "$(mval pair.wall)" "s" \
	"one feed: $(fmt1 "$(mval feed1.wall)") s" "$(mval feed1.wall)" "$pair_ratio" "<= 1.5 x one" "$(met_le "$pair_ratio" 1.5)"

# ---- deletion: what 'dossiers vacuum' costs after 1 % of the dossiers go --------
# (issue 17 B4) SUPPRESSIONs of 1 % of the fed dossiers, then the hourly
# 'dossiers vacuum' (VACUUM of the relations they touched, the identity
# tables rewritten), then another 1 % and 'dossiers vacuum --full' (every one
# rewritten). Rates in MB/s of the relations processed (total relation size).
say "deletion: SUPPRESSION of 1 % of the dossiers, dossiers vacuum, then --full"
suppress_pct() {   # FILE: events file of SUPPRESSIONs of 1 % of the open dossiers
	{ echo 'INS_C;EVENEMENT;HORODATAGE'
	  q -c "SELECT ins_c || ';SUPPRESSION;${gen_as_of}T23:00:00+01:00' FROM dmpremb.dossier
	        WHERE state = 'open' ORDER BY md5(ins_c) LIMIT greatest(1, (SELECT count(*) / 100 FROM dmpremb.dossier))"
	} >"$1"
}
pending_bytes() { q -c "SELECT coalesce(sum(pg_total_relation_size(relation)), 0) FROM dmpremb.destruction_pending"; }
suppress_pct "$work/suppr1.csv"
timed suppr1 bin/dmpremb dossiers import "$work/suppr1.csv" --quiet
must suppr1
vac_bytes=$(pending_bytes)
timed vacuum1 bin/dmpremb dossiers vacuum --quiet
must vacuum1
suppress_pct "$work/suppr2.csv"
timed suppr2 bin/dmpremb dossiers import "$work/suppr2.csv" --quiet
must suppr2
full_bytes=$(pending_bytes)
timed vacuumf bin/dmpremb dossiers vacuum --full --quiet
must vacuumf
measure vacuum.bytes "$vac_bytes"; measure vacuum_full.bytes "$full_bytes"
measure vacuum.deleted "$(($(wc -l <"$work/suppr1.csv") - 1))"
vac_mbs=$(div "$vac_bytes" "$(mval vacuum1.wall)" 1048576)
full_mbs=$(div "$full_bytes" "$(mval vacuumf.wall)" 1048576)
row deletion "dossiers vacuum after 1 % deleted" "$(fmt1 "$(mval vacuum1.wall)") s for $(mb "$vac_bytes") MiB ($(fmt1 "$vac_mbs") MiB/s)" \
	"$vac_mbs" "MiB/s" "--full: $(fmt1 "$(mval vacuumf.wall)") s for $(mb "$full_bytes") MiB ($(fmt1 "$full_mbs") MiB/s)" \
	"$full_mbs" "$(div "$vac_mbs" "$full_mbs")" "report" "report"
note "deletion: the import deleting $(mval vacuum.deleted) dossiers took $(fmt1 "$(mval suppr1.wall)") s; dossiers vacuum $(fmt1 "$(mval vacuum1.wall)") s (beneficiary and the pseudonyms rewritten, the rest vacuumed), --full $(fmt1 "$(mval vacuumf.wall)") s"

citus_reason=
if [ "${BENCH_CITUS:-1}" = 0 ]; then
	citus_reason="BENCH_CITUS=0"
elif [ ! -f "$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)/citus.so" ]; then
	citus_reason="Citus not installed: make citus"
fi
if [ -z "$citus_reason" ]; then
	say "Citus: a coordinator and 2 workers on this machine, the same batch"
	cport=${BENCH_CITUS_PORT:-55475}
	trap '"$top/tests/pgcluster.sh" stop "$work/pg" >/dev/null 2>&1
		"$top/tests/citus-cluster.sh" stop "$work/citus" >/dev/null 2>&1
		if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi' EXIT
	PGCLUSTER_PORT=$cport tests/citus-cluster.sh start "$work/citus" >/dev/null || die "the Citus cluster did not start"
	PGCLUSTER_PORT=$cport tests/citus-cluster.sh newdb "$work/citus" "$PGDATABASE" || die "no Citus database"
	single_host=$PGHOST single_port=$PGPORT
	export PGHOST=127.0.0.1 PGPORT=$cport
	bin/dmpremb db migrate >"$work/cmigrate.log" 2>&1 && bin/dmpremb db distribute >>"$work/cmigrate.log" 2>&1 &&
	bin/dmpremb referentials load --snds "$refs/snds" --bdpm "$refs/bdpm" >>"$work/cmigrate.log" 2>&1 ||
		{ tail -5 "$work/cmigrate.log" >&2; die "Citus: migrate, distribute or referentials failed"; }
	cpu_off=1     # the three servers' CPU is not split out: wall-clock only
	timed cingest bin/dmpremb ingest "$batch" --quiet
	must cingest
	bin/dmpremb dossiers import "$work/events.csv" >"$work/cimport.log" 2>&1 || die "Citus: dossiers import failed"
	for j in 1 2; do
		reset_documents
		timed "cfeed$j" bin/dmpremb feed --as-of "$as_of" --jobs "$j" --quiet
		must "cfeed$j"
		for k in documents fetch_s render_s store_s; do
			measure "cfeed$j.$k" "$(efield feed.done "$k" "$work/cfeed$j.log")"
		done
	done
	[ "$(mval cfeed1.documents)" = "$(mval feed1.documents)" ] ||
		note "Citus stored $(mval cfeed1.documents) documents, one node $(mval feed1.documents)"
	say "two feeds at once, Citus"
	two_feeds cpair
	export PGHOST=$single_host PGPORT=$single_port
	cpu_off=0
	cing_rate=$(div "$lines" "$(mval cingest.wall)")
	row citus "ingest vs one node" "$(fmt_int "$cing_rate") lines/s" "$cing_rate" "claim lines/s" \
		"one node: $(fmt_int "$ingest_rate") lines/s" "$ingest_rate" "$(div "$cing_rate" "$ingest_rate")" "report" "report"
	cfeed_dps=$(div "$(mval cfeed2.documents)" "$(mval cfeed2.wall)")
	row citus "feed --jobs 2 vs one node" "$(fmt1 "$cfeed_dps") docs/s" "$cfeed_dps" "documents/s" \
		"one node: $(fmt1 "$feed2_dps") docs/s" "$feed2_dps" "$(div "$cfeed_dps" "$feed2_dps")" "report" "report"
	cpair_ratio=$(div "$(mval cpair.wall)" "$(mval cfeed1.wall)")
	row concurrency "two feeds at once / one feed (Citus)" "$(fmt1 "$(mval cpair.wall)") s for both" "$(mval cpair.wall)" "s" \
		"one feed: $(fmt1 "$(mval cfeed1.wall)") s" "$(mval cfeed1.wall)" "$cpair_ratio" "<= 1.5 x one" "$(met_le "$cpair_ratio" 1.5)"
	note "Citus feed --jobs 1: reading $(mval cfeed1.fetch_s) s, rendering $(mval cfeed1.render_s) s, storing $(mval cfeed1.store_s) s (one node: $(efield feed.done fetch_s "$work/feed1.log"), $(efield feed.done render_s "$work/feed1.log"), $(efield feed.done store_s "$work/feed1.log") s); the coordinator, both workers and dmpremb share $(nproc) cores"
	"$top/tests/citus-cluster.sh" stop "$work/citus" >/dev/null 2>&1
else
	row citus "ingest vs one node" "not measured" "" "" "not measured ($citus_reason)" "" "" "report" "not measured"
	row citus "feed --jobs 2 vs one node" "not measured" "" "" "not measured ($citus_reason)" "" "" "report" "not measured"
	row concurrency "two feeds at once / one feed (Citus)" "not measured" "" "" "not measured ($citus_reason)" "" "" "<= 1.5 x one" "not measured"
fi

# ---- memory: the same at 10 x -------------------------------------------------
mem_row() {   # COMMAND RSS_KB_1X RSS_KB_10X ("": not measured)
	local r
	if [ -z "$3" ]; then
		row memory "$1 peak RSS, 1x -> 10x" "$(mb $(($2 * 1024))) MiB at 1x" "$(div "$2" 1024)" "MiB" \
			"10x not measured (BENCH_SCALE10=0)" "" "" "flat (<= 1.10 x)" "not measured"
		return
	fi
	r=$(div "$3" "$2")
	row memory "$1 peak RSS, 1x -> 10x" "$(mb $(($2 * 1024))) -> $(mb $(($3 * 1024))) MiB" "$(div "$3" 1024)" "MiB" \
		"" "" "$r" "flat (<= 1.10 x)" "$(met_le "$r" 1.10)"
}
if [ "$scale10" = 1 ]; then
	p10=$((persons * 10))
	say "memory: $p10 persons (10 x): generate, ingest, feed --jobs 2"
	rm -rf "$batch"
	generate "$batch" "$work/events.csv" "$p10"
	measure claim_lines_10x "$(claim_lines "$batch")"
	new_db
	timed ingest10 bin/dmpremb ingest "$batch" --quiet
	must ingest10
	rss_ingest_10x=$(efield ingest.done max_rss_kb "$work/ingest10.log")
	measure ingest10.max_rss_kb "$rss_ingest_10x"
	rm -rf "$batch"
	bin/dmpremb dossiers import "$work/events.csv" >"$work/import.log" 2>&1 || die "dossiers import failed"
	q -c "VACUUM ANALYZE"
	timed feed10 bin/dmpremb feed --as-of "$(feed_as_of "$p10")" --jobs 2 --quiet
	must feed10
	rss_feed_10x=$(efield feed.done max_rss_kb "$work/feed10.log")
	measure feed10.max_rss_kb "$rss_feed_10x"; measure feed10.documents "$(efield feed.done documents "$work/feed10.log")"
	mem_row ingest "$rss_ingest_1x" "$rss_ingest_10x"
	mem_row feed "$rss_feed_1x" "$rss_feed_10x"
	# a render thread holds one document: the peak follows the largest one,
	# which a long-tailed batch ten times larger makes larger too
	big1=$(efield feed.done largest_bytes "$work/feed2.log")
	big10=$(efield feed.done largest_bytes "$work/feed10.log")
	measure feed.largest_bytes "$big1"; measure feed10.largest_bytes "$big10"
	note "feed's peak follows its largest document (one per lane or render thread): $(mb "$big1") MiB at 1x, $(mb "$big10") MiB at 10x; peak minus 2 x that: $(mb $((rss_feed_1x * 1024 - 2 * big1))) -> $(mb $((rss_feed_10x * 1024 - 2 * big10))) MiB"
else
	mem_row ingest "$rss_ingest_1x" ""
	mem_row feed "$rss_feed_1x" ""
fi

measure total_seconds "$(calc "$(now) - $t_start")"
measure load_average_start "$load_start"
awk -v l="$load_start" -v c="$(nproc)" 'BEGIN {exit !(l >= c / 2)}' &&
	note "the machine was busy before this run (load average $load_start on $(nproc) cores): wall-clock rates and ratios, scaling above all, are uncertain; the projection uses CPU time"
report "$out"
