#!/bin/sh
# tests/cli/t0200-referentials.sh — `dmpremb referentials load` on the national
# files of ../shared/referentials: every data record loaded (counted here
# independently: python3's csv module for SNDS, awk for BDPM), accents right,
# reload idempotent, and a refused file leaves every table as it was.
. "$TESTLIB"

REF=$SHARED/referentials
if [ ! -d "$REF/snds" ] || [ ! -d "$REF/bdpm" ]; then
	skip "referentials load" "$REF/snds or $REF/bdpm not found: the national files are needed"
	finish
	exit
fi
new_db t0200

table_of() {
	case $1 in
	IR_ACT_COD.csv) echo ref_ir_act_cod ;;
	IR_BIO_R.csv) echo ref_ir_bio_r ;;
	IR_CCAM_V63.csv) echo ref_ir_ccam ;;
	IR_CMD_V.csv) echo ref_ir_cmd_v ;;
	IR_GHS_V.csv) echo ref_ir_ghs_v ;;
	IR_NAT_V.csv) echo ref_ir_nat_v ;;
	IR_SPE_V.csv) echo ref_ir_spe_v ;;
	MS_GM9_V.csv) echo ref_ms_gm9_v ;;
	NT_LPP.csv) echo ref_nt_lpp ;;
	CIS_bdpm.txt) echo ref_bdpm_cis ;;
	CIS_CIP_bdpm.txt) echo ref_bdpm_cip ;;
	CIS_COMPO_bdpm.txt) echo ref_bdpm_compo ;;
	esac
}

# "FILE RECORDS" for each file: non-blank CSV records minus the header; BDPM
# non-blank lines (any line end).
python3 - "$REF/snds" >"$TMP/expected" <<'EOF'
import csv, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if f.endswith('.csv'):
        with open(os.path.join(d, f), newline='', encoding='utf-8') as fh:
            print(f, sum(1 for r in csv.reader(fh, delimiter=';') if r) - 1)
EOF
for f in CIS_bdpm.txt CIS_CIP_bdpm.txt CIS_COMPO_bdpm.txt; do
	echo "$f $(tr '\r' '\n' <"$REF/bdpm/$f" | awk 'length($0) > 0' | wc -l)"
done >>"$TMP/expected"
check_eq "twelve referential files to compare with" 12 "$(wc -l <"$TMP/expected")"

check_exit 64 "load without --snds or --bdpm is a usage error" "$DMPREMB" referentials load
check_exit 64 "a command other than load is a usage error" "$DMPREMB" referentials unload --snds "$REF/snds"
check "--help prints the usage" "$DMPREMB" referentials --help
check_grep "--help names the role it needs" "^Role:" "$TMP/out"
check_exit 66 "a directory that does not exist" "$DMPREMB" referentials load --snds "$TMP/nowhere"

check "load every SNDS and BDPM file" "$DMPREMB" referentials load --snds "$REF/snds" --bdpm "$REF/bdpm"
cp "$TMP/out" "$TMP/report1"
cp "$TMP/err" "$TMP/log1"
total=0
while read -r f n; do
	t=$(table_of "$f")
	total=$((total + n))
	check_eq "$f: rows of $t = data records of the file" "$n" "$(sql "SELECT count(*) FROM dmpremb.$t")"
	check_eq "$f: report line (records loaded duplicates skipped)" "$n $n 0 0" \
		"$(awk -v f="$f" '$1 == f { print $3, $4, $5, $6 }' "$TMP/report1")"
	check_eq "$f: referential_file counts and SHA-256" \
		"$n|$n|$(sha256sum "$REF/$( [ "${f%.txt}" = "$f" ] && echo snds || echo bdpm)/$f" | cut -c1-64)" \
		"$(sql "SELECT records || '|' || rows || '|' || sha256 FROM dmpremb.referential_file WHERE file_name = '$f'")"
done <"$TMP/expected"
check_eq "report total" "$total $total" "$(awk '$1 == "total" { print $2, $3 }' "$TMP/report1")"
check_grep "file names and counts are logged" "referentials.file.*file=NT_LPP.csv.*records=" "$TMP/log1"
check_eq "the Table Schema files beside the CSV are not warned about" 0 \
	"$(grep -c 'referentials.ignored' "$TMP/log1")"

# Stray tabs of CIS_COMPO: lines with more than 9 fields are repaired, not lost.
check_eq "CIS_COMPO lines with stray tabs counted as repaired" \
	"$(awk -F'\t' 'NF > 9' "$REF/bdpm/CIS_COMPO_bdpm.txt" | wc -l | tr -d ' ')" \
	"$(sql "SELECT repaired FROM dmpremb.referential_file WHERE file_name = 'CIS_COMPO_bdpm.txt'")"
check_eq "no substance name keeps a stray tab or a blank" 0 \
	"$(sql "SELECT count(*) FROM dmpremb.ref_bdpm_compo WHERE substance ~ '[\t\r\n]' OR substance <> btrim(substance)")"

# Accents: a CP1252 BDPM name with é, read back as UTF-8.
iconv -f CP1252 -t UTF-8 "$REF/bdpm/CIS_bdpm.txt" | tr -d '\r' \
	| awk -F'\t' 'index($2, "é") { sub(/^ +/, "", $2); sub(/ +$/, "", $2); print $1 "\t" $2; exit }' >"$TMP/cis"
cis=$(cut -f1 "$TMP/cis")
check_eq "CIS_bdpm name with é reads back in UTF-8" "$(cut -f2 "$TMP/cis")" \
	"$(sql "SELECT denomination FROM dmpremb.ref_bdpm_cis WHERE cis = '$cis'")"
check_eq "the name holds the two UTF-8 bytes of é" 1 \
	"$(sql "SELECT count(*) FROM dmpremb.ref_bdpm_cis WHERE cis = '$cis' AND position(convert_from('\xc3a9', 'UTF8') in denomination) > 0")"

# CCAM: a label with an accent, a label with a line break (one space), codes
# whose field holds a note after a line break (kept as the 7-character code).
python3 - "$REF/snds/IR_CCAM_V63.csv" >"$TMP/ccam" <<'EOF'
import csv, re, sys
def label(s):
    s = re.sub(r'[ \t\r\n]+', lambda m: ' ' if m.group(0).strip(' ') else m.group(0), s)
    return s.strip(' \t\r\n')
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8'), delimiter=';'))
acc = next(r for r in rows if 'É' in r['CAM_PRS_IDE_LIB'] and '\n' not in r['CAM_PRS_IDE_COD'])
brk = next(r for r in rows if '\n' in r['CAM_PRS_IDE_LIB'].strip() and '\n' not in r['CAM_PRS_IDE_COD'])
print(acc['CAM_PRS_IDE_COD'] + '\t' + label(acc['CAM_PRS_IDE_LIB']))
print(brk['CAM_PRS_IDE_COD'] + '\t' + label(brk['CAM_PRS_IDE_LIB']))
print('notes\t' + ','.join(sorted(r['CAM_PRS_IDE_COD'].split('\n')[0] for r in rows if '\n' in r['CAM_PRS_IDE_COD'])))
EOF
while IFS="$(printf '\t')" read -r code lib; do
	if [ "$code" = notes ]; then
		check_eq "CCAM codes with a note after a line break are loaded as 7-character codes" "$lib" \
			"$(sql "SELECT string_agg(cam_prs_ide_cod, ',' ORDER BY cam_prs_ide_cod COLLATE \"C\") FROM dmpremb.ref_ir_ccam WHERE cam_prs_ide_cod = ANY (string_to_array('$lib', ','))")"
	else
		check_eq "CCAM label of a code reads back normalised" "$lib" \
			"$(sql "SELECT cam_prs_ide_lib FROM dmpremb.ref_ir_ccam WHERE cam_prs_ide_cod = '$code'")"
	fi
done <"$TMP/ccam"

# IR_ACT_COD codes are kept as written, inner spaces included ("A   F").
python3 - "$REF/snds/IR_ACT_COD.csv" >"$TMP/act" <<'EOF'
import csv, hashlib, sys
codes = sorted(r['ACT_COD'] for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8'), delimiter=';'))
print(hashlib.md5('\n'.join(codes).encode()).hexdigest())
EOF
check_eq "IR_ACT_COD codes identical to the file's, inner spaces kept" "$(cat "$TMP/act")" \
	"$(sql "SELECT md5(string_agg(act_cod, E'\n' ORDER BY convert_to(act_cod, 'UTF8'))) FROM dmpremb.ref_ir_act_cod")"
check_eq "every lookup used by the documents answers" "true|true|true|true|true|true" \
	"$(sql "SELECT (SELECT count(*) > 0 FROM dmpremb.ref_bdpm_cip p JOIN dmpremb.ref_bdpm_cis USING (cis))::text
	  || '|' || (SELECT count(*) > 0 FROM dmpremb.ref_bdpm_compo WHERE nature IN ('SA', 'FT'))::text
	  || '|' || (SELECT count(*) > 0 FROM dmpremb.ref_ir_nat_v WHERE prs_nat_cb2 IS NOT NULL)::text
	  || '|' || (SELECT count(*) > 0 FROM dmpremb.ref_ghs_label)::text
	  || '|' || (SELECT count(*) > 0 FROM dmpremb.ref_ms_gm9_v m JOIN dmpremb.ref_ir_cmd_v c ON c.ghs_cmd = m.cmd_cod)::text
	  || '|' || (SELECT count(*) > 0 FROM dmpremb.ref_ir_bio_r WHERE bio_inf_lib IS NOT NULL AND bio_grp_lib IS NOT NULL)::text")"

# Reload: same counts, referential_file now names the second run.
sql "SELECT file_name, records, rows, sha256 FROM dmpremb.referential_file ORDER BY 1" >"$TMP/files1"
run1=$(sql "SELECT max(run_id) FROM dmpremb.run WHERE command = 'referentials' AND outcome = 'ok'")
check "reload the same files" "$DMPREMB" referentials load --snds "$REF/snds" --bdpm "$REF/bdpm"
check_eq "reload reports the same counts" "$(cat "$TMP/report1")" "$(cat "$TMP/out")"
check_eq "reload leaves the same counts and digests" "$(cat "$TMP/files1")" \
	"$(sql "SELECT file_name, records, rows, sha256 FROM dmpremb.referential_file ORDER BY 1")"
check_eq "referential_file rows updated by the second run" 12 \
	"$(sql "SELECT count(*) FROM dmpremb.referential_file WHERE run_id > $run1")"
check_eq "the run is recorded with its counts" "ok|0|$total" \
	"$(sql "SELECT outcome || '|' || exit_code || '|' || (counts->>'records') FROM dmpremb.run WHERE command = 'referentials' ORDER BY run_id DESC LIMIT 1")"

# A refused file leaves every table as it was, even those loaded before it in
# the same run (IR_ACT_COD comes before IR_CCAM_V63 and is cut to one record).
snapshot() {
	sql "SELECT file_name, rows, sha256, run_id, loaded_at FROM dmpremb.referential_file ORDER BY 1"
	for t in ref_ir_act_cod ref_ir_ccam ref_nt_lpp ref_bdpm_cip; do
		sql "SELECT '$t', count(*), md5(string_agg(t::text, '' ORDER BY t::text)) FROM dmpremb.$t t"
	done
}
snapshot >"$TMP/before"
mkdir -p "$TMP/bad"
cp -r "$REF/snds" "$REF/bdpm" "$TMP/bad/"
chmod -R u+w "$TMP/bad"
head -2 "$REF/snds/IR_ACT_COD.csv" >"$TMP/bad/snds/IR_ACT_COD.csv"
sed '1s/CAM_PRS_RGT/CAM_PRS_XXX/' "$REF/snds/IR_CCAM_V63.csv" >"$TMP/bad/snds/IR_CCAM_V63.csv"
check_exit 65 "a header missing a column is refused (exit 65)" \
	"$DMPREMB" referentials load --snds "$TMP/bad/snds" --bdpm "$TMP/bad/bdpm"
check_grep "the error names file, line and column" \
	"IR_CCAM_V63.csv line 1, column CAM_PRS_RGT: missing from the header" "$TMP/err"
check_eq "nothing changed after the refused load" "$(cat "$TMP/before")" "$(snapshot)"
check_eq "the refused run is recorded" "refused|65" \
	"$(sql "SELECT outcome || '|' || exit_code FROM dmpremb.run WHERE command = 'referentials' ORDER BY run_id DESC LIMIT 1")"

cp "$REF/snds/IR_CCAM_V63.csv" "$REF/snds/IR_ACT_COD.csv" "$TMP/bad/snds/"
awk 'NR == 100 { sub(/\t[^\t]*\t[^\t]*\t[^\t]*$/, "") } { print }' "$REF/bdpm/CIS_CIP_bdpm.txt" \
	>"$TMP/bad/bdpm/CIS_CIP_bdpm.txt"
check_exit 65 "a BDPM line with missing fields is refused" \
	"$DMPREMB" referentials load --snds "$TMP/bad/snds" --bdpm "$TMP/bad/bdpm"
check_grep "the error names the BDPM file, line and column" "CIS_CIP_bdpm.txt line 100, column " "$TMP/err"
check_eq "nothing changed after the refused BDPM load" "$(cat "$TMP/before")" "$(snapshot)"

# Unknown files are ignored, missing ones reported; the rest is loaded.
mkdir -p "$TMP/partial"
cp "$REF/snds/NT_LPP.csv" "$TMP/partial/"
echo "notes" >"$TMP/partial/README.txt"
check "a directory with one known file and one unknown" "$DMPREMB" referentials load --snds "$TMP/partial"
check_grep "the unknown file is ignored with a warning" 'referentials.ignored.*README.txt' "$TMP/err"
check_grep "a missing file is reported" 'IR_SPE_V.csv .*missing' "$TMP/out"
check_eq "tables of missing files keep their content" "$(grep '^IR_SPE_V.csv' "$TMP/expected" | cut -d' ' -f2)" \
	"$(sql "SELECT count(*) FROM dmpremb.ref_ir_spe_v")"
mkdir -p "$TMP/empty"
check_exit 66 "a directory without any known file" "$DMPREMB" referentials load --snds "$TMP/empty"

# Readers see the old table until the load commits, and are not blocked by
# it: another session holds referential_file in SHARE mode, so the loader
# waits inside its transaction right after replacing ref_nt_lpp (its next
# step is the referential_file upsert); a reader counts the rows meanwhile.
wait_for() {  # wait_for SQL: until SQL returns 1 (10 s at most)
	i=0
	while [ "$(sql "$1")" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
mkdir -p "$TMP/short"
head -1001 "$REF/snds/NT_LPP.csv" >"$TMP/short/NT_LPP.csv"
lpp=$(grep '^NT_LPP.csv' "$TMP/expected" | cut -d' ' -f2)
PGAPPNAME=t0200-lock psql -X -q -c "BEGIN" -c "LOCK dmpremb.referential_file IN SHARE MODE" \
	-c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name = 't0200-lock' AND query LIKE '%pg_sleep%'"
"$DMPREMB" referentials load --snds "$TMP/short" >"$TMP/short.out" 2>&1 &
loader=$!
waiting="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dmpremb' AND wait_event_type = 'Lock'"
wait_for "$waiting"
check_eq "the loader waits inside its transaction" 1 "$(sql "$waiting")"
during=$(sql "SELECT count(*) FROM dmpremb.ref_nt_lpp")
sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 't0200-lock'" >/dev/null
wait "$holder"
wait "$loader"
check_eq "the shorter NT_LPP load succeeds once unblocked" 0 "$?"
check_eq "a reader during the load sees the old table, unblocked" "$lpp" "$during"
check_eq "after the commit readers see the new table" 1000 "$(sql "SELECT count(*) FROM dmpremb.ref_nt_lpp")"

finish
