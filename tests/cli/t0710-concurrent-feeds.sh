#!/bin/sh
# tests/cli/t0710-concurrent-feeds.sh — two feeds at once over 2,000 due
# dossiers: each dossier fed exactly once, none missed, one trace per
# version, the work shared; then two shards (--shard 0/2, 1/2) at once at the
# next weekly refresh: disjoint plans that together cover every due dossier.
#
# A generated batch (fixtures/gen, fixture referentials, 2,000 persons, about
# 5 lines each) and its CREATION events. Only counts are printed.
. "$TESTLIB"
new_db concurrent
PERSONS=2000
T1=2026-11-15T12:00:00+01:00     # the CREATIONs are at 08:00 that day
T2=2026-11-22T12:00:00+01:00     # a week later: every dossier is due for a refresh

: >"$TMP/outputs"
python3 "$FIXTURES/gen" --persons $PERSONS --seed 7 --referentials "$FIXTURES/referentials" --out "$TMP/gen" \
	--as-of 2026-11-15 --events "$TMP/events.csv" --mean-lines 5 2>"$TMP/gen.err" ||
	{ echo "generator failed"; sed 's/^/    | /' "$TMP/gen.err"; exit 1; }
cat "$TMP/gen.err" >>"$TMP/outputs"
check "referentials load" "$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" \
	--bdpm "$FIXTURES/referentials/bdpm"
check "the generated batch loads" "$DMPREMB" ingest "$TMP/gen"
cat "$TMP/out" "$TMP/err" >>"$TMP/outputs"
check "its events are imported" "$DMPREMB" dossiers import "$TMP/events.csv"
cat "$TMP/out" "$TMP/err" >>"$TMP/outputs"

# due AT: the dossiers due at AT that have an identity (those a feed stores)
due() {
	sql "SELECT count(*) FROM dossier d JOIN beneficiary b USING (ins_c)
	     WHERE d.state = 'open' AND NOT d.opposition AND d.due_at <= '$1'::timestamptz
	       AND (d.last_fed_at IS NULL OR d.last_fed_at < d.due_at
	            OR d.last_fed_at <= '$1'::timestamptz - interval '7 days')"
}
due1=$(due $T1)
check_eq "every person's dossier is due at $T1" "$PERSONS" "$due1"

# two_feeds A B ARGS_A -- ARGS_B: starts two feeds at the same instant (both
# wait for one file), waits for both; reports in $TMP/A.out, $TMP/B.out, exit
# statuses in $TMP/A.rc, $TMP/B.rc
two_feeds() {
	a=$1 b=$2; shift 2
	rm -f "$TMP/go"
	args_a=""
	while [ "$1" != -- ]; do args_a="$args_a $1"; shift; done
	shift
	for x in "$a:$args_a" "$b:$*"; do
		name=${x%%:*}
		# shellcheck disable=SC2086
		(
			while [ ! -e "$TMP/go" ]; do sleep 0.01; done
			"$DMPREMB" feed ${x#*:} >"$TMP/$name.out" 2>"$TMP/$name.err"
			echo $? >"$TMP/$name.rc"
		) &
	done
	sleep 0.2
	touch "$TMP/go"
	wait
	cat "$TMP/$a.out" "$TMP/$a.err" "$TMP/$b.out" "$TMP/$b.err" >>"$TMP/outputs"
}
planned() {
	sed -n 's/^ *dossiers planned *\([0-9]*\) .*/\1/p' "$TMP/$1.out"
}
stored() {
	sed -n 's/^ *documents stored *\([0-9]*\) .*/\1/p' "$TMP/$1.out"
}
# run_of NAME: the run id of a feed (its feed.start log line says it)
run_of() {
	sed -n 's/.* feed\.start run=\([0-9]*\) .*/\1/p' "$TMP/$1.err" | head -1
}
# at_once A B: both runs started (in dmpremb.run) before either ended
at_once() {
	test "$(sql "SELECT (max(started_at) < min(ended_at))::int FROM run WHERE run_id IN ($(run_of "$1"), $(run_of "$2"))")" = 1
}

# --- two feeds at once, same as-of, small chunks, one render thread each
two_feeds A B --as-of $T1 --chunk 20 --jobs 1 -- --as-of $T1 --chunk 20 --jobs 1
check_eq "both feeds exit 0" "0 0" "$(cat "$TMP/A.rc") $(cat "$TMP/B.rc")"
sa=$(stored A); sb=$(stored B)
check_eq "their 'documents stored' add up to the due dossiers" "$due1" "$((${sa:-0} + ${sb:-0}))"
check_eq "every due dossier has exactly one version at $T1 (none twice, none missed)" "$due1 0" \
	"$(sql "SELECT count(*) FROM document_version WHERE generated_at = '$T1'") $(sql "SELECT count(*) FROM dossier d JOIN beneficiary USING (ins_c)
	        WHERE (SELECT count(*) FROM document_version v WHERE v.ins_c = d.ins_c AND v.generated_at = '$T1') <> 1")"
check_eq "every document is version 1, its dossier last fed at $T1" "$due1 $due1" \
	"$(sql "SELECT count(*) FROM document WHERE version = 1") $(sql "SELECT count(*) FROM dossier WHERE last_fed_at = '$T1'")"
check_eq "one trace per version, no orphan" "$due1 0" \
	"$(sql "SELECT count(*) FROM trace") $(sql "SELECT count(*) FROM trace t FULL JOIN document_version v USING (ins_c, version) WHERE t.ins_c IS NULL OR v.ins_c IS NULL")"
ra=$(run_of A); rb=$(run_of B)
check_eq "each feed stored what it said (versions by run)" "${sa:-?} ${sb:-?} 0" \
	"$(sql "SELECT count(*) FROM document_version WHERE run_id = ${ra:-0}") $(sql "SELECT count(*) FROM document_version WHERE run_id = ${rb:-0}") $(sql "SELECT count(*) FROM document_version WHERE run_id NOT IN (${ra:-0}, ${rb:-0})")"
# (the two runs' ids may come in either order: each is read by its own id)
check_eq "the run table: two feeds, ok, the same documents" "feed ok $sa|feed ok $sb" \
	"$(sql "SELECT command || ' ' || outcome || ' ' || (counts->>'documents') FROM run WHERE run_id = ${ra:-0}")|$(sql "SELECT command || ' ' || outcome || ' ' || (counts->>'documents') FROM run WHERE run_id = ${rb:-0}")"
# sharing: when both runs overlapped and each planned at least half of the
# dossiers (the later one may plan after the other's first chunks), each had
# dozens of chunks to race for; if the machine ran them one after the other,
# that is not a failure of dmpremb
if [ "$(planned A)" -ge $((due1 / 2)) ] && [ "$(planned B)" -ge $((due1 / 2)) ] && at_once A B; then
	check "both feeds did some of the work ($sa + $sb)" test "${sa:-0}" -gt 0 -a "${sb:-0}" -gt 0
else
	skip "both feeds did some of the work" "the two feeds barely overlapped (planned $(planned A), $(planned B))"
fi
before=$(db_digest)
check_exit 0 "a third feed at the same as-of" "$DMPREMB" feed --as-of $T1
check_grep "it plans nothing: everything is current" "dossiers planned *0 " "$TMP/out"
check_eq "and changes nothing" "$before" "$(db_digest)"

# --- a week later, two shards at once
due2=$(due $T2)
check_eq "every dossier is due for its refresh at $T2" "$PERSONS" "$due2"
two_feeds S0 S1 --as-of $T2 --shard 0/2 --chunk 20 --jobs 1 -- --as-of $T2 --shard 1/2 --chunk 20 --jobs 1
check_eq "both shards exit 0" "0 0" "$(cat "$TMP/S0.rc") $(cat "$TMP/S1.rc")"
p0=$(planned S0); p1=$(planned S1); s0=$(stored S0); s1=$(stored S1)
check "each shard planned a part ($p0 + $p1)" test "${p0:-0}" -gt 0 -a "${p1:-0}" -gt 0
check_eq "the shards' plans add up to the due dossiers" "$due2" "$((${p0:-0} + ${p1:-0}))"
check_eq "each shard stored all it planned" "$p0 $p1" "$s0 $s1"
r0=$(run_of S0); r1=$(run_of S1)
check_eq "the shards' dossier sets are disjoint" 0 \
	"$(sql "SELECT count(*) FROM (SELECT ins_c FROM document_version WHERE run_id = ${r0:-0}
	        INTERSECT SELECT ins_c FROM document_version WHERE run_id = ${r1:-0}) x")"
check_eq "together they cover every due dossier, each once, at version 2" "$due2 $due2 0" \
	"$(sql "SELECT count(DISTINCT ins_c) FROM document_version WHERE run_id IN (${r0:-0}, ${r1:-0}) AND generated_at = '$T2'") $(sql "SELECT count(*) FROM document WHERE version = 2") $(sql "SELECT count(*) FROM document_version WHERE generated_at = '$T2' AND run_id NOT IN (${r0:-0}, ${r1:-0})")"
check_eq "one trace per version, no orphan" "$((2 * due2)) 0" \
	"$(sql "SELECT count(*) FROM trace") $(sql "SELECT count(*) FROM trace t FULL JOIN document_version v USING (ins_c, version) WHERE t.ins_c IS NULL OR v.ins_c IS NULL")"
# the split is a function of the INS-C alone: the same shard again, in a
# dry run at a later refresh, plans the same dossiers
check_exit 0 "shard 0/2 again (dry run, a week later)" "$DMPREMB" feed --as-of 2026-11-29T12:00:00+01:00 --shard 0/2 --dry-run
check_grep "it plans as many dossiers" "dossiers planned *$p0 " "$TMP/out"
cat "$TMP/out" "$TMP/err" >>"$TMP/outputs"

# --- no NIR or INS-C in anything printed
sql "SELECT ins_c FROM beneficiary UNION ALL SELECT ben_nir FROM beneficiary" >"$TMP/secrets"
check "the leak check has identifiers to look for" test "$(wc -l <"$TMP/secrets")" -ge $((2 * PERSONS))
check_eq "no NIR or INS-C in any output" "0" "$(grep -c -F -f "$TMP/secrets" "$TMP/outputs")"

finish
