#!/bin/sh
# tests/cli/t1110-citus-same.sh — the same data gives the same result on one
# PostgreSQL and on a Citus cluster (a coordinator and two workers).
#
# One scenario, run on each under the commands' own roles: the fixture
# referentials, batch-demo, the dossier events of fixtures/dossiers.csv (every
# lifecycle case: creations, closures, reactivations, deaths, objections and
# their lifting, a SUPPRESSION), a feed on two lanes, a later batch
# (batch-late: identity corrections, re-sent lines), a second feed, a
# backfill of everything, two backfills at once on the two halves (--shard),
# two feeds at once on everything, a purge, a generated batch (fixtures/gen)
# with its events and a feed, and a backfill killed mid-way then resumed. After each stage the exit status
# and every data table (test-lib.sh db_content: rows as JSON, without the
# timestamps and sequence numbers that differ by design) must be the same on
# both, and at the end every stored document byte for byte. Stages 1-7 are
# those of the crash tests (tests/tools/scenario.sh).
. "$TESTLIB"

. "$TOP/tests/tools/scenario.sh"   # stages 1-7 (A1..A3), as the crash tests run them
A4=2026-12-06T11:00:00+01:00
A5=2026-12-06T12:00:00+01:00
A6=2026-12-06T13:00:00+01:00
LAST=12

# a generated batch of 30 persons (fixtures/gen, fixture referentials) and
# their CREATION events, the same files for both databases
python3 "$TOP/fixtures/gen" --persons 30 --seed 16 --referentials "$FIXTURES/referentials" \
	--out "$TMP/gen" --as-of 2026-11-15 --events "$TMP/gen-events.csv" >"$TMP/gen.log" 2>&1 ||
	{ echo "fixtures/gen failed"; cat "$TMP/gen.log"; exit 1; }

# stages 1-7, then two sharded backfills at once, two feeds at once, a purge
stage_both() {
	case $1 in
	8) "$DMPREMB" backfill --all --as-of "$A4" --chunk 2 --shard 0/2 >"$TMP/s8a" 2>&1 &
	   a=$!
	   "$DMPREMB" backfill --all --as-of "$A4" --chunk 2 --shard 1/2 >"$TMP/s8b" 2>&1
	   b=$?
	   wait $a
	   echo "$? $b" ;;
	9) "$DMPREMB" feed --as-of "$A5" --refresh-days 0 --chunk 1 --jobs 1 >"$TMP/s9a" 2>&1 &
	   a=$!
	   "$DMPREMB" feed --as-of "$A5" --refresh-days 0 --chunk 1 --jobs 1 >"$TMP/s9b" 2>&1
	   b=$?
	   wait $a
	   echo "$? $b" ;;
	10) # a month processed long ago: the purge drops its partition
	    sql "SELECT dmpremb.claim_line_partition('2023-01-15')" >/dev/null
	    "$DMPREMB" purge --as-of "$A5" --closed-grace-days 0 --margin-months 0 ;;
	11) "$DMPREMB" ingest "$TMP/gen" && "$DMPREMB" dossiers import "$TMP/gen-events.csv" &&
	    "$DMPREMB" feed --as-of "$A6" --chunk 4 --jobs 2 ;;
	12) # a backfill killed after its second chunk, then resumed
	    DMPREMB_KILL_AT=feed-chunk:2 "$DMPREMB" backfill --all --as-of "$A6" --chunk 3 >"$TMP/s12a" 2>&1
	    run=$(sql "SELECT max(run_id) FROM backfill_item")
	    "$DMPREMB" backfill --resume "$run" --as-of "$A6" --chunk 3 ;;
	*) stage "$1" ;;
	esac
}

# run_scenario NAME: every stage; $TMP/NAME.K = exit status and db_content after stage K
run_scenario() {
	for k in $(seq 1 $LAST); do
		stage_both "$k" >"$TMP/$1.out.$k" 2>&1
		{ echo "exit $?"; tail -1 "$TMP/$1.out.$k" | grep -E '^[0-9]+ [0-9]+$'; db_content; } >"$TMP/$1.$k"
	done
	export_docs "$TMP/$1.docs"
	# what the other commands and the analyst see of the result
	{
		"$DMPREMB" status --as-of "$A5" >"$TMP/$1.status" 2>/dev/null
		echo "status exit $?"
		sed '/^last runs/,$d' "$TMP/$1.status"
		"$DMPREMB" render "$(sql "SELECT min(ins_c) FROM dossier WHERE state = 'open' AND last_fed_at IS NOT NULL")" \
			--as-of "$A5" 2>/dev/null >"$TMP/$1.render"
		echo "render exit $? $(wc -c <"$TMP/$1.render") bytes $(md5sum <"$TMP/$1.render")"
		for v in claim_volume top_code document_section document_size first_feed_sla; do
			echo "$v $(PGUSER=dmpremb_t_analyst psql -X -q -tA -c "SELECT md5(coalesce(string_agg(x::text, '|'
			         ORDER BY x::text), '')) FROM analytics.$v x")"
		done
	} >"$TMP/$1.seen" 2>&1
}

new_db same_single
run_scenario single
check_eq "on one PostgreSQL, every stage ends as the fixtures expect (exit 0)" "" \
	"$(for k in $(seq 1 $LAST); do head -1 "$TMP/single.$k" | grep -v '^exit 0$' | sed "s/^/stage $k: /"; done)"
check "... and the scenario stored documents" test "$(ls "$TMP/single.docs" | wc -l)" -gt 10

citus_db same_citus || { finish; exit; }
run_scenario citus
for k in $(seq 1 $LAST); do
	if cmp -s "$TMP/single.$k" "$TMP/citus.$k"; then
		_tally ok "stage $k: same exit status and same rows in every table on Citus"
	else
		_tally fail "stage $k: Citus differs from one PostgreSQL"
		diff "$TMP/single.$k" "$TMP/citus.$k" | awk '{ print "    | " $1, $2, $3 }' | head -10
		sed 's/^/    | citus: /' "$TMP/citus.out.$k" | tail -3
	fi
done
check_grep "the purge dropped the old month's partition on Citus" "claim_line partitions  *1 " "$TMP/citus.out.10"
check_eq "the same status, render of a dossier and analytics views (as the analyst)" \
	"$(cat "$TMP/single.seen")" "$(cat "$TMP/citus.seen")"
check_eq "... status kept its promises, the analyst read every view" "" \
	"$(grep -e 'exit [^0]' -e 'ERROR' -e ' $' -e ' 0 bytes' "$TMP/citus.seen")"
check_eq "the same documents, byte for byte" \
	"$(cd "$TMP/single.docs" && md5sum * | md5sum)" "$(cd "$TMP/citus.docs" && md5sum * | md5sum)"
check_eq "... as many" "$(ls "$TMP/single.docs" | wc -l)" "$(ls "$TMP/citus.docs" | wc -l)"
finish
