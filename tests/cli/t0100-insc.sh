#!/bin/sh
# tests/cli/t0100-insc.sh — `dmpremb insc` against the ASIP samples of
# ../shared/insc (read here, never copied): every row comes out exactly, a bad
# line is named by number and field while the others are still computed.
# Outputs are compared with cmp: no INS-C, name or NIR is ever printed.
. "$TESTLIB"

sample="$SHARED/insc/insc_sample.csv"
official="$SHARED/insc/insc_official_sample.csv"

# same FILE1 FILE2: "identical" or "different" (never the content)
same() {
	cmp -s "$1" "$2" && echo identical || echo different
}

check "--help describes the command" "$DMPREMB" insc --help
check_grep "--help names the input format" "prenom;AAMMJJ;NIR13" "$TMP/out"
check_exit 64 "an argument is a usage error" "$DMPREMB" insc extra

if [ ! -f "$sample" ]; then
	skip "insc sample rows" "$sample not found"
else
	# with its header line (prenom;...), first three columns only
	cut -d';' -f1-3 "$sample" >"$TMP/in.txt"
	tail -n +2 "$sample" | awk -F';' '{ print $5 $6 }' >"$TMP/want.txt"
	check "sample rows exit 0" sh -c '"$DMPREMB" insc <"$TMP/in.txt" >"$TMP/got.txt"'
	check_eq "sample: every INS-C as expected" identical "$(same "$TMP/want.txt" "$TMP/got.txt")"
	check_eq "sample: nothing on stderr" 0 "$(wc -c <"$TMP/err")"

	# CRLF, no header, blank lines skipped
	tail -n +2 "$TMP/in.txt" | awk '{ printf "%s\r\n", $0; if (NR == 10) printf "\r\n\n" }' >"$TMP/crlf.txt"
	"$DMPREMB" insc <"$TMP/crlf.txt" >"$TMP/got.txt" 2>"$TMP/err"
	check_eq "CRLF and blank lines: exit 0" 0 "$?"
	check_eq "CRLF and blank lines: same INS-Cs" identical "$(same "$TMP/want.txt" "$TMP/got.txt")"

	# a bad NIR as input line 4 (header is line 1): output line 3 empty, others right
	{ head -3 "$TMP/in.txt"; echo "JEAN;500801;1500815O51040"; tail -n +4 "$TMP/in.txt"; } >"$TMP/bad.txt"
	{ head -2 "$TMP/want.txt"; echo; tail -n +3 "$TMP/want.txt"; } >"$TMP/want_bad.txt"
	"$DMPREMB" insc <"$TMP/bad.txt" >"$TMP/got.txt" 2>"$TMP/err"
	check_eq "bad line: exit 65" 65 "$?"
	check_eq "bad line: the others still right, outputs aligned" identical \
		"$(same "$TMP/want_bad.txt" "$TMP/got.txt")"
	check_grep "bad line: error names line 4 and the field" "line 4: NIR13 " "$TMP/err"
	check_eq "bad line: the value is not echoed" 0 "$(grep -c '1500815O51040' "$TMP/err")"
	check_eq "bad line: one error line and a summary" 2 "$(wc -l <"$TMP/err")"

	# other fields: bad date, missing field, invalid UTF-8
	printf 'Jean;5008;1500815051040\nJean;500801\n\377;500801;1500815051040\nJean;500801;1500815051040\n' \
		>"$TMP/bad2.txt"
	"$DMPREMB" insc <"$TMP/bad2.txt" >"$TMP/got.txt" 2>"$TMP/err"
	check_eq "bad fields: exit 65" 65 "$?"
	check_grep "bad date named" "line 1: AAMMJJ " "$TMP/err"
	check_grep "field count named" "line 2: line does not have 3 fields" "$TMP/err"
	check_grep "invalid UTF-8 named" "line 3: prenom " "$TMP/err"
	check_eq "bad fields: four output lines, last one computed" "4 1" \
		"$(wc -l <"$TMP/got.txt" | tr -d ' ') $(grep -c '^[0-9]\{22\}$' "$TMP/got.txt")"
fi

if [ ! -f "$official" ]; then
	skip "official sample rows" "$official not found"
else
	# two title lines, CRLF kept: the rows after them, CRLF and all
	tail -n +3 "$official" | cut -d';' -f1-3 | sed 's/$/\r/' >"$TMP/in.txt"
	tail -n +3 "$official" | tr -d '\r' | awk -F';' '{ print $5 $6 }' >"$TMP/want.txt"
	check "official sample exit 0" sh -c '"$DMPREMB" insc <"$TMP/in.txt" >"$TMP/got.txt"'
	check_eq "official sample: 14369 rows, every INS-C as expected" "14369 identical" \
		"$(wc -l <"$TMP/got.txt" | tr -d ' ') $(same "$TMP/want.txt" "$TMP/got.txt")"
fi

finish
