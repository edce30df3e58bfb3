#!/bin/sh
# tests/cli/t0720-backfill-status.sh — `dmpremb status` (the promises and its
# exit code, with time travel) and `dmpremb backfill` (dry run, list kinds,
# SIGKILL then --resume: complete, no dossier fed twice).
. "$TESTLIB"
new_db backfill_status
demo="$FIXTURES/batch-demo"

"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
	>"$TMP/setup" 2>&1 &&
"$DMPREMB" ingest "$demo" --max-reject-ratio 0.5 >>"$TMP/setup" 2>&1 ||
	{ echo "setup failed"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }

# every person of the batch gets a dossier created Monday 16/11 09:00, plus
# one person no batch describes (no identity)
T0=2026-11-16T09:00:00+01:00
orphan=$(printf 'Zoe;900101;2900175999999\n' | "$DMPREMB" insc)
{
	echo 'INS_C;EVENEMENT;HORODATAGE'
	sql "SELECT ins_c || ';CREATION;$T0' FROM beneficiary"
	echo "$orphan;CREATION;$T0"
} >"$TMP/events.csv"
check "events imported" "$DMPREMB" dossiers import "$TMP/events.csv"
persons=$(sql "SELECT count(*) FROM beneficiary")
all=$((persons + 1))

# --- status before any feed: 71 h after creation the promise holds, 73 h not
check_exit 0 "status at +71 h: promises kept (exit 0)" "$DMPREMB" status --as-of 2026-11-19T08:00:00+01:00
check_grep "all of them wait for their first feed" "due now *$all$" "$TMP/out"
check_exit 1 "status at +73 h: a first feed is late (exit 1)" "$DMPREMB" status --as-of 2026-11-19T10:00:00+01:00
check_grep "the overdue count and the oldest wait" "overdue *$all  (oldest waits 73.0 h)" "$TMP/out"
check_grep "the one without identity is named as such" "of which no identity *1 " "$TMP/out"
check_grep "stderr says why the exit is 1" "promise broken: $all first feed" "$TMP/err"
check_exit 1 "status --json at +73 h" "$DMPREMB" status --as-of 2026-11-19T10:00:00+01:00 --json
cp "$TMP/out" "$TMP/status.json"
check "status --json: its timestamps are ISO 8601 with an offset" python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
assert iso.match(d["as_of"]), d["as_of"]
for r in d["last_runs"].values():
    assert iso.match(r["started_at"]), r["started_at"]
' "$TMP/status.json"
cp "$TMP/status.json" "$TMP/out"
check_eq "the JSON parses and says the promise is broken" "False $all" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["promises_kept"], d["first_feed"]["overdue"])' "$TMP/out")"
check_exit 1 "status --prometheus at +73 h" "$DMPREMB" status --as-of 2026-11-19T10:00:00+01:00 --prometheus
check_grep "the overdue gauge" "^dmpremb_first_feeds_overdue $all$" "$TMP/out"
check_eq "every metric line is 'name{labels} value'" "0" \
	"$(grep -v '^#' "$TMP/out" | grep -cvE '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$')"
check_exit 64 "status refuses a bad --as-of" "$DMPREMB" status --as-of not-a-time

# --- feed at +73 h: first feeds done; only the person without identity is left
check_exit 0 "feed at +73 h" "$DMPREMB" feed --as-of 2026-11-19T10:00:00+01:00 --chunk 4
check_exit 1 "status after the feed: still broken for the dossier without identity" \
	"$DMPREMB" status --as-of 2026-11-19T10:00:00+01:00
check_grep "only it is overdue" "overdue *1  (oldest waits 73.0 h)" "$TMP/out"
sql "UPDATE dossier SET state = 'closed' WHERE ins_c = '$orphan'" >/dev/null
check_exit 0 "with it closed, the promises hold" "$DMPREMB" status --as-of 2026-11-19T10:00:00+01:00

# --- refreshes: due after 7 days, overdue after 7 days + 24 h grace
check_exit 0 "at +7 days: refreshes due, not overdue (exit 0)" "$DMPREMB" status --as-of 2026-11-26T10:30:00+01:00
check_grep "refreshes due" "due now *$persons$" "$TMP/out"
check_exit 1 "at +8 days and 1 h: refreshes overdue (exit 1)" "$DMPREMB" status --as-of 2026-11-27T11:00:00+01:00
check_grep "the oldest refresh's age" "overdue *$persons  (oldest fed 193.0 h ago)" "$TMP/out"

# --- backfill --dry-run: says what and how long, stores nothing
versions=$(sql "SELECT count(*) FROM document_version")
check_exit 0 "backfill --all --dry-run" "$DMPREMB" backfill --all --dry-run --as-of 2026-11-20T10:00:00+01:00
check_grep "it counts the dossiers" "of which to feed *$persons " "$TMP/out"
check_grep "and the claim lines" "claim lines to read *[0-9]" "$TMP/out"
check_grep "and estimates the duration from the feeds' rate" "expected duration .* documents/s" "$TMP/out"
check_eq "nothing stored or listed" "$versions 0" \
	"$(sql "SELECT count(*) FROM document_version") $(sql "SELECT count(*) FROM backfill_item")"
check_exit 64 "backfill needs one selection" "$DMPREMB" backfill
check_exit 64 "backfill refuses two selections" "$DMPREMB" backfill --all --ins-c "$TMP/events.csv"
check_exit 64 "backfill refuses --from without --to" "$DMPREMB" backfill --from 2026-01-01
check_exit 64 "backfill refuses a bad date" "$DMPREMB" backfill --from 2026-02-30 --to 2026-03-01

# --- backfill killed by SIGKILL after two chunks, then resumed
AS_BF=2026-11-20T10:00:00+01:00
DMPREMB_KILL_AT=feed-chunk:2 "$DMPREMB" backfill --all --chunk 3 --as-of "$AS_BF" >"$TMP/out" 2>"$TMP/err"
check_eq "backfill killed after its second chunk" "137" "$?"
run1=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
check_eq "its list holds every open dossier; two chunks are done" "$persons 6" \
	"$(sql "SELECT count(*) FROM backfill_item WHERE run_id = $run1") $(sql "SELECT count(*) FROM backfill_item WHERE run_id = $run1 AND done_at IS NOT NULL")"
check_exit 0 "status shows the unfinished backfill" "$DMPREMB" status --as-of "$AS_BF"
check_grep "with the dossiers left" "backfills not finished *1  ($((persons - 6)) dossiers left" "$TMP/out"
runs_before=$(sql "SELECT count(*) FROM run")
check_exit 64 "--resume of a run that is not a backfill" "$DMPREMB" backfill --resume 1
check_exit 64 "--resume of a run that does not exist" "$DMPREMB" backfill --resume 4711
check_eq "... a usage error records no run" "$runs_before" "$(sql "SELECT count(*) FROM run")"
check_exit 0 "backfill --resume finishes the list" "$DMPREMB" backfill --resume "$run1" --chunk 3
run2=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
check_eq "every listed dossier fed exactly once by the two runs" "$persons 0" \
	"$(sql "SELECT count(DISTINCT ins_c) FROM document_version WHERE run_id IN ($run1, $run2)") $(sql "SELECT count(*) FROM (SELECT ins_c FROM document_version WHERE run_id IN ($run1, $run2) GROUP BY ins_c HAVING count(*) > 1) x")"
check_eq "the list is done, each item 'fed'" "$persons" \
	"$(sql "SELECT count(*) FROM backfill_item WHERE run_id = $run1 AND done_at IS NOT NULL AND outcome = 'fed'")"
check_eq "the killed run is closed as interrupted" "interrupted" \
	"$(sql "SELECT outcome FROM run WHERE run_id = $run1")"
check_eq "no gap and no duplicate version anywhere" "0" \
	"$(sql "SELECT count(*) FROM (SELECT ins_c FROM document_version GROUP BY ins_c
	        HAVING count(*) <> max(version) OR min(version) <> 1) x")"
check_eq "one trace per version" "0" \
	"$(sql "SELECT count(*) FROM trace t FULL JOIN document_version v USING (ins_c, version)
	        WHERE t.ins_c IS NULL OR v.ins_c IS NULL")"
check_exit 0 "resuming a finished backfill does nothing" "$DMPREMB" backfill --resume "$run1"
check_grep "nothing planned" "dossiers planned *0 " "$TMP/out"

# --- backfill --ins-c: a closed dossier is skipped with its reason
closed=$(sql "SELECT ins_c FROM dossier WHERE state = 'open' ORDER BY ins_c LIMIT 1")
open1=$(sql "SELECT ins_c FROM dossier WHERE state = 'open' ORDER BY ins_c OFFSET 1 LIMIT 1")
printf 'INS_C;EVENEMENT;HORODATAGE\n%s;FERMETURE;2026-11-20T11:00:00+01:00\n' "$closed" >"$TMP/close.csv"
check "a dossier is closed" "$DMPREMB" dossiers import "$TMP/close.csv"
printf '%s\n%s\n' "$closed" "$open1" >"$TMP/two.list"
check_exit 0 "backfill --ins-c" "$DMPREMB" backfill --ins-c "$TMP/two.list" --as-of 2026-11-21T10:00:00+01:00
run3=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
check_eq "the open one is fed, the closed one skipped as closed" "fed|skipped: closed" \
	"$(sql "SELECT string_agg(outcome, '|' ORDER BY outcome) FROM backfill_item WHERE run_id = $run3")"

# --- backfill --from/--to: the dossiers with lines processed in those days
check_exit 0 "backfill over days with no line lists nothing" \
	"$DMPREMB" backfill --from 1990-01-01 --to 1990-01-31 --as-of 2026-11-22T10:00:00+01:00
run4=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
check_eq "empty list" "0" "$(sql "SELECT count(*) FROM backfill_item WHERE run_id = $run4")"
check_exit 0 "backfill over every processing day" \
	"$DMPREMB" backfill --from 2000-01-01 --to 2030-12-31 --as-of 2026-11-22T10:00:00+01:00
run5=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
check_eq "lists each open dossier with a claim line once" \
	"$(sql "SELECT count(*) FROM (SELECT DISTINCT c.ins_c FROM claim_line c JOIN dossier d USING (ins_c) WHERE d.state = 'open' AND NOT d.opposition) x")" \
	"$(sql "SELECT count(*) FROM backfill_item WHERE run_id = $run5")"

# --- no identifier in anything printed
sql "SELECT ins_c FROM dossier" >"$TMP/secrets"
"$DMPREMB" status --json >"$TMP/s.json" 2>&1
check_eq "no INS-C in status output" "0" "$(grep -c -F -f "$TMP/secrets" "$TMP/s.json")"
finish
