#!/bin/sh
# t0300-ingest: the fixture batches, counted line by line against their
# EXPECTED files; refusals leave the database unchanged; re-ingest is a no-op.
. "$TESTLIB"
new_db ingest
demo="$FIXTURES/batch-demo"

# --- the reject threshold refuses batch-demo (its files are small: >1 % rejects)
before=$(db_digest)
check_exit 65 "batch-demo refused at the default 1 % reject threshold" "$DMPREMB" ingest "$demo"
check_grep "the refusal names the file and the ratio" "REFUSED: .* rejects" "$TMP/out"
check_eq "refused batch recorded as refused" "refused" "$(sql "SELECT status FROM batch WHERE label = 'batch-demo'")"
check_eq "refused batch applied no claim line" "0" "$(sql "SELECT count(*) FROM claim_line")"
check_eq "refused batch applied no beneficiary" "0" "$(sql "SELECT count(*) FROM beneficiary")"
batch_counts batch-demo >"$TMP/counts"
check "refused batch still has its per-file report" cmp -s "$demo/EXPECTED.tsv" "$TMP/counts"

# --- --force applies it; every count and every reject as expected
check_exit 0 "batch-demo applied with --force" "$DMPREMB" ingest "$demo" --force
check_grep "the report lists rejects by reason" "rejects by reason" "$TMP/out"
batch_counts batch-demo >"$TMP/counts"
check "per-file counts equal EXPECTED.tsv" cmp -s "$demo/EXPECTED.tsv" "$TMP/counts"
sql "SELECT file_name, line_no, coalesce(column_name, ''), reason_code FROM reject
     ORDER BY file_name, line_no" | tr '|' '\t' >"$TMP/rejects"
sort "$demo/EXPECTED-rejects.tsv" | grep -v '^file' >"$TMP/want-rejects"
sort "$TMP/rejects" >"$TMP/got-rejects"
check "every reject at the expected line, column and reason" cmp -s "$TMP/want-rejects" "$TMP/got-rejects"
for rule in DPN_QLF_71 GHM_ERREUR GHS_9999; do
	want=$(awk -F'\t' -v r=$rule '$3 == r' "$demo/EXPECTED-filtered.tsv" | wc -l)
	got=$(sql "SELECT coalesce(sum((filtered_by_rule->>'$rule')::int), 0) FROM batch_file")
	check_eq "filtered by $rule" "$want" "$got"
done
claims=$(awk -F'\t' '$1 ~ /^(pharmacie|actes|radiologie|biologie)/ {s += $3} END {print s}' "$demo/EXPECTED.tsv")
check_eq "claim_line holds the loaded claim lines" "$claims" "$(sql "SELECT count(*) FROM claim_line")"
check_eq "beneficiaries stored" "$(awk -F'\t' '$1 == "beneficiaires.csv" {print $3}' "$demo/EXPECTED.tsv")" \
	"$(sql "SELECT count(*) FROM beneficiary")"
check_eq "stays stored" "$(awk -F'\t' '$1 == "hospitalisation.csv" {print $3}' "$demo/EXPECTED.tsv")" \
	"$(sql "SELECT count(*) FROM hospital_stay")"
check_eq "every claim line carries a valid INS-C" "0" \
	"$(sql "SELECT count(*) FROM claim_line l LEFT JOIN beneficiary b USING (ins_c) WHERE b.ins_c IS NULL")"
check_eq "no DPN_QLF 71 line stored" "0" "$(sql "SELECT count(*) FROM claim_line WHERE dpn_qlf = 71")"
check_eq "NABM code stored without leading zero" "0" \
	"$(sql "SELECT count(*) FROM claim_line WHERE domain = 'B' AND bio_prs_ide::text LIKE '0%'")"
check_eq "conflict reject names the batch of the first line" "1" \
	"$(sql "SELECT count(*) FROM reject WHERE reason_code = 'conflict' AND reason LIKE '%already in this batch (line %'")"
check_eq "reject reasons never quote the raw value" "0" \
	"$(sql "SELECT count(*) FROM reject WHERE raw_value <> '' AND position(raw_value IN reason) > 0")"

# --- the same batch again: nothing changes, and it says so
before=$(db_digest)
check_exit 0 "re-ingesting an applied batch succeeds" "$DMPREMB" ingest "$demo" --force
check_grep "re-ingest says nothing to do" "already applied" "$TMP/out"
check_eq "re-ingest changed nothing" "$before" "$(db_digest)"
# the same files under another directory name are the same batch
cp -r "$demo" "$TMP/renamed"
check_exit 0 "a renamed copy is recognised" "$DMPREMB" ingest "$TMP/renamed"
check_eq "renamed copy changed nothing" "$before" "$(db_digest)"

# --- a file one line short of its manifest: refused whole, nothing written
cp -r "$demo" "$TMP/short"
sed -i '$d' "$TMP/short/biologie.csv"
check_exit 65 "a file one line short (digest differs) is refused" "$DMPREMB" ingest "$TMP/short" --force
check_grep "refusal names the file" "biologie.csv" "$TMP/err"
# same, with a manifest whose digest was recomputed but whose count was not
digest=$(sha256sum "$TMP/short/biologie.csv" | cut -d' ' -f1)
awk -F';' -v OFS=';' -v d="$digest" '$1 == "biologie.csv" {$3 = d} {print}' "$demo/manifest.csv" >"$TMP/short/manifest.csv"
check_exit 65 "a file one line short (count differs) is refused" "$DMPREMB" ingest "$TMP/short" --force
check_grep "count refusal names the counts" "data lines, manifest.csv says" "$TMP/err"
check_eq "refused transfers changed nothing" "$before" "$(db_digest)"

# --- missing and extra files
cp -r "$demo" "$TMP/missing"; rm "$TMP/missing/radiologie.csv"
check_exit 65 "a missing file refuses the batch" "$DMPREMB" ingest "$TMP/missing"
cp -r "$demo" "$TMP/extra"; echo "A;B" >"$TMP/extra/surplus.csv"
check_exit 65 "an extra data file refuses the batch" "$DMPREMB" ingest "$TMP/extra"
check_grep "extra file named" "surplus.csv" "$TMP/err"
check_exit 65 "a directory without manifest is refused" "$DMPREMB" ingest "$FIXTURES/referentials"
check_eq "refused batches changed nothing" "$before" "$(db_digest)"

# --- dry run: no database at all
check_exit 0 "dry run works without a database" env PGHOST=/nonexistent "$DMPREMB" ingest "$demo" --dry-run --force
check_grep "dry run reports the read count" "pharmacie.csv  *$(awk -F'\t' '$1 == "pharmacie.csv" {print $2}' "$demo/EXPECTED.tsv") " "$TMP/out"
# the reject threshold applies to the dry run as to the ingest (here on the
# parse rejects alone: batch-demo's files exceed 1 % before the database's)
check_exit 65 "dry run of batch-demo: refused at the 1 % threshold, as the ingest is" \
	env PGHOST=/nonexistent "$DMPREMB" ingest "$demo" --dry-run
check_grep "  it says the batch would be refused, naming the file" "batch would be REFUSED: [a-z]*\.csv rejects" "$TMP/out"
check_exit 0 "  and passes with a threshold above its ratio" \
	env PGHOST=/nonexistent "$DMPREMB" ingest "$demo" --dry-run --max-reject-ratio 0.5
check_exit 66 "a batch directory that does not exist: exit 66" "$DMPREMB" ingest "$TMP/no-such-batch" --dry-run
check_grep "  named as such" "batch directory '.*no-such-batch' not found" "$TMP/err"
cp -r "$demo" "$TMP/unreadable"; chmod 000 "$TMP/unreadable/actes.csv"
if [ "$(id -u)" = 0 ]; then
	skip "an unreadable data file is a local I/O problem (74)" "root reads a mode-000 file"
else
	check_exit 74 "an unreadable data file is a local I/O problem (74), not a refused batch" \
		"$DMPREMB" ingest "$TMP/unreadable" --dry-run
fi

# --- a CP1252 batch: accents arrive as UTF-8
new_db ingest_cp1252
cp1252="$FIXTURES/batch-cp1252"
check_exit 0 "CP1252 batch applied" "$DMPREMB" ingest "$cp1252"
batch_counts batch-cp1252 >"$TMP/counts"
check "CP1252 counts equal EXPECTED.tsv" cmp -s "$cp1252/EXPECTED.tsv" "$TMP/counts"
want=$(iconv -f CP1252 -t UTF-8 "$cp1252/beneficiaires.csv" | grep -c '[éèçœ’]')
check "the CP1252 fixture has accented names" test "$want" -gt 0
check_eq "accented names stored as UTF-8" "$want" \
	"$(sql "SELECT count(*) FROM beneficiary WHERE concat_ws(' ', ben_nom_nai, ben_nom_usu, ben_prn, ben_prn_lis) ~ '[éèçœ’]'")"

# --- a later batch: duplicates, a conflict naming the first batch, an identity correction
new_db ingest_late
"$DMPREMB" ingest "$demo" --force >/dev/null 2>&1
late="$FIXTURES/batch-late"
"$DMPREMB" ingest "$late" --max-reject-ratio 1 >"$TMP/out" 2>"$TMP/err"
batch_counts batch-late >"$TMP/counts"
check "batch-late counts equal EXPECTED.tsv" cmp -s "$late/EXPECTED.tsv" "$TMP/counts"
first=$(sql "SELECT batch_id FROM batch WHERE label = 'batch-demo'")
check_eq "the conflict names the batch that brought the first line" "1" \
	"$(sql "SELECT count(*) FROM reject r JOIN batch b USING (batch_id) WHERE b.label = 'batch-late'
	        AND r.reason_code = 'conflict' AND r.reason LIKE '%loaded by batch $first %'")"

# --- logs: JSON when asked, and never an identifier or a name in any output
new_db ingest_logs
"$DMPREMB" ingest "$demo" --force --log-format json >"$TMP/log.out" 2>"$TMP/log.err"
check "every stderr line is a JSON object with ts, level, event" python3 -c '
import json, sys
done = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert {"ts", "level", "event"} <= o.keys(), line
    if o["event"] == "ingest.done":
        # counts are JSON numbers, not strings
        assert isinstance(o["read"], int) and isinstance(o["loaded"], int), line
        assert isinstance(o["seconds"], float), line
        done += 1
assert done == 1, done
' "$TMP/log.err"
# NIRs and names of the fixture persons (taken from the file, never printed)
awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{print $c["BEN_NIR"]; print $c["BEN_NOM_NAI"]}' "$demo/beneficiaires.csv" | tr -d '"' | sort -u >"$TMP/secrets"
sql "SELECT ins_c FROM beneficiary" >>"$TMP/secrets"
sed -i '/^$/d' "$TMP/secrets"
check "the leak check has identifiers to look for" test "$(wc -l <"$TMP/secrets")" -ge 40
leaks=$(cat "$TMP/log.out" "$TMP/log.err" | grep -c -F -f "$TMP/secrets")
check_eq "no NIR, INS-C or birth name in the command's output or logs" "0" "$leaks"

# --- the threshold itself
new_db ingest_ratio
check_exit 0 "a ratio of 1 accepts batch-demo" "$DMPREMB" ingest "$demo" --max-reject-ratio 1
check_exit 64 "a ratio above 1 is a usage error" "$DMPREMB" ingest "$demo" --max-reject-ratio 2
check_grep "the usage error names the flag" "max-reject-ratio" "$TMP/err"
finish
