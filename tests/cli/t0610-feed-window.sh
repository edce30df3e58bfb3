#!/bin/sh
# tests/cli/t0610-feed-window.sh — the edges of the 24-month window on
# fixtures/batch-window: a line exactly 24 months old is shown, one a day older
# is not; the as-of day is in, the day after is out; a stay admitted the day
# before the window is not shown but still marks H; a leap-day generation
# (29/02/2028 - 24 months = 28/02/2026). Rows are compared with the
# hand-derived EXPECTED-docs.tsv for both generations, and fed documents pass
# cda-validate.
. "$TESTLIB"
new_db feed_window
win="$FIXTURES/batch-window"
ROWS="$TOP/tests/tools/cda_rows.py"

"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
	>"$TMP/setup" 2>&1 && "$DMPREMB" ingest "$win" >>"$TMP/setup" 2>&1 ||
	{ echo "setup failed"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }
# a dossier for every person, created before the first generation
sql "SELECT ins_c || ';CREATION;2026-11-01T09:00:00+01:00' FROM beneficiary" |
	sed '1i INS_C;EVENEMENT;HORODATAGE' >"$TMP/events"
check "dossiers created" "$DMPREMB" dossiers import "$TMP/events"

persons=$(awk 'NR > 1 {print NR}' "$win/beneficiaires.csv")
for as_of in 2026-11-15 2028-02-29; do
	case $as_of in
	2026-11-15) ts=2026-11-15T10:00:00+01:00; version=1 ;;
	2028-02-29) ts=2028-02-29T12:00:00+01:00; version=2 ;;
	esac
	check_exit 0 "feed as of $as_of" "$DMPREMB" feed --as-of "$ts" --allow-future
	: >"$TMP/rows"
	: >"$TMP/rows.err"
	for n in $persons; do
		nir=$(sed -n "${n}p" "$win/beneficiaires.csv" | cut -d';' -f1)
		ic=$(sql "SELECT ins_c FROM beneficiary WHERE ben_nir = '$nir'")
		doc_xml "$ic" "$TMP/p$n.xml"
		check_eq "person $n: the stored document is version $version" "$version" \
			"$(sql "SELECT version FROM document WHERE ins_c = '$ic'")"
		python3 "$ROWS" "$TMP/p$n.xml" "$n" | sed "s/^/$as_of	/" >>"$TMP/rows" 2>>"$TMP/rows.err" ||
			echo "person $n" >>"$TMP/rows.err"
	done
	check_eq "as of $as_of: every row has its entry" "" "$(cat "$TMP/rows.err")"
	grep "^$as_of	" "$win/EXPECTED-docs.tsv" >"$TMP/rows.want"
	if cmp -s "$TMP/rows.want" "$TMP/rows"; then
		_tally ok "as of $as_of: rows equal EXPECTED-docs.tsv ($(wc -l <"$TMP/rows") rows)"
	else
		diff "$TMP/rows.want" "$TMP/rows" >"$TMP/rows.$as_of.diff"
		_tally fail "as of $as_of: rows differ from EXPECTED-docs.tsv (diff in $TMP/rows.$as_of.diff, KEEP_TMP=1 keeps it)"
	fi
	for n in $(awk -F'\t' -v a="$as_of" '$1 == a {print $2}' "$win/EXPECTED-docs-empty.tsv"); do
		check_eq "as of $as_of, person $n: every section in the empty form" "7" \
			"$(grep -c 'Aucune donnée de remboursement connue dans la période' "$TMP/p$n.xml")"
	done
	cda_validate "as of $as_of: the documents pass cda-validate" "$TMP"/p*.xml
done
check_eq "window of the leap-day generation" "2026-02-28 2028-02-29" \
	"$(sql "SELECT DISTINCT period_low || ' ' || period_high FROM document")"
check_grep "the leap-day document's period starts 24 months earlier" \
	'<low value="20260228120000+0100"/>' "$TMP/p2.xml"

finish
