#!/bin/sh
# t0310-ingest-deleted: a batch never brings back the person of a deleted
# dossier. Their identity, claim lines and stays are counted as filtered under
# DOSSIER_SUPPRIME (read = loaded + filtered + rejected + duplicate still holds)
# and nothing of them is stored; every other person loads exactly as without
# the deletion; a corrected identity never moves data out of or into a deleted
# dossier.
#
# The deletion is simulated in SQL (state 'deleted', the person's rows
# removed), so the test does not depend on how `dossiers import` applies the
# lifecycle. The person is batch-demo's beneficiaires line 21 (claim lines, a
# valid stay and a GHS 9999 one), whose dossier fixtures/dossiers.csv deletes
# (SUPPRESSION): the test holds whether the import deletes it or not.
#
# Expected counts come from the fixture files (awk), not from dmpremb. Only
# counts are printed: the person's NIR and INS-C stay in shell variables.
. "$TESTLIB"
demo="$FIXTURES/batch-demo"
who=21
files="beneficiaires.csv pharmacie.csv hospitalisation.csv actes.csv radiologie.csv biologie.csv
	professionnels.csv etablissements.csv"

# queries that hold an identifier: psql would echo the query with an error
sqlq() {
	sql "$1" 2>/dev/null
}

# column COL of data line N of a CSV file, found by header name
csv_field() {
	awk -F';' -v col="$2" -v n="$3" '
		{ gsub(/\r|"/, ""); sub(/^\357\273\277/, "") }
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		NR == n { print $c[col] }' "$1"
}
nir=$(csv_field "$demo/beneficiaires.csv" BEN_NIR $who)
check "the person's NIR is read from the fixture" test "${#nir}" = 13

# person_lines NIR: "file<TAB>n" per file, in EXPECTED.tsv order: the person's
# lines (BEN_NIR = NIR) that neither a validation reject nor a parse-time
# filter rule takes, i.e. those not named in EXPECTED-rejects.tsv or
# EXPECTED-filtered.tsv. (Person 21 has no duplicate nor conflict line.)
person_lines() {
	for f in $files; do
		awk -F'\t' -v f="$f" '$1 == f {print $2}' "$demo/EXPECTED-rejects.tsv" \
			"$demo/EXPECTED-filtered.tsv" >"$TMP/skip"
		n=$(awk -F';' -v nir="$1" '
			FILENAME == ARGV[1] { skip[$1] = 1; next }
			{ gsub(/\r|"/, ""); sub(/^\357\273\277/, "") }
			FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			("BEN_NIR" in c) && $c["BEN_NIR"] == nir && !(FNR in skip) { n++ }
			END { print n + 0 }' "$TMP/skip" "$demo/$f")
		printf '%s\t%s\n' "$f" "$n"
	done
}
person_lines "$nir" >"$TMP/want"
wanted() {
	awk -F'\t' -v f="$1" '$1 == f {print $2}' "$TMP/want"
}
want_claims=$(awk -F'\t' '$1 ~ /^(pharmacie|actes|radiologie|biologie)/ {s += $2} END {print s}' "$TMP/want")
want_stays=$(wanted hospitalisation.csv)
check "the person has valid claim lines ($want_claims) and stays ($want_stays)" \
	test "$want_claims" -gt 0 -a "$want_stays" -gt 0
check_eq "the person's identity line is valid" 1 "$(wanted beneficiaires.csv)"

# rule_counts LABEL: "file<TAB>DOSSIER_SUPPRIME count" of a batch, EXPECTED.tsv order
rule_counts() {
	batch_counts "$1" | awk -F'\t' 'NR > 1 {print $1}' | while read -r f; do
		printf '%s\t%s\n' "$f" "$(sql "SELECT coalesce((filtered_by_rule->>'DOSSIER_SUPPRIME')::int, 0)
			FROM batch_file JOIN batch USING (batch_id) WHERE label = '$1' AND file_name = '$f'")"
	done
}

# person_rows INS_C: "identities claim-lines stays" stored under an INS-C
person_rows() {
	echo "$(sqlq "SELECT count(*) FROM beneficiary WHERE ins_c = '$1'")" \
		"$(sqlq "SELECT count(*) FROM claim_line WHERE ins_c = '$1'")" \
		"$(sqlq "SELECT count(*) FROM hospital_stay WHERE ins_c = '$1'")"
}

# others_digest INS_C: md5 of every stored identity, claim line, stay,
# professional and establishment, except those of INS_C (batch and time of
# the write left out)
others_digest() {
	sqlq "SELECT md5(string_agg(r, E'\n' ORDER BY r)) FROM (
	  SELECT 'B' || (to_jsonb(x) - 'batch_id' - 'updated_at')::text FROM beneficiary x WHERE ins_c <> '$1'
	  UNION ALL SELECT 'C' || (to_jsonb(x) - 'batch_id')::text FROM claim_line x WHERE ins_c <> '$1'
	  UNION ALL SELECT 'S' || (to_jsonb(x) - 'batch_id')::text FROM hospital_stay x WHERE ins_c <> '$1'
	  UNION ALL SELECT 'P' || (to_jsonb(x) - 'batch_id')::text FROM professional x
	  UNION ALL SELECT 'E' || (to_jsonb(x) - 'batch_id')::text FROM establishment x) t(r)"
}

# every output of every dmpremb run, for the leak check at the end
keep_output() {
	cat "$TMP/out" "$TMP/err" >>"$TMP/outputs"
}

# simulate the deletion of INS_C's dossier by its holder
delete_dossier() {
	sqlq "INSERT INTO dossier (ins_c, state) VALUES ('$1', 'deleted')
	      ON CONFLICT (ins_c) DO UPDATE SET state = 'deleted'" >/dev/null
	sqlq "DELETE FROM claim_line WHERE ins_c = '$1'" >/dev/null
	sqlq "DELETE FROM hospital_stay WHERE ins_c = '$1'" >/dev/null
	sqlq "DELETE FROM beneficiary WHERE ins_c = '$1'" >/dev/null
}

# --- without the deletion: the reference (no dossier at all)
new_db deleted_ref
check_exit 0 "reference: batch-demo applied" "$DMPREMB" ingest "$demo" --max-reject-ratio 0.5
keep_output
batch_counts batch-demo >"$TMP/ref.counts"
ins_c=$(sqlq "SELECT ins_c FROM beneficiary WHERE ben_nir = '$nir'")
check "reference: the person's INS-C is known" test "${#ins_c}" = 22
check_eq "reference: dossiers.csv deletes that dossier" 1 \
	"$(grep -c "^$ins_c;SUPPRESSION;" "$FIXTURES/dossiers.csv")"
check_eq "reference: the person's identity, claim lines and stays are stored" \
	"1 $want_claims $want_stays" "$(person_rows "$ins_c")"
ref_digest=$(others_digest "$ins_c")
sql "SELECT file_name, line_no, coalesce(column_name, ''), reason_code FROM reject ORDER BY 1, 2" >"$TMP/ref.rejects"
sql "SELECT file_name, filtered_by_rule FROM batch_file ORDER BY 1" >"$TMP/ref.rules"

# --- the dossier deleted before the batch arrives
new_db deleted
check_exit 0 "dossier events imported" "$DMPREMB" dossiers import "$FIXTURES/dossiers.csv"
keep_output
delete_dossier "$ins_c"
check_eq "one dossier is deleted, the person's" "1 1" \
	"$(sql "SELECT count(*) FROM dossier WHERE state = 'deleted'") $(sqlq "SELECT count(*) FROM dossier WHERE state = 'deleted' AND ins_c = '$ins_c'")"
check_exit 0 "batch-demo applied" "$DMPREMB" ingest "$demo" --max-reject-ratio 0.5
keep_output
check_eq "no identity, claim line or stay stored for the person" "0 0 0" "$(person_rows "$ins_c")"
rule_counts batch-demo >"$TMP/got"
check "filtered by DOSSIER_SUPPRIME, per file = the person's valid lines" cmp -s "$TMP/want" "$TMP/got"
check_grep "the report lists the rule" "filtered hospitalisation.csv DOSSIER_SUPPRIME: $want_stays" "$TMP/outputs"
batch_counts batch-demo >"$TMP/del.counts"
paste "$TMP/ref.counts" "$TMP/del.counts" | awk -F'\t' 'NR > 1 {print $1 "\t" ($3 - $9)}' >"$TMP/got"
check "loaded, per file, is the reference's minus the person's valid lines" cmp -s "$TMP/want" "$TMP/got"
paste "$TMP/ref.counts" "$TMP/del.counts" | awk -F'\t' 'NR > 1 {print $1 "\t" ($10 - $4)}' >"$TMP/got"
check "filtered, per file, is the reference's plus the person's valid lines" cmp -s "$TMP/want" "$TMP/got"
check_eq "read, rejected and duplicate, per file, as in the reference" "0" \
	"$(paste "$TMP/ref.counts" "$TMP/del.counts" | awk -F'\t' '$2 != $8 || $5 != $11 || $6 != $12' | wc -l)"
check_eq "every file: read = loaded + filtered + rejected + duplicate" "0" \
	"$(sql "SELECT count(*) FROM batch_file WHERE lines_read <> loaded + filtered + rejected + duplicate")"
sql "SELECT file_name, filtered_by_rule - 'DOSSIER_SUPPRIME' FROM batch_file ORDER BY 1" >"$TMP/got"
check "the other filter rules count as in the reference" cmp -s "$TMP/ref.rules" "$TMP/got"
sql "SELECT file_name, line_no, coalesce(column_name, ''), reason_code FROM reject ORDER BY 1, 2" >"$TMP/got"
check "the rejects are the reference's" cmp -s "$TMP/ref.rejects" "$TMP/got"
check_eq "every other person's rows are the reference's" "$ref_digest" "$(others_digest "$ins_c")"

# --- a later batch with the person's lines, after the deletion of a loaded dossier
# (the same files under a reordered manifest: a new batch, every other line a duplicate)
new_db deleted_later
check_exit 0 "later: batch-demo applied" "$DMPREMB" ingest "$demo" --max-reject-ratio 0.5
keep_output
check_eq "later: the person's rows were stored" "1 $want_claims $want_stays" "$(person_rows "$ins_c")"
check_exit 0 "later: dossier events imported" "$DMPREMB" dossiers import "$FIXTURES/dossiers.csv"
keep_output
delete_dossier "$ins_c"
mkdir -p "$TMP/later"
cp "$demo"/*.csv "$TMP/later/"
{ head -1 "$demo/manifest.csv"; sed 1d "$demo/manifest.csv" | sort -r; } >"$TMP/later/manifest.csv"
check_exit 0 "later: the later batch applied" "$DMPREMB" ingest "$TMP/later" --max-reject-ratio 0.5
keep_output
check_grep "later: it is a new batch, not the one already applied" "applied in" "$TMP/out"
check_eq "later: nothing of the person came back" "0 0 0" "$(person_rows "$ins_c")"
rule_counts later >"$TMP/got"
check "later: filtered by DOSSIER_SUPPRIME, per file = the person's valid lines" cmp -s "$TMP/want" "$TMP/got"
check_eq "later: nothing else loaded" "0" "$(sql "SELECT sum(loaded) FROM batch_file JOIN batch USING (batch_id) WHERE label = 'later'")"
check_eq "later: every other person's rows are the reference's" "$ref_digest" "$(others_digest "$ins_c")"

# --- identity corrections: the person's first name corrected, a new INS-C
new_db deleted_rekey
check_exit 0 "rekey: batch-demo applied" "$DMPREMB" ingest "$demo" --max-reject-ratio 0.5
keep_output
# correction_batch DIR FIRST_NAME: the person's identity line with another
# BEN_PRN, the other files of the contract header-only
correction_batch() {
	mkdir -p "$1"
	awk -F';' -v OFS=';' -v n=$who -v prn="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
		NR == n { $c["BEN_PRN"] = prn; print }' "$demo/beneficiaires.csv" >"$1/beneficiaires.csv"
	echo "FICHIER;LIGNES;SHA256;ENCODAGE" >"$1/manifest.csv"
	for f in beneficiaires.csv pharmacie.csv hospitalisation.csv actes.csv radiologie.csv biologie.csv; do
		[ -f "$1/$f" ] || head -1 "$demo/$f" >"$1/$f"
		echo "$f;$(($(wc -l <"$1/$f") - 1));$(sha256sum "$1/$f" | cut -d' ' -f1);UTF-8" >>"$1/manifest.csv"
	done
}
correction_batch "$TMP/corr1" CORRIGE
correction_batch "$TMP/corr2" CORRIGEE
born=$(csv_field "$demo/beneficiaires.csv" BEN_NAI_DTE $who)
new_ins_c=$(echo "CORRIGE;$(echo "$born" | awk -F/ '{print substr($3, 3, 2) $2 $1}');$nir" | "$DMPREMB" insc)
check "rekey: the corrected identity's INS-C is computed, another one" \
	test "${#new_ins_c}" = 22 -a "$new_ins_c" != "$ins_c"

# the corrected identity's dossier is deleted: the correction is filtered, nothing moves
delete_dossier "$new_ins_c"
check_exit 0 "rekey: a correction into a deleted dossier applied" "$DMPREMB" ingest "$TMP/corr1"
keep_output
check_eq "rekey: that correction is filtered" "1 0 1" \
	"$(sql "SELECT lines_read, loaded, filtered_by_rule->>'DOSSIER_SUPPRIME' FROM batch_file JOIN batch USING (batch_id)
	        WHERE label = 'corr1' AND file_name = 'beneficiaires.csv'" | tr '|' ' ')"
check_eq "rekey: nothing stored under the deleted dossier" "0 0 0" "$(person_rows "$new_ins_c")"
check_eq "rekey: the person's rows stay where they were" "1 $want_claims $want_stays" "$(person_rows "$ins_c")"

# the person's own dossier deleted, its rows not purged yet: a correction to a
# live INS-C is stored but moves nothing out of the deleted dossier
sqlq "INSERT INTO dossier (ins_c, state) VALUES ('$ins_c', 'deleted')" >/dev/null
check_exit 0 "rekey: a correction out of a deleted dossier applied" "$DMPREMB" ingest "$TMP/corr2"
keep_output
check_eq "rekey: that correction is loaded" "1 1" \
	"$(sql "SELECT lines_read, loaded FROM batch_file JOIN batch USING (batch_id)
	        WHERE label = 'corr2' AND file_name = 'beneficiaires.csv'" | tr '|' ' ')"
check_eq "rekey: the deleted dossier's rows were not moved" "1 $want_claims $want_stays" "$(person_rows "$ins_c")"
check_eq "rekey: the new identity holds no claim line nor stay" "1 0 0" \
	"$(sqlq "SELECT count(*), sum((SELECT count(*) FROM claim_line l WHERE l.ins_c = b.ins_c)),
	               sum((SELECT count(*) FROM hospital_stay h WHERE h.ins_c = b.ins_c))
	        FROM beneficiary b WHERE ben_nir = '$nir' AND ins_c <> '$ins_c'" | tr '|' ' ')"

# --- no identifier or name in anything dmpremb printed
awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{print $c["BEN_NIR"]; print $c["BEN_NOM_NAI"]; print $c["BEN_PRN"]}' "$demo/beneficiaires.csv" |
	tr -d '"' >"$TMP/secrets"
cut -d';' -f1 "$FIXTURES/dossiers.csv" | sed 1d >>"$TMP/secrets"
printf '%s\n%s\n' "$new_ins_c" CORRIGE >>"$TMP/secrets"
sed -i '/^$/d' "$TMP/secrets"
check "the leak check has identifiers to look for" test "$(wc -l <"$TMP/secrets")" -ge 80
check_eq "no NIR, INS-C or name in any output" "0" "$(grep -c -F -f "$TMP/secrets" "$TMP/outputs")"
finish
