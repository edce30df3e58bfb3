#!/bin/sh
# tests/cli/t0625-every-code.sh — every code of every national referential
# that can reach a document, rendered. tests/tools/every_code.py writes a batch
# in which each CIP13 of the BDPM, each LPP code, each nature (NGAP key) of
# IR_NAT_V, each CCAM code (the imaging ones in radiologie too), each NABM
# code, each GHM of MS_GM9_V and each GHS of IR_GHS_V appears as the
# referential lists it, and each specialty of IR_SPE_V executes acts; about
# 800 claim lines per person.
#
# Every line must load (the validators accept every code their referential
# lists: the referential is the truth, a format rule only a heuristic), and
# every document must pass the official XSD and the six schematrons
# (cda-validate). Prints counts and reason codes only.
. "$TESTLIB"

REF=$SHARED/referentials
if [ ! -d "$REF/snds" ] || [ ! -d "$REF/bdpm" ]; then
	skip "every national code" "$REF not found: the national referentials are needed"
	finish
	exit
fi
new_db every_code
AS_OF=2026-11-15T10:00:00+01:00

python3 "$TOP/tests/tools/every_code.py" --referentials "$REF" --out "$TMP/batch" --events "$TMP/events" \
	--as-of 2026-11-15 2>"$TMP/gen.err" || { echo "every_code.py failed"; cat "$TMP/gen.err"; exit 1; }
sed 's/^/# /' "$TMP/gen.err"
for k in cip lpp ngap ccam spe imaging nabm ghm ghs; do
	n=$(sed -n "s/.* $k=\([0-9]*\).*/\1/p" "$TMP/gen.err")
	check "the batch carries the $k codes of the referential (${n:-0})" test "${n:-0}" -gt 0
done

check "referentials of ../shared load" "$DMPREMB" referentials load --snds "$REF/snds" --bdpm "$REF/bdpm"
"$DMPREMB" ingest "$TMP/batch" >"$TMP/ingest.out" 2>"$TMP/ingest.err"
rc=$?
check_eq "the batch of every code is applied" 0 "$rc"
[ "$rc" = 0 ] || tail -3 "$TMP/ingest.err" | sed 's/^/    | /'
check_eq "no line is rejected" 0 "$(sql "SELECT count(*) FROM reject")"
sql "SELECT k || ' ' || n FROM (SELECT file_name || ' ' || coalesce(column_name, '-') || ' ' || reason_code k,
	count(*) n FROM reject GROUP BY 1) x ORDER BY 1" | sed 's/^/    | rejected: /'
# the only lines kept out by a rule: the stays the rules of docs/validation.md
# leave out by design (GHM error groups 90*, GHS 9999 "no GHS")
check_eq "no line is filtered out, but error-group stays" "" \
	"$(sql "SELECT string_agg(b.file_name || ' ' || r.key, ', ') FROM batch_file b, jsonb_each_text(b.filtered_by_rule) r
		WHERE r.value::int > 0 AND r.key NOT IN ('GHM_ERREUR', 'GHS_9999')")"
check "... which are there (the GHM error groups of MS_GM9_V)" \
	test "$(sql "SELECT coalesce(sum((filtered_by_rule->>'GHM_ERREUR')::int), 0) FROM batch_file")" -gt 0

check "their dossiers are created" "$DMPREMB" dossiers import "$TMP/events"
check_exit 0 "the feed stores a document for each" "$DMPREMB" feed --as-of "$AS_OF"
persons=$(($(wc -l <"$TMP/events") - 1))
check_eq "one document per person ($persons)" "$persons" "$(sql "SELECT count(*) FROM document")"
check "the documents hold their lines as rows (thousands)" \
	test "$(sql "SELECT sum(x) FROM document, unnest(section_rows) x")" -ge 20000
export_docs "$TMP/docs"
cda_validate "every document passes the XSD and the schematrons" "$TMP"/docs/*.xml
finish
