#!/bin/sh
# t0950-crash: a scenario of seven commands (referentials, two ingests, the
# dossier events, two feeds, a backfill: tests/tools/scenario.sh) run once
# without interruption, then again with each command killed by SIGKILL at a
# deterministic list of points (DMPREMB_KILL_AT, lib/interrupt.h) and re-run
# the way an operator would (the same command; 'backfill --resume RUN' for a
# backfill). After the re-run, and again at the end of the scenario, the
# database must hold exactly what the uninterrupted run holds: db_content
# compares every table's rows, leaving out timestamps and sequence-drawn run,
# batch and trace numbers. Prints table names and counts only.
. "$TESTLIB"
. "$TOP/tests/tools/scenario.sh"

scenario_reference
check_eq "the uninterrupted scenario: every command exits 0" "0 0 0 0 0 0 0" \
	"$(cat "$TMP"/exit.[1-7] | tr '\n' ' ' | sed 's/ $//')"
check_eq "it stored versions 1 to 3 of every fed dossier" "3" "$(sql "SELECT max(version) FROM document")"

# crash K POINT: stage K from the state before it, killed at POINT, re-run
crash() {
	k=$1
	scenario_from "$k"
	DMPREMB_KILL_AT=$2 stage "$k" >"$TMP/out" 2>&1
	check_eq "$(stage_name "$k") killed at $2" 137 "$?"
	wait_gone
	recover "$k" >"$TMP/out" 2>"$TMP/err"
	check_eq "  then re-run: exit as uninterrupted" "$(cat "$TMP/exit.$k")" "$?"
	same "  the database equals the uninterrupted run's after $(stage_name "$k")" "$TMP/ref.$k"
	if [ "$k" -lt $LAST ]; then
		scenario_rest "$k"
		same "  and at the end of the scenario" "$TMP/ref.$LAST"
	fi
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

# every killed command's run row was closed by a later run, none left running
PGDATABASE=t_crash_case
check_eq "no run row is left 'running' after the kills" "0" "$(sql "SELECT count(*) FROM run WHERE outcome = 'running'")"
check_eq "the killed backfill's row says it was noticed by a later run" "1" \
	"$(sql "SELECT count(*) FROM run WHERE command = 'backfill' AND outcome = 'interrupted'
	        AND message LIKE 'stopped without closing its run (killed, or its connection lost); noticed by run %'")"

# the comparison can tell: a timestamp is not a difference, a missing line is
sql "UPDATE dossier SET updated_at = updated_at + interval '1 day'" >/dev/null
same "db_content leaves timestamps out" "$TMP/ref.$LAST"
before=$(db_digest)
sql "DELETE FROM claim_line WHERE line_key = (SELECT line_key FROM claim_line ORDER BY 1 LIMIT 1)" >/dev/null
db_content >"$TMP/got"
check "db_content sees one claim line missing" sh -c "! cmp -s '$TMP/ref.$LAST' '$TMP/got'"
check "and so does db_digest" test "$before" != "$(db_digest)"
scenario_drop
finish
