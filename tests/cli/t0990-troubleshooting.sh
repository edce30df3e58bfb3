#!/bin/sh
# tests/cli/t0990-troubleshooting.sh — docs/troubleshooting.md lists every
# message an operator can meet, and the README's Troubleshooting chapter leads
# to each of its sections (issue 6).
#
# tests/tools/operator_messages.py reads the messages out of the sources (every
# dr_error and cli_usage_error format, the stderr and REFUSED report lines of
# cli/, the reasons of refused lines, warn/error log events, reject reason
# codes, filter rules, feed warnings, exit statuses, dmpremb-run's messages and
# events) and says which ones no line of the catalogue documents. A message
# added or reworded in the code without its entry here fails this test. No
# database: only files are read.
. "$TESTLIB"
tool="$TOP/tests/tools/operator_messages.py"
doc="$TOP/docs/troubleshooting.md"

if ! command -v python3 >/dev/null 2>&1; then
	skip "the troubleshooting catalogue" "python3 not found (make deps installs it)"
	finish
	exit
fi
python3 "$tool" list "$TOP" >"$TMP/inventory" || { echo "cannot read the messages out of the sources"; exit 1; }

# --- the inventory: an extraction that broke would find nothing missing
count() { awk -F'\t' -v k="$1" '$1 == k' "$TMP/inventory" | wc -l; }
has() { awk -F'\t' -v k="$1" -v t="$2" '$1 == k && $3 == t' "$TMP/inventory" | grep -q .; }
check "the sources give 150 messages or more ($(count message))" test "$(count message)" -ge 150
check "... 50 reasons of refused lines or more ($(count line))" test "$(count line)" -ge 50
check "... 30 codes or more ($(count code))" test "$(count code)" -ge 30
check "... 25 events or more ($(count event))" test "$(count event)" -ge 25
check "... 20 messages of dmpremb-run or more ($(count run))" test "$(count run)" -ge 20
check_eq "... the exit statuses of dr_exit_code()" "exit 0 exit 1 exit 64 exit 65 exit 66 exit 69 exit 70 exit 74 exit 75 exit 78" \
	"$(awk -F'\t' '$1 == "exit" { printf "%s%s", s, $3; s = " " }' "$TMP/inventory")"
check "a format split over two literals is read whole" \
	has message "this command runs as role %s, which login %s does not hold (GRANT %s TO %s)"
check "both arms of a ?: are read" has line "the dossier already exists (closed): only a REACTIVATION reopens it"
check "the reject sentences of rows.c are read" has line "a pharmacie line needs exactly one of PHA_PRS_C13 and TIP_PRS_IDE"
check "the REFUSED line of the ingest report is read" has message "Fix the extract upstream, or apply it anyway with --force."
check "the reason codes of the SQL merge are read" has code unknown_person
check "the filter rules are read" has code DOSSIER_SUPPRIME

# --- the catalogue documents every one of them
python3 "$tool" missing "$TOP" "$doc" >"$TMP/missing"
for kind in message line code event exit run; do
	check_eq "every entry of kind '$kind' is in docs/troubleshooting.md" "" \
		"$(awk -F'\t' -v k="$kind" '$1 == k { print "    missing: " $2 "  " $3 }' "$TMP/missing")"
done

# --- and the check can fail: an entry taken out of the catalogue is missed ...
grep -v 'SHA256 in manifest.csv' "$doc" >"$TMP/doc-without-sha"
check "a catalogue without the SHA256 mismatch entry fails" \
	sh -c "python3 '$tool' missing '$TOP' '$TMP/doc-without-sha' | grep -q 'does not match its SHA256'"
code=$(awk -F'\t' '$1 == "code" { print $3; exit }' "$TMP/inventory")
grep -v "\`$code\`" "$doc" >"$TMP/doc-without-code"
python3 "$tool" missing "$TOP" "$TMP/doc-without-code" | cut -f1,3 >"$TMP/missing-code"
check_grep "a catalogue without the reason code '$code' fails" "^code	$code\$" "$TMP/missing-code"
# ... and so is a new refusal added to the code without its entry
mkdir -p "$TMP/src"
cp -R "$TOP/cli" "$TOP/ingest" "$TOP/transform" "$TOP/load" "$TOP/lib" "$TOP/cron" "$TMP/src/"
printf '%s\n' 'int undocumented(void) { return dr_error(DR_E_DATA, "%s: a refusal nobody documented", "x"); }' \
	>>"$TMP/src/ingest/batch.c"
python3 "$tool" missing "$TMP/src" "$doc" | cut -f1,3 >"$TMP/missing-new"
check_grep "a new dr_error message without an entry fails" "^message	%s: a refusal nobody documented\$" "$TMP/missing-new"

# --- the README's chapter leads to every section of the catalogue
awk '/^## Troubleshooting$/ { on = 1; next } /^## / { on = 0 } on' "$TOP/README.md" >"$TMP/chapter"
check "README.md has a Troubleshooting chapter that names docs/troubleshooting.md" \
	grep -q 'docs/troubleshooting.md' "$TMP/chapter"
grep '^## ' "$doc" | sed 's/^## //' >"$TMP/sections"
while IFS= read -r title; do
	# the anchor GitHub gives a heading: lower case, punctuation dropped, spaces as -
	slug=$(printf '%s' "$title" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9 _-]//g; s/ /-/g')
	check_grep "the README chapter links to '$title'" "docs/troubleshooting.md#$slug)" "$TMP/chapter"
done <"$TMP/sections"

# --- placeholders, never data: no run of 13 digits or more (a NIR, an INS-C)
check_eq "the catalogue holds no NIR- or INS-C-like number" "" "$(grep -nE '[0-9]{13,}' "$doc" "$TMP/chapter")"
finish
