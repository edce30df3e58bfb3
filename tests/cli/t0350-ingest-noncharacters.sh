#!/bin/sh
# t0350-ingest-noncharacters: a name made only of Unicode non-characters
# (U+FFFF, U+FFFE, U+FDD0...) is a missing name (issue 17 A4). The ingest
# reads such a field as empty (tests/hostile/name-noncharacters: a required
# BEN_NOM_NAI is then `missing`, an optional name is stored NULL); a name
# stored that way before (simulated here in SQL, on a person of the demo and
# on a professional of their claim lines) is rendered as missing: no empty
# <family></family> or <given></given>, which the structuration minimale's
# schematron refuses (dtr1-3-EN), and the document passes cda-validate. The
# person's optional names fall back as when absent (the birth name for the
# used one); the professional is shown without a name.
# Only counts and file names are printed.
. "$TESTLIB"
new_db ingest_noncharacters
AS_OF=2026-11-16T12:00:00+01:00
demo_fed "$AS_OF"

# a fed dossier with a claim line, in the window, whose executant is a named professional
sql "SELECT l.ins_c, l.pfs_exe_num FROM claim_line l JOIN professional p ON p.pfs_num = l.pfs_exe_num
     JOIN document d ON d.ins_c = l.ins_c
     WHERE p.pfs_nom IS NOT NULL AND p.pfs_prn IS NOT NULL AND l.exe_soi_dtd >= DATE '2025-01-01'
     ORDER BY l.ins_c, l.pfs_exe_num LIMIT 1" | tr '|' ' ' >"$TMP/who"
read -r ins_c pfs <"$TMP/who"
check "a dossier with a named professional is found" test -n "$pfs"

# names that are nothing once the characters XML cannot hold are dropped:
# the person's optional ones (the required ones, BEN_NOM_NAI and BEN_PRN, are
# rejected by the ingest; the document cannot do without them), the
# professional's both
check_eq "the person's used name and list of given names, the professional's names: non-characters" "1 1" \
	"$(sql "WITH b AS (UPDATE beneficiary SET ben_nom_usu = U&'\FFFE\FFFF', ben_prn_lis = U&' \FFFF '
	                   WHERE ins_c = '$ins_c' RETURNING 1),
	             p AS (UPDATE professional SET pfs_nom = U&'\FFFF', pfs_prn = U&'\FFFE'
	                   WHERE pfs_num = '$pfs' RETURNING 1)
	        SELECT (SELECT count(*) FROM b) || ' ' || (SELECT count(*) FROM p)" 2>/dev/null)"

check_exit 0 "render the dossier" "$DMPREMB" render "$ins_c" --as-of "$AS_OF"
cp "$TMP/out" "$TMP/noncharacters.xml"
check_eq "no empty name particle in the document" 0 \
	"$(grep -c -E '<(family|given)( [^>]*)?>[[:space:]]*</(family|given)>' "$TMP/noncharacters.xml")"
cda_validate "the document passes cda-validate" "$TMP/noncharacters.xml"
finish
