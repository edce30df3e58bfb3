#!/bin/sh
# t0950-crash: a scenario of seven commands (referentials, two ingests, the
# dossier events, two feeds, a backfill) run once without interruption, then
# again with each command killed by SIGKILL at a deterministic list of points
# (DMPREMB_KILL_AT, lib/interrupt.h) and re-run the way an operator would (the
# same command; 'backfill --resume RUN' for a backfill). After the re-run, and
# again at the end of the scenario, the database must hold exactly what the
# uninterrupted run holds: db_content compares every table's rows, leaving out
# timestamps and sequence-drawn run, batch and trace numbers. Prints table
# names and counts only.
. "$TESTLIB"
new_db crash_ref
REF=$PGDATABASE
A1=2026-11-20T10:00:00+01:00
A2=2026-11-28T10:00:00+01:00
A3=2026-12-06T10:00:00+01:00
LAST=7

stage_name() {
	case $1 in
	1) echo "referentials load" ;; 2) echo "ingest batch-demo" ;; 3) echo "dossiers import" ;;
	4) echo "feed" ;; 5) echo "ingest batch-late" ;; 6) echo "second feed" ;; 7) echo "backfill --all" ;;
	esac
}

# stage K: the K-th command of the scenario
stage() {
	case $1 in
	1) "$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" \
		--bdpm "$FIXTURES/referentials/bdpm" ;;
	2) "$DMPREMB" ingest "$FIXTURES/batch-demo" --force ;;
	3) "$DMPREMB" dossiers import "$FIXTURES/dossiers.csv" ;;
	4) "$DMPREMB" feed --as-of "$A1" --chunk 3 ;;
	5) "$DMPREMB" ingest "$FIXTURES/batch-late" --force ;;
	6) "$DMPREMB" feed --as-of "$A2" --chunk 3 ;;
	7) "$DMPREMB" backfill --all --as-of "$A3" --chunk 3 ;;
	esac
}

# recover K: what an operator runs after stage K was killed: the same command,
# or for a backfill whose list was written, --resume of that list
recover() {
	if [ "$1" = 7 ]; then
		run=$(sql "SELECT max(run_id) FROM backfill_item")
		if [ -n "$run" ]; then
			"$DMPREMB" backfill --resume "$run" --as-of "$A3" --chunk 3
			return
		fi
	fi
	stage "$1"
}

# wait_gone: until the killed command's server session has ended (a session
# still holding row locks would make the re-run skip those dossiers, which
# is right, but then the re-run would not finish the job in one go)
wait_gone() {
	i=0
	while [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
	                AND pid <> pg_backend_pid()")" != 0 ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# same WHAT FILE_A FILE_B: one check; on a difference, the tables that differ
same() {
	if cmp -s "$2" "$3"; then
		_tally ok "$1"
	else
		_tally fail "$1"
		join "$2" "$3" | awk '$2 != $3 {print "    | table differs: " $1}'
		join -v1 -v2 "$2" "$3" | sed 's/^/    | table on one side only: /'
	fi
}

# --- the uninterrupted run; a template database after each stage
snap() { dropdb --if-exists --force "t_crash_s$1" 2>/dev/null && createdb -T "$REF" "t_crash_s$1"; }
snap 0
for k in $(seq 1 $LAST); do
	stage $k >"$TMP/out" 2>&1
	echo $? >"$TMP/exit.$k"
	db_content >"$TMP/ref.$k"
	snap $k
done
check_eq "the uninterrupted scenario: every command exits 0" "0 0 0 0 0 0 0" \
	"$(cat "$TMP"/exit.[1-7] | tr '\n' ' ' | sed 's/ $//')"
check_eq "it stored versions 1 to 3 of every fed dossier" "3" "$(sql "SELECT max(version) FROM document")"

# --- each kill point: the stage killed there, re-run, compared
# crash K POINT: stage K from the snapshot before it, killed at POINT
crash() {
	k=$1; point=$2
	PGDATABASE=t_crash_case
	dropdb --if-exists --force "$PGDATABASE" 2>/dev/null && createdb -T "t_crash_s$((k - 1))" "$PGDATABASE"
	DMPREMB_KILL_AT=$point stage "$k" >"$TMP/out" 2>&1
	check_eq "$(stage_name "$k") killed at $point" 137 "$?"
	wait_gone
	recover "$k" >"$TMP/out" 2>"$TMP/err"
	check_eq "  then re-run: exit as uninterrupted" "$(cat "$TMP/exit.$k")" "$?"
	db_content >"$TMP/got"
	same "  the database equals the uninterrupted run's after $(stage_name "$k")" "$TMP/ref.$k" "$TMP/got"
	j=$((k + 1))
	while [ $j -le $LAST ]; do
		stage $j >"$TMP/out" 2>&1 || echo "    | stage $j exited $?"
		j=$((j + 1))
	done
	if [ "$k" -lt $LAST ]; then
		db_content >"$TMP/got"
		same "  and at the end of the scenario" "$TMP/ref.$LAST" "$TMP/got"
	fi
	PGDATABASE=$REF
}

crash 1 referentials-file:3
crash 2 ingest-chunk:1
crash 2 ingest-chunk:5
crash 2 ingest-before-merge:1
crash 2 ingest-after-apply:1
crash 2 ingest-after-commit:1
crash 3 dossiers-before-commit:1
crash 3 dossiers-after-commit:1
crash 4 feed-before-store:1
crash 4 feed-chunk:1
crash 4 feed-before-store:3
crash 4 feed-chunk:4
crash 5 ingest-before-merge:1
crash 5 ingest-after-commit:1
crash 6 feed-before-store:2
crash 6 feed-chunk:3
crash 7 backfill-after-list:1
crash 7 feed-before-store:1
crash 7 feed-chunk:2
crash 7 feed-chunk:5

# the comparison itself can tell: one line less is seen
PGDATABASE=t_crash_case
sql "UPDATE dossier SET updated_at = updated_at + interval '1 day'" >/dev/null
db_content >"$TMP/got"
same "db_content leaves timestamps out" "$TMP/ref.$LAST" "$TMP/got"
before=$(db_digest)
sql "DELETE FROM claim_line WHERE line_key = (SELECT line_key FROM claim_line ORDER BY 1 LIMIT 1)" >/dev/null
db_content >"$TMP/got"
check "db_content sees one claim line missing" sh -c "! cmp -s '$TMP/ref.$LAST' '$TMP/got'"
check "and so does db_digest" test "$before" != "$(db_digest)"
PGDATABASE=$REF
for k in $(seq 0 $LAST) case; do dropdb --if-exists --force "t_crash_s$k" 2>/dev/null; done
dropdb --if-exists --force t_crash_case 2>/dev/null
finish
