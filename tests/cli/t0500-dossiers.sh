#!/bin/sh
# tests/cli/t0500-dossiers.sh — `dmpremb dossiers import`: events recorded
# once, dossiers created for new INS-Cs, bad lines named (never echoed), the
# others imported. INS-Cs are made-up persons computed with `dmpremb insc`;
# they never appear in this script's output.
. "$TESTLIB"

new_db dossiers
PGOPTIONS='-c search_path=dmpremb'
export PGOPTIONS

# sql for queries holding an INS-C: psql would echo the query in an error
sqlq() {
	sql "$1" 2>/dev/null
}

# value "LABEL: N" of the report on stdout
report() {
	sed -n "s/^$1: //p" "$TMP/out"
}

# five made-up persons (NIRs of the right form; not real people)
printf 'Alice;900101;2900175123456\nBruno;851231;1851231012345\nChloe;000229;2000229012345\nDenis;500801;1500815051040\nElodie;770707;277072A123456\n' |
	"$DMPREMB" insc >"$TMP/insc.txt" || { echo "cannot compute INS-Cs"; exit 1; }
A=$(sed -n 1p "$TMP/insc.txt"); B=$(sed -n 2p "$TMP/insc.txt"); C=$(sed -n 3p "$TMP/insc.txt")
D=$(sed -n 4p "$TMP/insc.txt"); E=$(sed -n 5p "$TMP/insc.txt")

# BOM, CRLF; the sixth event is the first one again at the same instant (UTC)
{
	printf '\357\273\277INS_C;EVENEMENT;HORODATAGE\r\n'
	printf '%s;CREATION;2026-11-16T09:00:00+01:00\r\n' "$A"
	printf '%s;FERMETURE;2026-12-01T10:00:00Z\r\n' "$A"
	printf '%s;CREATION;2026-10-01T12:30:00.250+02:00\r\n' "$B"
	printf '%s;OPPOSITION;2026-10-02T12:30:00.5-03:30\r\n' "$B"
	printf '%s;REACTIVATION;2026-11-20T08:00:00Z\r\n' "$C"
	printf '%s;CREATION;2026-11-16T08:00:00Z\r\n' "$A"
	printf '\r\n'
} >"$TMP/events.csv"

check_exit 0 "import: exit 0" "$DMPREMB" dossiers import "$TMP/events.csv"
check_eq "import: counts read/imported/known/rejected/new" "6 5 1 0 3" \
	"$(report 'lines read') $(report imported) $(report 'already known') $(report rejected) $(report 'new dossiers')"
check_eq "import: 5 events stored" 5 "$(sql 'SELECT count(*) FROM dossier_event')"
check_eq "import: 3 dossiers: A closed, B open under objection, C unknown (no CREATION)" "3 closed open:true unknown" \
	"$(sql 'SELECT count(*) FROM dossier') $(sqlq "SELECT state FROM dossier WHERE ins_c = '$A'") $(sqlq "SELECT state || ':' || opposition FROM dossier WHERE ins_c = '$B'") $(sqlq "SELECT state FROM dossier WHERE ins_c = '$C'")"
check_eq "import: C's REACTIVATION waits for a CREATION" "1 1" \
	"$(report 'events waiting for a CREATION') $(sql "SELECT count(*) FROM dossier_event WHERE outcome LIKE 'waiting:%'")"
check_eq "import: created_at is the CREATION instant, or empty without one" "2026-11-16 08:00:00 2026-10-01 10:30:00.25 -" \
	"$(sqlq "SELECT coalesce(to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-') FROM dossier WHERE ins_c = '$A'") $(sqlq "SELECT created_at AT TIME ZONE 'UTC' FROM dossier WHERE ins_c = '$B'") $(sqlq "SELECT coalesce(created_at::text, '-') FROM dossier WHERE ins_c = '$C'")"
check_eq "import: the run is recorded with its counts" "ok 0 5 1" \
	"$(sql "SELECT outcome, exit_code, counts->>'imported', counts->>'duplicate' FROM run WHERE command = 'dossiers-import' ORDER BY run_id DESC LIMIT 1" | tr '|' ' ')"
check_eq "import: events carry the run" 0 "$(sql 'SELECT count(*) FROM dossier_event WHERE run_id IS NULL')"
check_eq "import: no INS-C on stderr" 0 "$(grep -c '[0-9]\{22\}' "$TMP/err")"

check_exit 0 "re-import: exit 0" "$DMPREMB" dossiers import "$TMP/events.csv"
check_eq "re-import: nothing new" "6 0 6 0 0" \
	"$(report 'lines read') $(report imported) $(report 'already known') $(report rejected) $(report 'new dossiers')"
check_eq "re-import: still 5 events, 3 dossiers" "5 3" \
	"$(sql 'SELECT count(*) FROM dossier_event') $(sql 'SELECT count(*) FROM dossier')"

# an earlier CREATION for a known dossier moves created_at back; C gets one
{
	echo 'INS_C;EVENEMENT;HORODATAGE'
	echo "$A;CREATION;2026-11-01T00:00:00Z"
	echo "$C;CREATION;2026-11-19T00:00:00Z"
} >"$TMP/earlier.csv"
check_exit 0 "earlier CREATION: exit 0" "$DMPREMB" dossiers import "$TMP/earlier.csv"
check_eq "earlier CREATION: created_at is the earliest" "2026-11-01 2026-11-19" \
	"$(sqlq "SELECT (created_at AT TIME ZONE 'UTC')::date FROM dossier WHERE ins_c = '$A'") $(sqlq "SELECT (created_at AT TIME ZONE 'UTC')::date FROM dossier WHERE ins_c = '$C'")"
check_eq "earlier CREATION: A's later CREATION and C's REACTIVATION of an open dossier are refused" "2" \
	"$(report 'events refused')"
check_grep "earlier CREATION: a refusal of an event recorded earlier is said with its instant" \
	"earlier.csv: CREATION of 2026-11-16 08:00:00 UTC recorded earlier for a dossier of this file: refused: the dossier already exists" "$TMP/err"
check_grep "earlier CREATION: so is C's REACTIVATION" "earlier.csv: REACTIVATION of 2026-11-20 08:00:00 UTC .*refused: the dossier is open" "$TMP/err"
check_eq "earlier CREATION: C is open now, the refusal recorded" "open 1" \
	"$(sqlq "SELECT state FROM dossier WHERE ins_c = '$C'") $(sqlq "SELECT count(*) FROM dossier_event WHERE ins_c = '$C' AND evenement = 'REACTIVATION' AND outcome LIKE 'refused:%'")"

# bad lines, each named; the good ones around them imported
badkey=$(echo "$A" | sed 's/.$/X/; s/X$/0/')
[ "$badkey" = "$A" ] && badkey=$(echo "$A" | sed 's/.$/1/')
{
	echo 'INS_C;EVENEMENT;HORODATAGE'
	echo "$D;CREATION;2026-11-16T09:00:00+01:00"
	echo "$badkey;FERMETURE;2026-11-16T09:00:00+01:00"
	echo "$D;OUVERTURE;2026-11-16T09:00:00+01:00"
	echo "$D;FERMETURE;2026-02-30T10:00:00+01:00"
	echo "$D;FERMETURE;2026-11-16T09:00:00"
	echo "$D;FERMETURE"
	echo "12345;DECES;2026-11-16T09:00:00Z"
	echo "$D;DECES;2026-11-16T24:00:00Z"
	echo "$D;DECES;2026-12-16T09:00:00.1234567Z"
	echo "$D;LEVEE_OPPOSITION;2026-11-24T18:00:00+14:00"
} >"$TMP/bad.csv"
check_exit 65 "bad lines: exit 65" "$DMPREMB" dossiers import "$TMP/bad.csv"
check_eq "bad lines: counts" "10 2 0 8 1" \
	"$(report 'lines read') $(report imported) $(report 'already known') $(report rejected) $(report 'new dossiers')"
check_grep "bad key: file, line 3 and INS_C named" "bad.csv line 3: INS_C " "$TMP/err"
check_grep "unknown event: line 4 EVENEMENT" "line 4: EVENEMENT " "$TMP/err"
check_grep "no such date: line 5 HORODATAGE" "line 5: HORODATAGE .*no such date" "$TMP/err"
check_grep "no offset: line 6 HORODATAGE" "line 6: HORODATAGE " "$TMP/err"
check_grep "field count: line 7" "line 7: line does not have 3 fields" "$TMP/err"
check_grep "short INS-C: line 8" "line 8: INS_C " "$TMP/err"
check_grep "hour 24: line 9" "line 9: HORODATAGE .*time of day" "$TMP/err"
check_grep "7 fraction digits: line 10" "line 10: HORODATAGE " "$TMP/err"
check_grep "summary names the rejected count" "8 of 10 lines" "$TMP/err"
check_eq "bad lines: no INS-C on stderr" 0 "$(grep -c '[0-9]\{22\}' "$TMP/err")"
check_eq "bad lines: D's two events stored" 2 "$(sqlq "SELECT count(*) FROM dossier_event WHERE ins_c = '$D'")"
check_eq "bad lines: the run says refused, 65" "refused 65 8" \
	"$(sql "SELECT outcome, exit_code, counts->>'rejected' FROM run WHERE command = 'dossiers-import' ORDER BY run_id DESC LIMIT 1" | tr '|' ' ')"

# an event dated in the future is refused (the others are imported), whatever today is
{
	echo 'INS_C;EVENEMENT;HORODATAGE'
	echo "$D;FERMETURE;2099-01-01T00:00:00Z"
	echo "$D;OPPOSITION;2026-11-25T09:00:00Z"
} >"$TMP/future.csv"
check_exit 65 "an event dated in the future: exit 65" "$DMPREMB" dossiers import "$TMP/future.csv"
check_grep "... its line named, with why" "future.csv line 2: HORODATAGE is in the future" "$TMP/err"
check_eq "... rejected, the other imported" "2 1 1" "$(report 'lines read') $(report imported) $(report rejected)"
check_eq "... and never recorded" 0 "$(sqlq "SELECT count(*) FROM dossier_event WHERE ins_c = '$D' AND event_at > now()")"

# standard input
printf 'INS_C;EVENEMENT;HORODATAGE\n%s;CREATION;2026-11-18T09:00:00Z\n%s;DECES;2026-11-30T09:00:00Z\n' "$E" "$E" >"$TMP/stdin.csv"
check_exit 0 "stdin '-': exit 0" sh -c '"$DMPREMB" dossiers import - <"$TMP/stdin.csv"'
check_eq "stdin '-': 2 imported, 1 new dossier" "2 2 1" \
	"$(report 'lines read') $(report imported) $(report 'new dossiers')"
check_eq "stdin '-': dossier of E exists" 1 "$(sqlq "SELECT count(*) FROM dossier WHERE ins_c = '$E'")"

# refused whole: wrong header, empty file; missing file; usage
events_before=$(sql 'SELECT count(*) FROM dossier_event')
check_eq "the events so far (11 from the files above, 1 after the future one)" 12 "$events_before"
printf 'INS_C;EVENT;HORODATAGE\n%s;CREATION;2027-01-01T00:00:00Z\n' "$A" >"$TMP/header.csv"
check_exit 65 "wrong header: exit 65" "$DMPREMB" dossiers import "$TMP/header.csv"
check_grep "wrong header: named" "line 1: header must be INS_C;EVENEMENT;HORODATAGE" "$TMP/err"
: >"$TMP/empty.csv"
check_exit 65 "empty file: exit 65" "$DMPREMB" dossiers import "$TMP/empty.csv"
check_eq "refused files: nothing stored" "$events_before" "$(sql 'SELECT count(*) FROM dossier_event')"
check_exit 66 "missing file: exit 66" "$DMPREMB" dossiers import "$TMP/nope.csv"
check_exit 64 "no FILE: usage error" "$DMPREMB" dossiers import
check_exit 64 "unknown subcommand: usage error" "$DMPREMB" dossiers export x
check "--help" "$DMPREMB" dossiers --help

finish
