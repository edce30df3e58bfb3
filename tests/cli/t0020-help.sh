#!/bin/sh
# tests/cli/t0020-help.sh — the README's command table and each command's
# --help agree: every option a command's --help lists is in the README row(s)
# of that command, every command of 'dmpremb --help' has a row, and the
# global options (--version, --quiet) are documented in both. No database.
. "$TESTLIB"
readme="$TOP/README.md"
bin=$DMPREMB_UNDER_TEST

"$bin" --help >"$TMP/help"
check_grep "dmpremb --help names --version" "--version" "$TMP/help"
check_grep "dmpremb --help names --quiet" "--quiet" "$TMP/help"
check_grep "dmpremb --help says db has distribute" "^  db .*distribute" "$TMP/help"
check_grep "README names --version" "dmpremb --version" "$readme"
check "dmpremb --version prints the release and the commit" sh -c \
	"'$bin' --version | grep -Eq '^dmpremb [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-z.-]+\)$'"

# the README's command table: the lines "| `dmpremb CMD ..." of the Commands chapter
sed -n '/^## Commands/,/^## /p' "$readme" | grep '^| `dmpremb ' >"$TMP/rows"
for cmd in $(awk '/^Commands:/ { c = 1; next } c && NF == 0 { exit } c { print $1 }' "$TMP/help"); do
	grep "^| \`dmpremb $cmd[ \`]" "$TMP/rows" >"$TMP/row.$cmd"
	check "README has a row for dmpremb $cmd" test -s "$TMP/row.$cmd"
	missing=""
	for o in $("$bin" "$cmd" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		case "$o" in --db|--log-format|--quiet|--help) continue ;; esac
		grep -q -- "$o[] =\`|)]" "$TMP/row.$cmd" || missing="$missing $o"
	done
	check_eq "the README row of $cmd lists every option of '$cmd --help'" "" "${missing# }"
done
check_exit 64 "an unknown option is a usage error" "$bin" feed --bogus
check_eq "... said in one line, naming it" "1 1" \
	"$(wc -l <"$TMP/err" | tr -d ' ') $(grep -c -- "'--bogus'" "$TMP/err")"
check_exit 64 "status --json --prometheus is refused" "$bin" status --json --prometheus
check_grep "... saying why" "give --json or --prometheus, not both" "$TMP/err"
# --as-of: ISO 8601 only, the same parser for every command (no database needed to refuse)
for bad in yesterday epoch infinity now 2026-13-01 2026-02-30 "2026-11-15 10:00" 2026-11-15T25:00 \
           2026-11-15T10:00:00+1 2026-11-15T10:00:00.1234567Z 15/11/2026; do
	check_exit 64 "feed --as-of '$bad' is refused" "$bin" feed --as-of "$bad"
done
check_grep "... naming the accepted forms" "ISO 8601 date or date-time: 2026-11-15, 2026-11-15T10:00" "$TMP/err"
for cmd in status purge backfill render; do
	check_exit 64 "$cmd --as-of epoch is refused too" sh -c "'$bin' $cmd --as-of epoch --all 2>&1 | grep -q 'ISO 8601' && exit 64"
done
# --log-format json: every line of stderr is JSON, the final error line too, numbers as numbers
check_exit 75 "a failed command under --log-format json" "$bin" --log-format json feed --db "host=$TMP/nosocket"
cp "$TMP/err" "$TMP/json.err"
check "... every stderr line is a JSON object, the last one command.failed with its exit as a number" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines and lines[-1]["event"] == "command.failed", lines
assert lines[-1]["exit"] == 75 and lines[-1]["command"] == "feed", lines[-1]
assert "cannot connect" in lines[-1]["message"], lines[-1]
' "$TMP/json.err"
check_eq "insc --help offers no --db (it connects to nothing)" 0 "$("$bin" insc --help | grep -c -- '--db')"
check_exit 64 "insc --db is a usage error" "$bin" insc --db x </dev/null
# --- docs/README.md indexes every page of docs/, and every docs/X.md that the
# README, the sources and the docs name exists (../shared/docs/ aside)
ls "$TOP/docs" | grep '\.md$' | grep -v '^README\.md$' | sort >"$TMP/pages"
sed -n 's/^| \[\([a-z-]*\.md\)\](.*/\1/p' "$TOP/docs/README.md" | sort >"$TMP/indexed"
check_eq "docs/README.md lists every page of docs/, and only those" "$(cat "$TMP/pages")" "$(cat "$TMP/indexed")"
grep -rhoE '(shared/)?docs/[a-z-]+\.md' "$TOP/README.md" "$TOP/docs" "$TOP/cli" "$TOP/jobs" "$TOP/lib" "$TOP/ingest" \
	"$TOP/transform" "$TOP/load" "$TOP/cron" "$TOP/sql" 2>/dev/null | grep -v '^shared/' | sort -u >"$TMP/named"
missing=$(while read -r d; do [ -f "$TOP/$d" ] || echo "$d"; done <"$TMP/named")
check_eq "every docs/ page named in the README, the docs and the sources exists" "" "$missing"
finish
