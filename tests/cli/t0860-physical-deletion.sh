#!/bin/sh
# tests/cli/t0860-physical-deletion.sh — a SUPPRESSION destroys the person's
# data on disk, not only in SQL (issue 17 B4). The data files of the database
# are read after a CHECKPOINT and searched for the deleted persons' NIR,
# names and INS-C (the values themselves are never printed: only which
# relation holds how many, named through pg_filenode_relation):
#   - right after the deletion they are still there (what the fix is for);
#   - 'dossiers vacuum' (as the owner; refused to the events role) vacuums
#     exactly the relations recorded in destruction_pending and rewrites the
#     identity tables: no byte of the identity is left in beneficiary or the
#     pseudonyms (what stays in the other relations' free space is printed);
#   - a deletion still running when the vacuum begins keeps its relation
#     pending for the next run;
#   - 'dossiers vacuum --full' rewrites them all: no byte of the persons is
#     left in any relation file but the tombstone's INS-C (dossier,
#     dossier_event: kept by design, docs/lifecycle.md).
# Then the same on a Citus cluster: the identity is in no file of the
# workers' beneficiary shards after 'dossiers vacuum' (VACUUM reaches the
# shards).
. "$TESTLIB"
new_db physdel
demo="$FIXTURES/batch-demo"
AS_OF=2026-11-16T12:00:00+01:00
# the demo, fed: its person 21 deleted by the fixture's SUPPRESSION (before the feed)
demo_fed "$AS_OF"
# the DBA's login: a member of dmpremb_owner, no superuser (made once per cluster)
dba_login() {
	sql "DO \$\$ BEGIN
	       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dmpremb_t_dba') THEN
	         CREATE ROLE dmpremb_t_dba LOGIN; GRANT dmpremb_owner TO dmpremb_t_dba;
	       END IF; END \$\$" >/dev/null
}
dba_login
as_owner() {   # dmpremb under the DBA's login, not a role login
	PGUSER=dmpremb_t_dba "$DMPREMB_UNDER_TEST" "$@"
}

# secrets LINE INS_C: NIR, birth and used names, first names of the person on that
# line of beneficiaires.csv, and the INS-C — each only if no other line of the
# batch holds it (a shared name would be found in another person's rows) and
# it has 5 characters or more (a shorter one is found by chance in the files)
secrets() {
	sed -n "$1p" "$demo/beneficiaires.csv" | tr -d '"\357\273\277' | cut -d';' -f1,4,5,6 | tr ';' '\n' |
	while read -r v; do
		[ "${#v}" -ge 5 ] || continue
		[ "$(cat "$demo"/*.csv | grep -c -F -- "$v")" = 1 ] && echo "$v"
	done
	echo "$2"
}
# the fixture's deleted person (line 21) and one deleted here, after its feed (line 3)
nir3=$(sed -n 3p "$demo/beneficiaires.csv" | cut -d';' -f1 | tr -d '"\357\273\277')
secrets 21 "$(sql "SELECT ins_c FROM dossier_event WHERE evenement = 'SUPPRESSION'")" >"$TMP/secrets"
secrets 3 "$(sql "SELECT ins_c FROM beneficiary WHERE ben_nir = '$nir3'")" >>"$TMP/secrets"
grep -c '^[0-9]\{22\}$' "$TMP/secrets" >"$TMP/n_insc"
check_eq "two persons' identities found (INS-Cs)" 2 "$(cat "$TMP/n_insc")"
check "... with identifying values besides" test "$(wc -l <"$TMP/secrets")" -ge 6
grep '^[0-9]\{22\}$' "$TMP/secrets" >"$TMP/insc"
grep -v '^[0-9]\{22\}$' "$TMP/secrets" >"$TMP/identity"
v21=$(sed -n 1p "$TMP/insc"); v3=$(sed -n 2p "$TMP/insc")
check_eq "person 3 has a document and claims" "1 yes" \
	"$(sql "SELECT count(*) FROM document WHERE ins_c = '$v3'") $(sql "SELECT CASE WHEN count(*) > 0 THEN 'yes' ELSE 'no' END FROM claim_line WHERE ins_c = '$v3'")"

# scan FILE_OF_VALUES: "relation hits" for each relation file of the database
# (of the node PGPORT points at) holding one of the values (the table a
# toast table or an index serves in brackets); never a value
scan() {
	sql CHECKPOINT >/dev/null
	datadir=$(sql "SHOW data_directory")
	dboid=$(sql "SELECT oid FROM pg_database WHERE datname = current_database()")
	for f in "$datadir/base/$dboid"/*; do
		n=$(grep -a -o -F -f "$1" "$f" | wc -l)
		[ "$n" -gt 0 ] || continue
		node=$(basename "$f" | sed 's/[._].*//')
		sql "WITH r AS (SELECT pg_filenode_relation(0, $node) AS r),
		          t AS (SELECT coalesce((SELECT i.indrelid FROM pg_index i, r WHERE i.indexrelid = r.r), (SELECT r FROM r)) AS t)
		     SELECT coalesce((SELECT r::regclass::text FROM r), 'filenode $node') || ' ['
		            || coalesce((SELECT coalesce((SELECT c.oid::regclass::text FROM pg_class c WHERE c.reltoastrelid = t.t), t.t::regclass::text) FROM t), '?')
		            || '] $n'"
	done | sort
}
tombstone='\[(dossier|dossier_event)\]'
catalog='\[pg_[a-z_]*\]'

scan "$TMP/identity" >"$TMP/before"
check_grep "the probe works: the identity is in beneficiary's file before" "^beneficiary \[beneficiary\]" "$TMP/before"

# --- person 3's deletion
{
	head -1 "$FIXTURES/dossiers.csv"
	echo "$v3;SUPPRESSION;2026-11-20T10:00:00+01:00"
} >"$TMP/suppr.csv"
check_exit 0 "the SUPPRESSION is imported" "$DMPREMB" dossiers import "$TMP/suppr.csv"
check_grep "... the dossier deleted" "^dossiers deleted: 1$" "$TMP/out"
check_eq "no row of theirs is left but the tombstones" "0 0 0 0 0 0" \
	"$(for t in document document_version trace claim_line hospital_stay beneficiary; do
	     sql "SELECT count(*) FROM $t WHERE ins_c IN ('$v21', '$v3')"; done | tr '\n' ' ' | sed 's/ $//')"
scan "$TMP/secrets" >"$TMP/deleted"
check "but their bytes are: identity or INS-C in $(wc -l <"$TMP/deleted") relation files" \
	grep -q '^beneficiary \[beneficiary\]' "$TMP/deleted"
check_eq "destruction_pending names what the deletions touched" \
	"analytics_private.dossier_pseudonym:1 backfill_item:0 beneficiary:1 claim_line_202510:0 document:0 document_version:0 dossier:0 hospital_stay:0 trace:0" \
	"$(sql "SELECT string_agg(relation::text || ':' || rewrite::int, ' ' ORDER BY relation::text) FROM destruction_pending
	        WHERE relation::text NOT LIKE 'claim_line_2%' OR relation::text = 'claim_line_202510'")"
check "... with the claim partitions of their months" \
	test "$(sql "SELECT count(*) FROM destruction_pending WHERE relation::text LIKE 'claim_line_2%'")" -ge 2
check_eq "ops reads it (relation names, no identifier)" "$(sql 'SELECT count(*) FROM destruction_pending')" \
	"$(probe_value ops "SELECT count(*) FROM destruction_pending")"

# --- dossiers vacuum: the owner's; the identity tables rewritten
check_exit 78 "dossiers vacuum as the events role: refused (VACUUM needs the owner)" \
	env PGUSER=dmpremb_t_events "$DMPREMB_UNDER_TEST" dossiers vacuum
check_grep "... saying whose login runs it" "needs the owner's rights (VACUUM): run it as the DBA's login" "$TMP/err"
check_exit 0 "dossiers vacuum as the owner" as_owner dossiers vacuum
check_grep "... says what it did" "^of which rewritten: 2$" "$TMP/out"
check_eq "... and clears destruction_pending" 0 "$(sql 'SELECT count(*) FROM destruction_pending')"
scan "$TMP/secrets" >"$TMP/vacuumed"
check_eq "no byte of them in beneficiary, its indexes or toast, nor in the pseudonyms" "" \
	"$(grep -E '\[(beneficiary|analytics_private\.dossier_pseudonym)\]' "$TMP/vacuumed")"
sed 's/^/    | after dossiers vacuum, until overwritten: /' "$TMP/vacuumed" | grep -v -E "$tombstone"
check_exit 0 "dossiers vacuum again: nothing to do" as_owner dossiers vacuum
check_grep "... says so" "^relations vacuumed: 0$" "$TMP/out"

# --- a deletion still in progress when the VACUUM begins is not cleared:
# trace is pending (committed), then a transaction records another deletion
# from it and holds; the vacuum's clearing waits for it, and must keep the row
sql "INSERT INTO destruction_pending VALUES ('dmpremb.trace', false, now(), pg_current_xact_id())" >/dev/null
mkfifo "$TMP/go"
{
	printf '%s\n' "BEGIN;" "INSERT INTO dmpremb.destruction_pending VALUES ('dmpremb.trace', false, now(),
	  pg_current_xact_id()) ON CONFLICT (relation) DO UPDATE SET since = EXCLUDED.since, xact = EXCLUDED.xact;" \
	  "SELECT 'held';"
	read -r _ <"$TMP/go"
	echo "COMMIT;"
} | psql -X -q -tA -v ON_ERROR_STOP=1 >"$TMP/held.out" 2>&1 &
holder=$!
# until (at most a minute): the holder has written; then the vacuum waits for its lock
until_true() {
	n=0
	while ! eval "$1" && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	eval "$1"
}
check "a deletion in progress holds its row of destruction_pending" until_true 'grep -q held "$TMP/held.out"'
as_owner dossiers vacuum >"$TMP/vac.out" 2>"$TMP/vac.err" &
vacuum=$!
check "... dossiers vacuum reaches it and waits" \
	until_true '[ "$(sql "SELECT count(*) FROM pg_locks WHERE NOT granted")" -gt 0 ]'
echo go >"$TMP/go"
wait $holder
wait $vacuum
check_eq "... and once it commits, keeps it for the next run" "0 1" \
	"$? $(sql "SELECT count(*) FROM destruction_pending WHERE relation = 'dmpremb.trace'::regclass")"
check_exit 0 "the next dossiers vacuum" as_owner dossiers vacuum
check_eq "... clears it" 0 "$(sql 'SELECT count(*) FROM destruction_pending')"

# --- --full: every relation they touched rewritten
"$DMPREMB" dossiers import "$TMP/suppr.csv" >/dev/null 2>&1
sql "INSERT INTO destruction_pending SELECT r, false, now(), pg_current_xact_id() FROM unnest(ARRAY['document', 'document_version', 'trace',
     'hospital_stay', 'claim_line']::regclass[]) r ON CONFLICT DO NOTHING" >/dev/null
check_exit 0 "dossiers vacuum --full" as_owner dossiers vacuum --full
scan "$TMP/secrets" >"$TMP/full"
check_eq "after --full, no byte of them in any relation but the tombstones' INS-C (and the catalogs)" "" \
	"$(grep -v -E "$tombstone" "$TMP/full" | grep -v -E "$catalog")"
check_eq "... and no NIR or name anywhere, the tombstones included" "" \
	"$(scan "$TMP/identity" | grep -v -E "$catalog")"
grep -E "$catalog" "$TMP/full" | sed 's/^/    | in the catalogs (ANALYZE statistics, issue 17 B4): /'

# --- on Citus: the shards are vacuumed through their tables
citus_db physdel || { finish; exit; }
dba_login
demo_fed "$AS_OF"
workers=$(sql "SELECT string_agg(nodeport::text, ' ') FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0")
secrets 21 "$(sql "SELECT ins_c FROM dossier_event WHERE evenement = 'SUPPRESSION'")" >"$TMP/secrets"
grep -v '^[0-9]\{22\}$' "$TMP/secrets" >"$TMP/identity"
scan_workers() {
	for w in $workers; do PGPORT=$w scan "$1"; done
}
check_eq "Citus: the deletion recorded beneficiary for a rewrite" "t" \
	"$(sql "SELECT rewrite FROM destruction_pending WHERE relation = 'dmpremb.beneficiary'::regclass")"
scan_workers "$TMP/identity" >"$TMP/citus.before"
check_grep "Citus: the deleted identity is in a worker's beneficiary shard before" "^beneficiary_[0-9]* " "$TMP/citus.before"
check_exit 0 "Citus: dossiers vacuum" as_owner dossiers vacuum
check_eq "Citus: destruction_pending cleared" 0 "$(sql 'SELECT count(*) FROM destruction_pending')"
scan_workers "$TMP/identity" >"$TMP/citus.after"
check_eq "Citus: no byte of the identity left in the workers' beneficiary shards" "" \
	"$(grep -E '^beneficiary_[0-9]* ' "$TMP/citus.after")"
finish
