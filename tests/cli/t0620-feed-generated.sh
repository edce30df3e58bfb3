#!/bin/sh
# tests/cli/t0620-feed-generated.sh — documents of generated batches, with the
# national referentials of ../shared: 220 persons (long-tailed line counts,
# stays, vaccines, LPP, regularisations, Corsican NIRs, partial birth dates)
# and one person with more than 5,000 claim lines. Every document passes
# cda-validate with zero findings; the one-thread and two-thread feeds store
# byte-identical documents.
. "$TESTLIB"

REF=$SHARED/referentials
if [ ! -d "$REF/snds" ] || [ ! -d "$REF/bdpm" ]; then
	skip "generated documents" "$REF not found: the national referentials are needed"
	finish
	exit
fi
new_db feed_gen
AS_OF=2026-11-15T10:00:00+01:00

python3 "$FIXTURES/gen" --persons 220 --seed 11 --referentials "$REF" --out "$TMP/b220" \
	--as-of 2026-11-15 --events "$TMP/events" 2>"$TMP/gen.err" &&
python3 "$FIXTURES/gen" --persons 1 --seed 6 --mean-lines 6000 --referentials "$REF" --out "$TMP/big" \
	--as-of 2026-11-15 --events "$TMP/events-big" 2>>"$TMP/gen.err" ||
	{ echo "generator failed"; cat "$TMP/gen.err"; exit 1; }
tail -n +2 "$TMP/events-big" >>"$TMP/events"

check "referentials of ../shared load" "$DMPREMB" referentials load --snds "$REF/snds" --bdpm "$REF/bdpm"
check "the 220-person batch loads" "$DMPREMB" ingest "$TMP/b220"
check "the one-person batch loads" "$DMPREMB" ingest "$TMP/big"
check "their dossiers are created" "$DMPREMB" dossiers import "$TMP/events"
check "a dossier has more than 5,000 claim lines" \
	test "$(sql "SELECT max(n) FROM (SELECT count(*) n FROM claim_line GROUP BY ins_c) x")" -ge 5000
check "some birth dates are partial" test "$(sql "SELECT count(*) FROM beneficiary WHERE ben_nai_dte LIKE '____00__'")" -ge 1
check "some NIRs are Corsican" test "$(sql "SELECT count(*) FROM beneficiary WHERE ben_nir ~ '^.....2[AB]'")" -ge 1

check_exit 0 "feed of 221 dossiers on one thread" "$DMPREMB" feed --as-of "$AS_OF" --jobs 1 --chunk 50
check_eq "221 documents stored" "221" "$(sql "SELECT count(*) FROM document")"
check "the big dossier's document shows thousands of rows" \
	test "$(sql "SELECT max(r) FROM (SELECT (SELECT sum(x) FROM unnest(section_rows) x) r FROM document) y")" -ge 2000
sql "SELECT ins_c || ' ' || sha256 FROM document ORDER BY ins_c" >"$TMP/sha.jobs1"
export_docs "$TMP/docs"
cda_validate "all 221 documents pass cda-validate" "$TMP"/docs/*.xml

# the same generation on two threads, into a copy of the database before the feed
check_exit 0 "dry run on two threads" "$DMPREMB" feed --as-of "$AS_OF" --jobs 2 --dry-run
sql "DELETE FROM trace; DELETE FROM document_version; DELETE FROM document; UPDATE dossier SET last_fed_at = NULL" >/dev/null
check_exit 0 "feed again on two threads" "$DMPREMB" feed --as-of "$AS_OF" --jobs 2 --chunk 7
sql "SELECT ins_c || ' ' || sha256 FROM document ORDER BY ins_c" >"$TMP/sha.jobs2"
check "one or two threads store byte-identical documents" cmp -s "$TMP/sha.jobs1" "$TMP/sha.jobs2"

finish
