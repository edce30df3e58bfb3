#!/bin/sh
# tests/cli/t0700-lifecycle.sh — dossier lifecycle events and due-ness, end
# to end: events imported progressively, as the DMP platform sends them,
# between feeds run at chosen instants (--as-of). The issue's scenarios, each
# asserted exactly (which dossiers a feed stores, and nothing else):
#
#   created Monday 10:00 -> fed at 11:00; nothing due at 12:00; refreshed at
#   +7 days (not a minute before); closed -> not fed, document kept;
#   reactivated -> fed; deleted -> documents, versions, traces, claims and
#   identity gone at once, a later batch does not bring them back; objection
#   and its lifting; death (a later REACTIVATION refused); duplicated and
#   out-of-order events; a CREATION after --as-of is not fed at that as-of;
#   the order of a bounded run (first feeds oldest first, then the oldest
#   refreshes); --refresh-days; the same events in any order and split give
#   the same dossiers and outcomes; every feed recorded in dmpremb.run.
#
# Persons are batch-demo's, named by their beneficiaires.csv line number
# (the only thing printed); their INS-Cs stay in $TMP files and shell
# variables, and a public.t_person table maps numbers to INS-Cs in SQL.
. "$TESTLIB"
demo="$FIXTURES/batch-demo"

# queries that hold an INS-C: psql would echo the query with an error
sqlq() {
	sql "$1" 2>/dev/null
}

# every output of every dmpremb run, for the leak check at the end
: >"$TMP/outputs"
# dm WANT "desc" ARGS...: dmpremb ARGS must exit WANT; output kept in $TMP/out, $TMP/err
dm() {
	want=$1; desc=$2; shift 2
	check_exit "$want" "$desc" "$DMPREMB" "$@"
	cat "$TMP/out" "$TMP/err" >>"$TMP/outputs"
}

# value "LABEL: N" of a dossiers import report
report() {
	sed -n "s/^$1: //p" "$TMP/out"
}

# setup_db NAME: a fresh database with the fixture referentials, batch-demo
# and the person map
setup_db() {
	new_db "$1"
	"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
		>"$TMP/setup" 2>&1 &&
	"$DMPREMB" ingest "$demo" --max-reject-ratio 0.5 >>"$TMP/setup" 2>&1 ||
		{ echo "setup of $1 failed"; tail -5 "$TMP/setup" | sed 's/^/    | /'; exit 1; }
	cat "$TMP/setup" >>"$TMP/outputs"
	person_map
}

# person_map: public.t_person (n = beneficiaires.csv line, ins_c), outside
# the dmpremb schema so that db_digest does not see it
person_map() {
	sql "CREATE TABLE public.t_person (n int PRIMARY KEY, ins_c text NOT NULL UNIQUE)" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -c "\\copy public.t_person FROM '$TMP/persons.tsv'" >/dev/null 2>&1 ||
		{ echo "cannot load the person map"; exit 1; }
}

# --- the persons: INS-C of each batch-demo line, computed once by dmpremb
new_db lifecycle_map
"$DMPREMB" ingest "$demo" --max-reject-ratio 0.5 >"$TMP/setup" 2>&1 ||
	{ echo "batch-demo does not load"; tail -5 "$TMP/setup" | sed 's/^/    | /'; exit 1; }
: >"$TMP/persons.tsv"
for n in $(awk 'NR > 1 {print NR}' "$demo/beneficiaires.csv"); do
	nir=$(sed -n "${n}p" "$demo/beneficiaires.csv" | cut -d';' -f1 | tr -d '"\357\273\277')
	c=$(sqlq "SELECT ins_c FROM beneficiary WHERE ben_nir = '$nir'")
	[ -n "$c" ] && printf '%s\t%s\n' "$n" "$c" >>"$TMP/persons.tsv"
done
check_eq "every batch-demo identity but the rejected one has an INS-C" 20 "$(wc -l <"$TMP/persons.tsv")"
# ic N: INS-C of person N (never printed)
ic() {
	awk -F'\t' -v n="$1" '$1 == n {print $2}' "$TMP/persons.tsv"
}
# ev N EVENT TIME: an events line for person N
ev() {
	printf '%s;%s;%s\n' "$(ic "$1")" "$2" "$3"
}
HEADER='INS_C;EVENEMENT;HORODATAGE'

# fed_at T: the persons with a version generated at T, by number
fed_at() {
	sql "SELECT coalesce(string_agg(p.n::text, ' ' ORDER BY p.n), '-') FROM document_version v
	     JOIN t_person p USING (ins_c) WHERE v.generated_at = '$1'::timestamptz"
}
# fed_order T: the same, in the order they were stored (trace_no: with
# --chunk 1 each dossier is its own transaction)
fed_order() {
	sql "SELECT coalesce(string_agg(p.n::text, ' ' ORDER BY t.trace_no), '-') FROM trace t
	     JOIN document_version v USING (ins_c, version) JOIN t_person p USING (ins_c)
	     WHERE v.generated_at = '$1'::timestamptz"
}
# versions N: "versions traces documents(version)" of person N
versions() {
	sql "SELECT (SELECT count(*) FROM document_version v WHERE v.ins_c = p.ins_c) || ' ' ||
	            (SELECT count(*) FROM trace t WHERE t.ins_c = p.ins_c) || ' ' ||
	            coalesce((SELECT d.version::text FROM document d WHERE d.ins_c = p.ins_c), '-')
	     FROM t_person p WHERE p.n = $1"
}
# state N: "state opposition" of person N's dossier
state() {
	sql "SELECT coalesce((SELECT d.state || ' ' || d.opposition FROM dossier d WHERE d.ins_c = p.ins_c), 'none')
	     FROM t_person p WHERE p.n = $1"
}
# outcomes N: person N's events "EVENT=outcome-word" in fold order
outcomes() {
	sql "SELECT string_agg(e.evenement || '=' || split_part(e.outcome, ':', 1), ' '
	       ORDER BY e.event_at, array_position(ARRAY['CREATION', 'REACTIVATION', 'LEVEE_OPPOSITION',
	                'OPPOSITION', 'FERMETURE', 'DECES', 'SUPPRESSION'], e.evenement))
	     FROM dossier_event e JOIN t_person p USING (ins_c) WHERE p.n = $1"
}
# rows N: "identities claim-lines stays" stored for person N
rows() {
	sql "SELECT (SELECT count(*) FROM beneficiary b WHERE b.ins_c = p.ins_c) || ' ' ||
	            (SELECT count(*) FROM claim_line c WHERE c.ins_c = p.ins_c) || ' ' ||
	            (SELECT count(*) FROM hospital_stay h WHERE h.ins_c = p.ins_c)
	     FROM t_person p WHERE p.n = $1"
}

# feed AS_OF [OPTIONS]: a feed of the due dossiers; report kept in $TMP/feed.out
feed() {
	as=$1; shift
	dm 0 "feed --as-of $as${*:+ $*}" feed --as-of "$as" --jobs 2 "$@"
	cp "$TMP/out" "$TMP/feed.out"
}
# planned: "N M" of "dossiers planned N (M first feeds)"; stored: "documents stored N"
planned() {
	sed -n 's/^ *dossiers planned *\([0-9]*\) *(\([0-9]*\) first feeds)$/\1 \2/p' "$TMP/feed.out"
}
stored() {
	sed -n 's/^ *documents stored *\([0-9]*\) .*/\1/p' "$TMP/feed.out"
}

# ============================================================================
# The story of one week and a day, in one database. Monday 16/11/2026.
#   3  created Mon 10:00: fed 11:00, not at 12:00, refreshed Mon 23 11:00
#   4  created Mon 10:00, closed Tue 09:00, reactivated Tue 24 09:00
#   21 created Mon 10:00, deleted Tue 09:00 (claims and a stay)
#   6  created Tue 08:00 with an objection at 08:30, lifted Wed 09:00
#   12 created Mon 10:00, objection Tue 09:00, lifted Wed 09:00: due at once
#   7  created Mon 10:00, deceased Tue 09:00, a REACTIVATION Wed refused
#   8  out of order: its FERMETURE and REACTIVATION (Mon 09:15, 09:30) come
#      first and wait, its CREATION (Mon 09:00) comes the next day
#   9  its CREATION (Tue 14:00) is recorded on Monday, ahead of time
#   10 closed Tue 09:00, reactivated Thu 09:00, then a DECES of Wed 12:00
#      arrives late: the reactivation recorded earlier becomes refused
# ============================================================================
setup_db lifecycle
MON=2026-11-16
check_eq "16/11/2026 is a Monday" Monday "$(LC_ALL=C date -d $MON +%A)"
check_eq "person 21 (to be deleted) has an identity, claim lines and a stay" "1 1 1" \
	"$(rows 21 | awk '{print $1, ($2 > 0), ($3 > 0)}')"

# --- Monday 10:30: the first events; one line twice, person 8's out of order
{
	echo "$HEADER"
	ev 3 CREATION ${MON}T10:00:00+01:00
	ev 4 CREATION ${MON}T10:00:00+01:00
	ev 21 CREATION ${MON}T10:00:00+01:00
	ev 7 CREATION ${MON}T10:00:00+01:00
	ev 10 CREATION ${MON}T10:00:00+01:00
	ev 12 CREATION ${MON}T10:00:00+01:00
	ev 3 CREATION ${MON}T10:00:00+01:00
	ev 9 CREATION 2026-11-17T14:00:00+01:00
	ev 8 REACTIVATION ${MON}T09:30:00+01:00
	ev 8 FERMETURE ${MON}T09:15:00+01:00
} >"$TMP/e1.csv"
dm 0 "e1: imported" dossiers import "$TMP/e1.csv"
check_eq "e1: 10 lines read, 9 imported, the line given twice already known, 8 new dossiers" "10 9 1 8" \
	"$(report 'lines read') $(report imported) $(report 'already known') $(report 'new dossiers')"
check_eq "e1: a duplicated event is stored once" 1 \
	"$(sql "SELECT count(*) FROM dossier_event e JOIN t_person p USING (ins_c) WHERE p.n = 3")"
check_eq "e1: 7 applied, person 8's two events wait for a CREATION" "7 2 0" \
	"$(report 'events applied') $(report 'events waiting for a CREATION') $(report 'events refused')"
check_eq "e1: person 8 is unknown, its events waiting" "unknown false|FERMETURE=waiting REACTIVATION=waiting" \
	"$(state 8)|$(outcomes 8)"
check_eq "e1: person 9 is open, due when created (Tuesday 14:00)" "open false 2026-11-17 13:00:00" \
	"$(state 9) $(sql "SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM dossier d JOIN t_person p USING (ins_c) WHERE p.n = 9")"
check_eq "e1: created_at = due_at = the CREATION instant" 6 \
	"$(sql "SELECT count(*) FROM dossier d JOIN t_person p USING (ins_c) WHERE p.n IN (3, 4, 7, 10, 12, 21)
	        AND created_at = '${MON}T10:00:00+01:00' AND due_at = created_at AND last_fed_at IS NULL")"

# --- Monday 11:00: the six created at 10:00 are fed; not 9 (created
# after the as-of), not 8 (no CREATION yet)
T1=${MON}T11:00:00+01:00
feed $T1
check_eq "Mon 11:00: planned 6 (6 first feeds), 6 stored" "6 6 6" "$(planned) $(stored)"
check_eq "Mon 11:00: exactly 3 4 7 10 12 21 fed" "3 4 7 10 12 21" "$(fed_at $T1)"
check_eq "Mon 11:00: each at version 1 with its trace 'a ajouté'" 6 \
	"$(sql "SELECT count(*) FROM document d JOIN trace t USING (ins_c, version)
	        WHERE d.version = 1 AND t.action = 'a ajouté : Données de remboursement' AND d.generated_at = '$T1'")"
check_eq "Mon 11:00: last_fed_at = the as-of" 6 "$(sql "SELECT count(*) FROM dossier WHERE last_fed_at = '$T1'")"
check_eq "Mon 11:00: a CREATION after the as-of is not fed (person 9)" "0 0" \
	"$(versions 9 | cut -d' ' -f1-2)"

# --- Monday 12:00: nothing due
T2=${MON}T12:00:00+01:00
before=$(db_digest)
feed $T2
check_eq "Mon 12:00: nothing planned, nothing stored" "0 0 0" "$(planned) $(stored)"
check_eq "Mon 12:00: the database is unchanged" "$before" "$(db_digest)"

# --- Tuesday morning: the late CREATION of 8; 4 and 10 closed, 6 created
# under an objection, 12 under an objection, 7 deceased, 21 deleted
{
	echo "$HEADER"
	ev 8 CREATION ${MON}T09:00:00+01:00
	ev 4 FERMETURE 2026-11-17T09:00:00+01:00
	ev 6 CREATION 2026-11-17T08:00:00+01:00
	ev 6 OPPOSITION 2026-11-17T08:30:00+01:00
	ev 7 DECES 2026-11-17T09:00:00+01:00
	ev 21 SUPPRESSION 2026-11-17T09:00:00+01:00
	ev 10 FERMETURE 2026-11-17T09:00:00+01:00
	ev 12 OPPOSITION 2026-11-17T09:00:00+01:00
} >"$TMP/e2.csv"
before21=$(rows 21)
check_eq "before the deletion: 21 has its document, version, trace, identity and claims" \
	"1 1 1 1 1" "$(versions 21) $(rows 21 | cut -d' ' -f1) $(sql "SELECT (count(*) > 0)::int FROM claim_line c JOIN t_person p USING (ins_c) WHERE p.n = 21")"
dm 0 "e2: imported" dossiers import "$TMP/e2.csv"
# (the counts are of the re-fold: every event of the six dossiers touched)
check_eq "e2: 8 imported, 1 new dossier (6), 7 re-folded, their 15 events applied, 1 deleted" "8 1 7 15 0 0 1" \
	"$(report imported) $(report 'new dossiers') $(report 'dossiers re-folded') $(report 'events applied') $(report 'events waiting for a CREATION') $(report 'events refused') $(report 'dossiers deleted')"
check_eq "e2: 8's late CREATION: its history folds in time order, every event applied" \
	"open false|CREATION=applied FERMETURE=applied REACTIVATION=applied" "$(state 8)|$(outcomes 8)"
check_eq "e2: 8 is due since its REACTIVATION (09:30), created at 09:00" "${MON} 08:30:00 ${MON} 08:00:00" \
	"$(sql "SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' ' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM dossier d JOIN t_person p USING (ins_c) WHERE p.n = 8")"
check_eq "e2: 4 closed, its document kept" "closed false|1 1 1" "$(state 4)|$(versions 4)"
check_eq "e2: 6 and 12 open under an objection" "open true|open true" "$(state 6)|$(state 12)"
check_eq "e2: 7 deceased, nothing destroyed" "deceased false|1 1 1" "$(state 7)|$(versions 7)"
check_eq "e2: 21's document, versions and traces destroyed" "0 0 -" "$(versions 21)"
check_eq "e2: 21's identity, claim lines and stays destroyed" "0 0 0" "$(rows 21)"
check_eq "e2: 21 is a tombstone (deleted, no created_at, due_at, last_fed_at, objection)" "1" \
	"$(sql "SELECT count(*) FROM dossier d JOIN t_person p USING (ins_c) WHERE p.n = 21 AND state = 'deleted'
	        AND created_at IS NULL AND due_at IS NULL AND last_fed_at IS NULL AND NOT opposition AND deleted_at IS NOT NULL")"
check_eq "e2: nothing of the other dossiers destroyed" "5 5 5" \
	"$(sql "SELECT count(*) FROM document") $(sql "SELECT count(*) FROM document_version") $(sql "SELECT count(*) FROM trace")"
check_eq "e2: the import run counts the deletion and the destroyed document" "ok 1 1" \
	"$(sql "SELECT outcome, counts->>'dossiers_deleted', counts->>'documents_destroyed' FROM run WHERE command = 'dossiers-import' ORDER BY run_id DESC LIMIT 1" | tr '|' ' ')"

# --- the same files again: nothing changes
before=$(db_digest)
dm 0 "e2 again: exit 0" dossiers import "$TMP/e2.csv"
check_eq "e2 again: 0 imported, 8 already known, nothing re-folded or deleted" "0 8 0 0" \
	"$(report imported) $(report 'already known') $(report 'dossiers re-folded') $(report 'dossiers deleted')"
dm 0 "e1 again: exit 0" dossiers import "$TMP/e1.csv"
check_eq "e1 again: 0 imported, 10 already known" "0 10" "$(report imported) $(report 'already known')"
check_eq "e1, e2 again: the database is unchanged" "$before" "$(db_digest)"

# --- Tuesday 12:00: only 8 (6 has an objection, 9 is created at 14:00,
# 12 was fed an hour after its creation and has an objection now,
# 4 and 10 closed, 7 deceased, 21 deleted)
T3=2026-11-17T12:00:00+01:00
feed $T3
check_eq "Tue 12:00: planned 1 (1 first feed), stored 1" "1 1 1" "$(planned) $(stored)"
check_eq "Tue 12:00: exactly 8 fed" "8" "$(fed_at $T3)"
check_eq "Tue 12:00: a CREATION after the as-of (9) is still not fed" "0 0 -" "$(versions 9)"
T4=2026-11-17T15:00:00+01:00
feed $T4
check_eq "Tue 15:00: exactly 9 fed, an hour after its CREATION" "1 1 1|9" "$(planned) $(stored)|$(fed_at $T4)"
# an objection stands: not even a named feed stores it; nor a closed dossier
ic 6 >"$TMP/list6"
ic 4 >>"$TMP/list6"
T4b=2026-11-17T16:00:00+01:00
dm 0 "Tue 16:00: feed --ins-c naming 6 (objection) and 4 (closed)" feed --as-of $T4b --ins-c "$TMP/list6"
cp "$TMP/out" "$TMP/feed.out"
check_eq "Tue 16:00: nothing stored for them" "0|0 0 -|1 1 1" "$(stored)|$(versions 6)|$(versions 4)"

# --- Wednesday, Thursday: 6's objection lifted, 7's REACTIVATION (refused:
# deceased), 10 reactivated, 12's objection lifted (both fed 3 days before:
# due at once, not at the weekly refresh)
{
	echo "$HEADER"
	ev 6 LEVEE_OPPOSITION 2026-11-18T09:00:00+01:00
	ev 7 REACTIVATION 2026-11-18T09:00:00+01:00
	ev 10 REACTIVATION 2026-11-19T09:00:00+01:00
	ev 12 LEVEE_OPPOSITION 2026-11-18T09:00:00+01:00
} >"$TMP/e3.csv"
dm 0 "e3: a refused REACTIVATION is said, exit 0" dossiers import "$TMP/e3.csv"
check_eq "e3: 4 imported; 6's, 10's and 12's events applied, 7's refused" "4 1" \
	"$(report imported) $(report 'events refused')"
check_grep "e3: the refusal names the file, the line and the reason" \
	"e3.csv line 3: REACTIVATION refused: the holder is deceased" "$TMP/err"
check_eq "e3: the refusal is stored; 7 stays deceased" "deceased false|CREATION=applied DECES=applied REACTIVATION=refused" \
	"$(state 7)|$(outcomes 7)"
check_eq "e3: 6 open, objection lifted, due since the lifting" "open false 2026-11-18 08:00:00" \
	"$(state 6) $(sql "SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM dossier d JOIN t_person p USING (ins_c) WHERE p.n = 6")"
check_eq "e3: the run says ok, exit 0, 1 refused" "ok 0 1" \
	"$(sql "SELECT outcome, exit_code, counts->>'events_refused' FROM run WHERE command = 'dossiers-import' ORDER BY run_id DESC LIMIT 1" | tr '|' ' ')"

T5=2026-11-19T10:00:00+01:00
feed $T5
check_eq "Thu 10:00: planned 3 first feeds, stored 3" "3 3 3" "$(planned) $(stored)"
check_eq "Thu 10:00: exactly 6, 12 (objection lifted) and 10 (reactivated)" "6 10 12" "$(fed_at $T5)"
check_eq "Thu 10:00: 12 at version 2" "2 2 2" "$(versions 12)"
check_eq "Thu 10:00: 10 at version 2, 'a modifié'" "2 2 2|a modifié : Données de remboursement" \
	"$(versions 10)|$(sql "SELECT t.action FROM trace t JOIN t_person p USING (ins_c) WHERE p.n = 10 AND t.version = 2")"

# --- a DECES of Wednesday 12:00 arrives after 10's reactivation of Thursday
{
	echo "$HEADER"
	ev 10 DECES 2026-11-18T12:00:00+01:00
} >"$TMP/e4.csv"
dm 0 "e4: a late DECES, exit 0" dossiers import "$TMP/e4.csv"
check_grep "e4: the reactivation recorded earlier, now refused, is said by its instant" \
	"e4.csv: REACTIVATION of 2026-11-19 08:00:00 UTC recorded earlier for a dossier of this file: refused: the holder is deceased" "$TMP/err"
check_eq "e4: 10 is deceased; the fold in time order" \
	"deceased false|CREATION=applied FERMETURE=applied DECES=applied REACTIVATION=refused" "$(state 10)|$(outcomes 10)"

# --- the week: 3 is due again at Monday 23 11:00, not a minute before; 4
# (closed) and 7 (deceased), fed the same hour, are not
T6=2026-11-23T10:59:00+01:00
feed $T6
check_eq "Mon 23 10:59: nothing planned, nothing stored" "0 0 0" "$(planned) $(stored)"
T7=2026-11-23T11:00:00+01:00
feed $T7
check_eq "Mon 23 11:00: planned 1 refresh, stored 1" "1 0 1" "$(planned) $(stored)"
check_eq "Mon 23 11:00: exactly 3 refreshed" "3" "$(fed_at $T7)"
check_eq "Mon 23 11:00: 3 at version 2, last fed at the as-of" "2 2 2 1" \
	"$(versions 3) $(sql "SELECT count(*) FROM dossier d JOIN t_person p USING (ins_c) WHERE p.n = 3 AND last_fed_at = '$T7'")"
check_eq "Mon 23 11:00: closed 4 keeps its version-1 document of Mon 11:00" "closed false|1 1 1|1" \
	"$(state 4)|$(versions 4)|$(sql "SELECT (generated_at = '$T1')::int FROM document d JOIN t_person p USING (ins_c) WHERE p.n = 4")"

# --- Tuesday 24: 4 reactivated -> fed (a first feed); 8 (fed Tue 12:00) not yet
{
	echo "$HEADER"
	ev 4 REACTIVATION 2026-11-24T09:00:00+01:00
} >"$TMP/e5.csv"
dm 0 "e5: 4 reactivated" dossiers import "$TMP/e5.csv"
T8=2026-11-24T10:00:00+01:00
feed $T8
check_eq "Tue 24 10:00: planned 1 first feed, stored 1" "1 1 1" "$(planned) $(stored)"
check_eq "Tue 24 10:00: exactly 4 fed, at version 2" "4|2 2 2" "$(fed_at $T8)|$(versions 4)"

# --- the deleted dossier: never fed, never rendered, never loaded again
ic 21 >"$TMP/list21"
T9=2026-11-24T11:00:00+01:00
dm 0 "deleted: feed --ins-c naming it" feed --as-of $T9 --ins-c "$TMP/list21"
cp "$TMP/out" "$TMP/feed.out"
check_eq "deleted: the named feed stores nothing" "0|0 0 -" "$(stored)|$(versions 21)"
dm 65 "deleted: render refuses it (exit 65)" render "$(ic 21)" --as-of $T9
dm 66 "deleted: render --reason exits 66 (no identity)" render "$(ic 21)" --as-of $T9 --reason "test t0700"
dm 0 "deleted: batch-demo again (--force)" ingest "$demo" --force
check_eq "deleted: batch-demo again stores nothing for it" "0 0 0" "$(rows 21)"
# the same files under a reordered manifest: a new batch, every line of
# the others a duplicate, the deleted person's lines filtered
mkdir -p "$TMP/later"
cp "$demo"/*.csv "$TMP/later/"
{ head -1 "$demo/manifest.csv"; sed 1d "$demo/manifest.csv" | sort -r; } >"$TMP/later/manifest.csv"
dm 0 "deleted: a later batch with its lines" ingest "$TMP/later" --max-reject-ratio 0.5
check_eq "deleted: the later batch is applied, its lines filtered (DOSSIER_SUPPRIME)" "1 1" \
	"$(sql "SELECT count(*) FROM batch WHERE label = 'later' AND status = 'applied'") $(sql "SELECT (sum(coalesce((filtered_by_rule->>'DOSSIER_SUPPRIME')::int, 0)) > 0)::int
	        FROM batch_file JOIN batch USING (batch_id) WHERE label = 'later'")"
check_eq "deleted: no identity, claim line or stay came back" "0 0 0" "$(rows 21)"
check_eq "deleted: the later batch filtered exactly the identity, claim lines and stays destroyed" "$before21" \
	"$(sql "SELECT sum(n) FILTER (WHERE file_name = 'beneficiaires.csv') || ' ' ||
	               sum(n) FILTER (WHERE file_name IN ('pharmacie.csv', 'actes.csv', 'radiologie.csv', 'biologie.csv')) || ' ' ||
	               sum(n) FILTER (WHERE file_name = 'hospitalisation.csv')
	        FROM (SELECT file_name, coalesce((filtered_by_rule->>'DOSSIER_SUPPRIME')::int, 0) n
	              FROM batch_file JOIN batch USING (batch_id) WHERE label = 'later') x")"
check_eq "deleted: still a tombstone" "deleted false" "$(state 21)"

# --- Tuesday 24 12:00: 8's weekly refresh; 21 still nothing
T10=2026-11-24T12:00:00+01:00
feed $T10
check_eq "Tue 24 12:00: exactly 8 refreshed" "1 0 1|8" "$(planned) $(stored)|$(fed_at $T10)"

# --- the whole story
check_eq "versions of each person (3 4 6 7 8 9 10 12 21)" "2 2 1 1 2 1 2 2 0" \
	"$(for n in 3 4 6 7 8 9 10 12 21; do versions $n | cut -d' ' -f1; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "one trace per version, no orphan" "13 0" \
	"$(sql "SELECT count(*) FROM trace") $(sql "SELECT count(*) FROM trace t FULL JOIN document_version v USING (ins_c, version) WHERE t.ins_c IS NULL OR v.ins_c IS NULL")"
check_eq "versions numbered 1..n without gap" 0 \
	"$(sql "SELECT count(*) FROM (SELECT ins_c FROM document_version GROUP BY ins_c HAVING max(version) <> count(*)) x")"
check_eq "the run table records each feed: 'feed', ok, its documents" \
	"11|ok|6 0 1 1 0 3 0 1 1 0 1" \
	"$(sql "SELECT count(*) FROM run WHERE command = 'feed'")|$(sql "SELECT string_agg(DISTINCT outcome, ',') FROM run WHERE command = 'feed'")|$(sql "SELECT string_agg(counts->>'documents', ' ' ORDER BY run_id) FROM run WHERE command = 'feed'")"
check_eq "each feed's run keeps its as-of" 0 \
	"$(sql "SELECT count(*) FROM run WHERE command = 'feed' AND NOT (counts ? 'as_of')")"

# ============================================================================
# Order of a bounded run, and --refresh-days, in a second database.
#   11 created Mon 08:00, fed Mon 09:00    (oldest refresh)
#   12 created Mon 08:30, fed Mon 10:00    (newer refresh)
#   13, 14, 15 created Tue 10:00, 09:00, 11:00 (first feeds, never fed)
# At Mon 23 12:00 all five are due: 14 13 15 then 11 12.
# ============================================================================
setup_db lifecycle_order
{
	echo "$HEADER"
	ev 12 CREATION ${MON}T08:30:00+01:00
	ev 11 CREATION ${MON}T08:00:00+01:00
} >"$TMP/o1.csv"
dm 0 "order: 11 and 12 created" dossiers import "$TMP/o1.csv"
feed ${MON}T09:00:00+01:00 --max-dossiers 1
check_eq "order: --max-dossiers 1 feeds the older creation (11)" "1 1 1|11" \
	"$(planned) $(stored)|$(fed_at ${MON}T09:00:00+01:00)"
feed ${MON}T10:00:00+01:00
check_eq "order: then 12" "1 1 1|12" "$(planned) $(stored)|$(fed_at ${MON}T10:00:00+01:00)"
{
	echo "$HEADER"
	ev 13 CREATION 2026-11-17T10:00:00+01:00
	ev 15 CREATION 2026-11-17T11:00:00+01:00
	ev 14 CREATION 2026-11-17T09:00:00+01:00
} >"$TMP/o2.csv"
dm 0 "order: 13, 14, 15 created" dossiers import "$TMP/o2.csv"
TO=2026-11-23T12:00:00+01:00
feed $TO --max-dossiers 2 --chunk 1 --jobs 1
check_eq "order: --max-dossiers 2 plans the two oldest first feeds" "2 2 2" "$(planned) $(stored)"
check_eq "order: 14 then 13, before the older refreshes" "14 13" "$(fed_order $TO)"
feed $TO --max-dossiers 2 --chunk 1 --jobs 1
check_eq "order: next run: the last first feed, then one refresh" "2 1 2" "$(planned) $(stored)"
check_eq "order: 15 then 11 (the oldest last_fed_at)" "14 13 15 11" "$(fed_order $TO)"
feed $TO --max-dossiers 2 --chunk 1 --jobs 1
check_eq "order: last run: the newer refresh (12)" "1 0 1|14 13 15 11 12" "$(planned) $(stored)|$(fed_order $TO)"
feed $TO
check_eq "order: then nothing is due at that as-of" "0 0 0" "$(planned) $(stored)"

# --refresh-days: all five were fed at Mon 23 12:00
feed 2026-11-26T12:00:00+01:00
check_eq "refresh: default 7 days: nothing due 3 days later" "0 0 0" "$(planned) $(stored)"
feed 2026-11-25T12:00:00+01:00 --refresh-days 3
check_eq "refresh: --refresh-days 3: nothing due 2 days later" "0 0 0" "$(planned) $(stored)"
feed 2026-11-26T11:59:59+01:00 --refresh-days 3
check_eq "refresh: --refresh-days 3: nothing due a second before 3 days" "0 0 0" "$(planned) $(stored)"
feed 2026-11-26T12:00:00+01:00 --refresh-days 3
check_eq "refresh: --refresh-days 3: all five due 3 days later, as refreshes" "5 0 5" "$(planned) $(stored)"
check_eq "refresh: each of the five at its next version" "11 12 13 14 15" \
	"$(sql "SELECT string_agg(p.n::text, ' ' ORDER BY p.n) FROM document d JOIN t_person p USING (ins_c) WHERE d.version = 3 - (p.n >= 13)::int AND d.generated_at = '2026-11-26T12:00:00+01:00'")"

# ============================================================================
# Out of order: one set of events, imported in time order into one fresh
# database, and reversed, split and repeated into another, then one event
# per import in a shuffled order into a third: the dossiers and the events'
# outcomes must be the same. (No batch is needed: only dossier tables.)
# ============================================================================
{
	# 3: objection, lifting, closing, reactivation
	ev 3 CREATION 2026-10-01T10:00:00+02:00
	ev 3 OPPOSITION 2026-10-02T10:00:00+02:00
	ev 3 LEVEE_OPPOSITION 2026-10-03T10:00:00+02:00
	ev 3 FERMETURE 2026-10-04T10:00:00+02:00
	ev 3 REACTIVATION 2026-10-05T10:00:00+02:00
	# 4: death, then a refused REACTIVATION
	ev 4 CREATION 2026-10-01T10:00:00+02:00
	ev 4 DECES 2026-10-02T10:00:00+02:00
	ev 4 REACTIVATION 2026-10-03T10:00:00+02:00
	# 5: a FERMETURE before the CREATION (waits for good), then an objection
	ev 5 FERMETURE 2026-09-30T10:00:00+02:00
	ev 5 CREATION 2026-10-01T10:00:00+02:00
	ev 5 OPPOSITION 2026-10-02T10:00:00+02:00
	# 6: deleted, then a refused REACTIVATION
	ev 6 CREATION 2026-10-01T10:00:00+02:00
	ev 6 SUPPRESSION 2026-10-02T10:00:00+02:00
	ev 6 REACTIVATION 2026-10-03T10:00:00+02:00
	# 7: a REACTIVATION with no CREATION ever
	ev 7 REACTIVATION 2026-10-01T10:00:00+02:00
	# 8: a second CREATION and a second FERMETURE refused
	ev 8 CREATION 2026-10-01T10:00:00+02:00
	ev 8 CREATION 2026-10-02T10:00:00+02:00
	ev 8 FERMETURE 2026-10-03T10:00:00+02:00
	ev 8 FERMETURE 2026-10-04T10:00:00+02:00
	# 9: CREATION and FERMETURE at the same instant (CREATION first)
	ev 9 FERMETURE 2026-10-01T10:00:00+02:00
	ev 9 CREATION 2026-10-01T10:00:00+02:00
	# 10: lifting and objection at one instant (the lifting ranks first)
	ev 10 CREATION 2026-10-01T10:00:00+02:00
	ev 10 OPPOSITION 2026-10-02T10:00:00+02:00
	ev 10 LEVEE_OPPOSITION 2026-10-02T10:00:00+02:00
	# 11: a deletion before its CREATION is known (no CREATION needed)
	ev 11 SUPPRESSION 2026-10-05T10:00:00+02:00
	ev 11 CREATION 2026-10-01T10:00:00+02:00
} >"$TMP/ooo.body"
nev=$(wc -l <"$TMP/ooo.body")

# lc_digest: md5 of the dossiers (state, objection, created_at, due_at,
# last_event_at) and of the events (instant, event, outcome)
lc_digest() {
	sql "SELECT md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	  SELECT 'D' || concat_ws('|', ins_c, state, opposition, created_at, due_at, last_event_at) FROM dossier
	  UNION ALL SELECT 'E' || concat_ws('|', ins_c, event_at, evenement, outcome) FROM dossier_event) t(r)"
}
# lc_summary: the same, per person, readable (person numbers, no INS-C)
lc_summary() {
	for n in 3 4 5 6 7 8 9 10 11; do
		echo "$n: $(state $n) | $(outcomes $n)"
	done
}

new_db lifecycle_ooo1
person_map
{ echo "$HEADER"; cat "$TMP/ooo.body"; } >"$TMP/ooo-all.csv"
dm 0 "in order: one file" dossiers import "$TMP/ooo-all.csv"
check_eq "in order: every event imported" "$nev" "$(report imported)"
lc_summary >"$TMP/ooo1.summary"
cat >"$TMP/ooo.want" <<'EOF'
3: open false | CREATION=applied OPPOSITION=applied LEVEE_OPPOSITION=applied FERMETURE=applied REACTIVATION=applied
4: deceased false | CREATION=applied DECES=applied REACTIVATION=refused
5: open true | FERMETURE=waiting CREATION=applied OPPOSITION=applied
6: deleted false | CREATION=applied SUPPRESSION=applied REACTIVATION=refused
7: unknown false | REACTIVATION=waiting
8: closed false | CREATION=applied CREATION=refused FERMETURE=applied FERMETURE=refused
9: closed false | CREATION=applied FERMETURE=applied
10: open true | CREATION=applied LEVEE_OPPOSITION=refused OPPOSITION=applied
11: deleted false | CREATION=applied SUPPRESSION=applied
EOF
if cmp -s "$TMP/ooo.want" "$TMP/ooo1.summary"; then
	_tally ok "in order: each dossier's state and each event's outcome as the lifecycle says"
else
	_tally fail "in order: each dossier's state and each event's outcome as the lifecycle says"
	diff "$TMP/ooo.want" "$TMP/ooo1.summary" | sed 's/^/    | /'
fi
check_eq "in order: due_at is the last CREATION / REACTIVATION / lifting applied" \
	"2026-10-05 2026-10-01 2026-10-01 2026-10-01" \
	"$(for n in 3 5 8 10; do sql "SELECT (due_at AT TIME ZONE 'UTC')::date FROM dossier d JOIN t_person p USING (ins_c) WHERE p.n = $n"; done | tr '\n' ' ' | sed 's/ $//')"
want_digest=$(lc_digest)

new_db lifecycle_ooo2
person_map
# reversed, in three files imported last one first, the middle one twice
tac "$TMP/ooo.body" >"$TMP/ooo.rev"
third=$(( (nev + 2) / 3 ))
split -l "$third" "$TMP/ooo.rev" "$TMP/ooo.part."
for p in "$TMP"/ooo.part.*; do
	{ echo "$HEADER"; cat "$p"; } >"$p.csv"
done
dm 0 "split: the first third" dossiers import "$TMP/ooo.part.ac.csv"
dm 0 "split: the second third" dossiers import "$TMP/ooo.part.ab.csv"
dm 0 "split: the second third again" dossiers import "$TMP/ooo.part.ab.csv"
dm 0 "split: the last third" dossiers import "$TMP/ooo.part.aa.csv"
check_eq "split: every event stored once" "$nev" "$(sql "SELECT count(*) FROM dossier_event")"
lc_summary >"$TMP/ooo2.summary"
if cmp -s "$TMP/ooo1.summary" "$TMP/ooo2.summary"; then
	_tally ok "split: same states and outcomes as in order"
else
	_tally fail "split: same states and outcomes as in order"
	diff "$TMP/ooo1.summary" "$TMP/ooo2.summary" | sed 's/^/    | /'
fi
check_eq "split: the same dossier and dossier_event contents (digest)" "$want_digest" "$(lc_digest)"

new_db lifecycle_ooo3
person_map
# one import per event, in a fixed shuffled order
awk 'BEGIN {srand(7)} {printf "%.8f\t%s\n", rand(), $0}' "$TMP/ooo.body" | sort | cut -f2- >"$TMP/ooo.shuf"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s\n%s\n' "$HEADER" "$line" >"$TMP/one.csv"
	"$DMPREMB" dossiers import "$TMP/one.csv" >"$TMP/one.out" 2>"$TMP/one.err" || echo "$i" >>"$TMP/one.failed"
	cat "$TMP/one.out" "$TMP/one.err" >>"$TMP/outputs"
done <"$TMP/ooo.shuf"
check_eq "one by one: every import exits 0" "" "$(cat "$TMP/one.failed" 2>/dev/null)"
lc_summary >"$TMP/ooo3.summary"
if cmp -s "$TMP/ooo1.summary" "$TMP/ooo3.summary"; then
	_tally ok "one by one: same states and outcomes as in order"
else
	_tally fail "one by one: same states and outcomes as in order"
	diff "$TMP/ooo1.summary" "$TMP/ooo3.summary" | sed 's/^/    | /'
fi
check_eq "one by one: the same dossier and dossier_event contents (digest)" "$want_digest" "$(lc_digest)"

# --- no NIR, INS-C or name in anything dmpremb printed, nor in this test's output
awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{print $c["BEN_NIR"]; print $c["BEN_NOM_NAI"]; print $c["BEN_PRN"]}' "$demo/beneficiaires.csv" |
	tr -d '"' >"$TMP/secrets"
cut -f2 "$TMP/persons.tsv" >>"$TMP/secrets"
sed -i '/^$/d' "$TMP/secrets"
check "the leak check has identifiers to look for" test "$(wc -l <"$TMP/secrets")" -ge 80
check_eq "no NIR, INS-C or name in any output" "0" "$(grep -c -F -f "$TMP/secrets" "$TMP/outputs")"

finish
