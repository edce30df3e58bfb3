#!/bin/sh
# tests/cli/t0600-feed.sh — `dmpremb feed` and `dmpremb render` on batch-demo:
# every document's rows equal the hand-derived fixtures/batch-demo/EXPECTED-docs.tsv,
# golden files, cda-validate, versions (RPLC), traces, --ins-c, --dry-run, and a
# feed killed between transactions then re-run: no gap, no duplicate version,
# no orphan trace. Output shows counts and person line numbers, never a value.
. "$TESTLIB"
new_db feed
demo="$FIXTURES/batch-demo"
AS_OF=2026-11-15T10:00:00+01:00
ROWS="$TOP/tests/tools/cda_rows.py"
GOLDEN="$TOP/tests/golden/feed"

"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
	>"$TMP/setup" 2>&1 &&
"$DMPREMB" ingest "$demo" --force >>"$TMP/setup" 2>&1 &&
# (without person 21's SUPPRESSION: its document belongs to the oracle here;
# deletion is t0700's)
grep -v ';SUPPRESSION;' "$FIXTURES/dossiers.csv" >"$TMP/dossiers.csv"
"$DMPREMB" dossiers import "$TMP/dossiers.csv" >>"$TMP/setup" 2>&1 ||
	{ echo "setup failed"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }

# INS-C of the person on line N of beneficiaires.csv (never printed)
ins_c_of() {
	nir=$(sed -n "$1p" "$demo/beneficiaires.csv" | cut -d';' -f1 | tr -d '"\357\273\277')
	sql "SELECT ins_c FROM beneficiary WHERE ben_nir = '$nir'"
}
persons=$(awk 'NR > 1 {print NR}' "$demo/beneficiaires.csv")
dossiers=$(sql "SELECT count(*) FROM dossier d JOIN beneficiary b USING (ins_c) WHERE d.state = 'open' AND NOT d.opposition")

# --- dry run: everything rendered, nothing stored
before=$(db_digest)
# The oracle is computed at $AS_OF, a day before ten of the dossiers were
# created: feeding by due-ness would leave those out (a dossier is not due
# before its CREATION), so the first feed names every dossier (--ins-c).
sql "SELECT ins_c FROM dossier" >"$TMP/all.list"
check_exit 0 "feed --dry-run" "$DMPREMB" feed --as-of "$AS_OF" --dry-run --ins-c "$TMP/all.list"
check_grep "dry run reports the documents rendered" "documents rendered *$dossiers " "$TMP/out"
check_eq "dry run stored nothing" "$before" "$(db_digest)"

# --- render before any feed = what feed then stores, byte for byte
ic11=$(ins_c_of 11)
check_exit 0 "render a dossier never fed" "$DMPREMB" render "$ic11" --as-of "$AS_OF"
cp "$TMP/out" "$TMP/render11.xml"
check_exit 64 "render refuses a malformed INS-C" "$DMPREMB" render 12345 --as-of "$AS_OF"
check_exit 66 "render of an unknown INS-C (with a reason: no dossier): no identity" "$DMPREMB" render 0000000000000000000000 \
	--as-of "$AS_OF" --reason "test t0600"
check_exit 64 "feed refuses a bad --as-of" "$DMPREMB" feed --as-of yesterday-ish
check_exit 64 "feed refuses an unknown INS-NIR OID" "$DMPREMB" feed --ins-nir-oid 1.2.3

# --- the feed
check_exit 0 "feed at $AS_OF" "$DMPREMB" feed --as-of "$AS_OF" --ins-c "$TMP/all.list"
cp "$TMP/out" "$TMP/feed1.out"; cp "$TMP/err" "$TMP/feed1.err"
check "its feed.done line carries the run row's counts, key by key" python3 "$TOP/tests/tools/done_line.py" \
	"$TMP/feed1.err" feed.done "$(sql "SELECT max(run_id) FROM run WHERE command = 'feed'")" \
	"$(sql "SELECT counts FROM run WHERE run_id = (SELECT max(run_id) FROM run WHERE command = 'feed')")"
check_eq "one document per open dossier with an identity" "$dossiers" "$(sql "SELECT count(*) FROM document")"
check "the report counts them" grep -q "documents stored *$dossiers " "$TMP/feed1.out"
check_eq "every document is version 1" "$dossiers" "$(sql "SELECT count(*) FROM document WHERE version = 1")"
check_eq "a version row per document" "$dossiers" "$(sql "SELECT count(*) FROM document_version")"
check_eq "a trace 'a ajouté' per document, by Assurance Maladie" "$dossiers" \
	"$(sql "SELECT count(*) FROM trace WHERE author = 'Assurance Maladie' AND action = 'a ajouté : Données de remboursement' AND version = 1")"
check_eq "stored SHA-256 and size match the XML" "0" \
	"$(sql "SELECT count(*) FROM document WHERE sha256 <> encode(sha256(convert_to(xml, 'UTF8')), 'hex') OR bytes <> octet_length(xml)")"
check_eq "window stored with the document" "2024-11-15 2026-11-15" \
	"$(sql "SELECT DISTINCT period_low || ' ' || period_high FROM document")"
check_eq "dossiers marked fed" "$dossiers" "$(sql "SELECT count(*) FROM dossier WHERE last_fed_at IS NOT NULL")"
doc_xml "$ic11" "$TMP/stored11.xml"
check "render printed exactly what feed stored" cmp -s "$TMP/render11.xml" "$TMP/stored11.xml"
# person 17 has three codes the fixture referentials do not know (a CIP13, a
# CCAM act, an imaging act): shown with a neutral label and counted
check_exit 0 "render of a dossier with unknown codes" "$DMPREMB" render "$(ins_c_of 17)" --as-of "$AS_OF" \
	--reason "test t0600"
check_grep "unknown codes are counted as warnings" "render.done .*warnings=3" "$TMP/err"

# --- every row of every document, against the hand-derived oracle
: >"$TMP/rows"
: >"$TMP/rows.err"
for n in $persons; do
	ic=$(ins_c_of "$n")
	[ -n "$ic" ] || continue   # an identity that was rejected
	# the stored document; a person without a dossier (no CREATION event) has
	# none: what render would give is checked instead
	if [ "$(sql "SELECT count(*) FROM document WHERE ins_c = '$ic'")" = 1 ]; then
		doc_xml "$ic" "$TMP/p$n.xml"
	else
		"$DMPREMB" render "$ic" --as-of "$AS_OF" --reason "test t0600" >"$TMP/p$n.xml" 2>/dev/null
	fi
	python3 "$ROWS" "$TMP/p$n.xml" "$n" >>"$TMP/rows" 2>>"$TMP/rows.err" || echo "person $n" >>"$TMP/rows.err"
done
check_eq "every row has one entry and every reference resolves" "" "$(cat "$TMP/rows.err")"
grep -v '^person' "$demo/EXPECTED-docs.tsv" >"$TMP/rows.want"
if cmp -s "$TMP/rows.want" "$TMP/rows"; then
	_tally ok "rows of all documents equal EXPECTED-docs.tsv ($(wc -l <"$TMP/rows") rows)"
else
	diff "$TMP/rows.want" "$TMP/rows" >"$TMP/rows.diff"
	_tally fail "rows differ from EXPECTED-docs.tsv in persons: $(cut -f1 "$TMP/rows.diff" | grep -o '^[<>] [0-9]*' | cut -c3- | sort -nu | tr '\n' ' ')(diff kept in $TMP/rows.diff)"
fi
for n in $(grep -v '^person' "$demo/EXPECTED-docs-empty.tsv"); do
	check_eq "person $n: every section in the empty form" "7" "$(grep -c 'Aucune donnée de remboursement connue dans la période' "$TMP/p$n.xml")"
done

# --- golden files: the documents of a few persons, byte for byte
# (UPDATE_GOLDEN=1 rewrites them; review the diff by eye before committing)
for n in 3 10 11 13 17 21; do
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$GOLDEN" && cp "$TMP/p$n.xml" "$GOLDEN/person$n.xml"
	fi
	check "golden document of person $n" cmp -s "$GOLDEN/person$n.xml" "$TMP/p$n.xml"
done

# --- determinism: rendering the same inputs again gives the same bytes
"$DMPREMB" render "$ic11" --as-of "$AS_OF" >"$TMP/again1.xml" 2>/dev/null
"$DMPREMB" render "$ic11" --as-of "$AS_OF" >"$TMP/again2.xml" 2>/dev/null
check "two renders are byte-identical" cmp -s "$TMP/again1.xml" "$TMP/again2.xml"

# --- the national validator, on every stored document
export_docs "$TMP/v1"
cda_validate "every version-1 document passes cda-validate" "$TMP"/v1/*.xml

# --- the same --as-of again: everything is current, nothing is written
before=$(db_digest)
check_exit 0 "feed again at the same --as-of" "$DMPREMB" feed --as-of "$AS_OF" --ins-c "$TMP/all.list"
check_grep "nothing selected" "dossiers selected *0$" "$TMP/out"
check_eq "no version written twice" "$before" "$(db_digest)"

# --- a week later: version 2 replaces version 1
check_exit 0 "feed a week later" "$DMPREMB" feed --as-of 2026-11-22T10:00:00+01:00
check_eq "every document is version 2" "$dossiers" "$(sql "SELECT count(*) FROM document WHERE version = 2")"
check_eq "two version rows per dossier" "$((2 * dossiers))" "$(sql "SELECT count(*) FROM document_version")"
check_eq "setId kept across versions" "0" \
	"$(sql "SELECT count(*) FROM document_version v JOIN document d USING (ins_c) WHERE v.set_id <> d.set_id")"
check_eq "ids never reused" "$((2 * dossiers))" "$(sql "SELECT count(DISTINCT doc_id) FROM document_version")"
check_eq "a trace 'a modifié' per dossier" "$dossiers" \
	"$(sql "SELECT count(*) FROM trace WHERE action = 'a modifié : Données de remboursement' AND version = 2")"
doc_xml "$ic11" "$TMP/v2.xml"
v1id=$(sql "SELECT doc_id FROM document_version WHERE ins_c = '$ic11' AND version = 1")
check "version 2 replaces version 1 (relatedDocument RPLC)" python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"h": "urn:hl7-org:v3"}
d = ET.parse(sys.argv[1]).getroot()
r = d.find("h:relatedDocument", ns)
assert r is not None and r.get("typeCode") == "RPLC"
assert r.find("h:parentDocument/h:id", ns).get("root") == sys.argv[2]
assert d.find("h:versionNumber", ns).get("value") == "2"
' "$TMP/v2.xml" "$v1id"
export_docs "$TMP/v2"
cda_validate "every version-2 document passes cda-validate" "$TMP"/v2/*.xml

# --- killed between two transactions, then run again with the same --as-of
AS3=2026-11-29T10:00:00+01:00
# (one lane, --jobs 1, so that the chunks are counted in order; t0950 kills
# feeds on lanes)
DMPREMB_KILL_AT=feed-chunk:1 "$DMPREMB" feed --as-of "$AS3" --chunk 5 --jobs 1 >"$TMP/out" 2>&1
check_eq "feed killed after its first chunk" "137" "$?"
check_eq "the first chunk is stored whole" "5" "$(sql "SELECT count(*) FROM document WHERE version = 3")"
DMPREMB_KILL_AT=feed-before-store:2 "$DMPREMB" feed --as-of "$AS3" --chunk 5 --jobs 1 >"$TMP/out" 2>&1
check_eq "feed killed inside its second chunk" "137" "$?"
check_eq "the killed chunk left nothing" "10" "$(sql "SELECT count(*) FROM document WHERE version = 3")"
check_exit 0 "the re-run finishes the job (on 3 lanes)" "$DMPREMB" feed --as-of "$AS3" --chunk 5 --jobs 3
check_grep "... which ran 3 lanes" " feed\.start .* lanes=3 " "$TMP/err"
check_eq "every dossier at version 3" "$dossiers" "$(sql "SELECT count(*) FROM document WHERE version = 3")"
check_eq "no gap and no duplicate version" "0" \
	"$(sql "SELECT count(*) FROM (SELECT ins_c FROM document_version GROUP BY ins_c
	        HAVING count(*) <> 3 OR min(version) <> 1 OR max(version) <> 3) x")"
check_eq "no orphan trace: one per version" "0" \
	"$(sql "SELECT count(*) FROM trace t FULL JOIN document_version v USING (ins_c, version)
	        WHERE t.ins_c IS NULL OR v.ins_c IS NULL")"

# --- --ins-c: only the listed dossiers; a bad line is named, not echoed
ic3=$(ins_c_of 3)
printf '# two dossiers\n%s\n\nnot-an-ins-c\n%s\n%s\n' "$ic11" "$ic3" "$ic11" >"$TMP/list"
check_exit 65 "feed --ins-c with a bad line: exit 65" "$DMPREMB" feed --as-of 2026-12-06T10:00:00+01:00 --ins-c "$TMP/list"
check_eq "only the two listed dossiers got version 4" "2" "$(sql "SELECT count(*) FROM document WHERE version = 4")"
check_grep "the bad line is named by its number" "line=4" "$TMP/err"
check "the bad value is not echoed" sh -c "! grep -q not-an-ins-c '$TMP/err' '$TMP/out'"
runs_before=$(sql "SELECT count(*) FROM run")
check_exit 64 "feed --as-of later than now is refused" "$DMPREMB" feed --as-of 2099-01-01
check_grep "... saying why and how to force it" "is later than now.*--allow-future" "$TMP/err"
check_exit 64 "... for backfill too" "$DMPREMB" backfill --all --as-of 2099-01-01T10:00:00Z
check_eq "... usage errors record no run" "$runs_before" "$(sql "SELECT count(*) FROM run")"
check_exit 0 "--allow-future accepts it (a dry run here)" "$DMPREMB" feed --as-of 2099-01-01T10:00 --allow-future --dry-run
check_exit 0 "feed --ins-c - reads stdin" sh -c "echo '$ic3' | '$DMPREMB' feed --as-of 2026-12-13T10:00:00+01:00 --allow-future --ins-c -"
check_eq "the dossier from stdin got version 5" "1" "$(sql "SELECT count(*) FROM document WHERE version = 5")"

# --- a dossier whose person no batch has described yet: skipped, counted
orphan=$(printf 'Zoe;900101;2900175999999\n' | "$DMPREMB" insc)
printf 'INS_C;EVENEMENT;HORODATAGE\n%s;CREATION;2026-12-01T09:00:00+01:00\n' "$orphan" >"$TMP/orphan.csv"
check "a dossier for a person no batch described" "$DMPREMB" dossiers import "$TMP/orphan.csv"
check_exit 0 "feed with a dossier without identity" "$DMPREMB" feed --as-of 2026-12-27T10:00:00+01:00 --allow-future
check_grep "it is counted as skipped" "skipped, no identity *1$" "$TMP/out"
check_eq "and has no document" "0" "$(sql "SELECT count(*) FROM document WHERE ins_c = '$orphan'")"

# --- CP1252-origin names and labels (Œ, ’, é) reach the document as UTF-8
cp="$FIXTURES/batch-cp1252"
check "batch-cp1252 loads" "$DMPREMB" ingest "$cp"
for n in $(awk 'NR > 1 {print NR}' "$cp/beneficiaires.csv"); do
	nir=$(sed -n "${n}p" "$cp/beneficiaires.csv" | iconv -f CP1252 -t UTF-8 | cut -d';' -f1)
	"$DMPREMB" render "$(sql "SELECT ins_c FROM beneficiary WHERE ben_nir = '$nir'")" --as-of "$AS_OF" \
		--reason "test t0600" >"$TMP/cp$n.xml" 2>/dev/null
done
check "a name with Œ and one with ’ are in the documents" sh -c "grep -q 'Œ' '$TMP'/cp*.xml && grep -q '’' '$TMP'/cp*.xml"
cda_validate "the CP1252-origin documents pass cda-validate" "$TMP"/cp*.xml

# --- no NIR, INS-C or birth name in what feed and render print or log
awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{print $c["BEN_NIR"]; print $c["BEN_NOM_NAI"]}' "$demo/beneficiaires.csv" | tr -d '"' | sort -u >"$TMP/secrets"
sql "SELECT ins_c FROM beneficiary" >>"$TMP/secrets"
sed -i '/^$/d' "$TMP/secrets"
"$DMPREMB" feed --as-of 2026-12-20T10:00:00+01:00 --allow-future --log-format json >"$TMP/log.out" 2>"$TMP/log.err"
"$DMPREMB" render "$ic11" >/dev/null 2>>"$TMP/log.err"
check_eq "no NIR, INS-C or birth name in feed's output or logs" "0" \
	"$(cat "$TMP/feed1.out" "$TMP/feed1.err" "$TMP/log.out" "$TMP/log.err" | grep -c -F -f "$TMP/secrets")"

finish
