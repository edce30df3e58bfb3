#!/bin/sh
# t0400-hostile: every batch of tests/hostile/ (and the large ones, made here
# into $TMP) is ingested into a fresh database; its EXPECTED file says the exit
# status, the refusal message, the per-file counts and every reject. Besides,
# for every case: no crash (exit >= 128, a sanitizer report), no hang (timeout
# 120 s), a failed ingest leaves the stored data unchanged, a loaded batch
# stores exactly its loaded lines, reject sentences name their column and never
# quote the value, and no identifier or name reaches the output. Cases git
# cannot hold (a named pipe, a directory as a file) are made here too; names
# holding a line break or an ESC must reach the log and the messages escaped.
. "$TESTLIB"
hostile="$TOP/tests/hostile"

check "the committed cases are what make-cases.py writes" python3 "$hostile/make-cases.py" --check
python3 "$hostile/make-cases.py" --large "$TMP/large" || echo "cannot write the large cases" >&2

new_db hostile_tpl
export PGDATABASE=postgres

# the stored data of every kind (not the batch bookkeeping)
data_digest() {
	sql "SELECT md5(concat_ws('#',
	  (SELECT string_agg(x::text, '|' ORDER BY x::text) FROM dmpremb.claim_line x),
	  (SELECT string_agg(x::text, '|' ORDER BY x::text) FROM dmpremb.beneficiary x),
	  (SELECT string_agg(x::text, '|' ORDER BY x::text) FROM dmpremb.hospital_stay x),
	  (SELECT string_agg(x::text, '|' ORDER BY x::text) FROM dmpremb.professional x),
	  (SELECT string_agg(x::text, '|' ORDER BY x::text) FROM dmpremb.establishment x)))"
}

# ingest DIR ARGS...: the command under test, bounded in time; $TMP/out, $TMP/err, $rc
ingest() {
	timeout 120 "$DMPREMB" ingest "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# field NAME FILE: the values of the column NAME of a ';' file (no quoting in these columns)
field() {
	awk -F';' -v c="$1" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next} k {print $k}' "$2" 2>/dev/null
}

run_case() {
	dir=$1
	name=$(basename "$dir")
	exp="$dir/EXPECTED"
	args=$(awk -F'\t' '$1 == "args" {print $2}' "$exp")
	before=$(awk -F'\t' '$1 == "before" {print $2}' "$exp")
	want_exit=$(awk -F'\t' '$1 == "exit" {print $2}' "$exp")
	message=$(awk -F'\t' '$1 == "message" {print $2}' "$exp")

	dropdb --if-exists t_hostile >/dev/null 2>&1
	createdb -T t_hostile_tpl t_hostile || { _tally fail "$name: fresh database"; return; }
	PGDATABASE=t_hostile
	if [ -n "$before" ]; then
		ingest "$hostile/$before"
		check_eq "$name: batch $before ingested first" 0 "$rc"
	fi
	digest=$(data_digest)

	# shellcheck disable=SC2086
	ingest "$dir" $args
	if [ "$rc" -ge 124 ] || grep -q -E 'Sanitizer|runtime error:' "$TMP/err"; then
		_tally fail "$name: no crash, no hang, no sanitizer report (exit $rc)"
		grep -E 'Sanitizer|runtime error:|SUMMARY' "$TMP/err" | head -5 | sed 's/^/    | /'
	else
		_tally ok "$name: no crash, no hang, no sanitizer report"
	fi
	if [ "$rc" = "$want_exit" ]; then
		_tally ok "$name: exit $want_exit"
	else
		_tally fail "$name: exit $rc, expected $want_exit"; head -5 "$TMP/err" | sed 's/^/    | /'
	fi
	if [ -n "$message" ]; then
		if grep -q -F -- "$message" "$TMP/err"; then
			_tally ok "$name: the message says: $message"
		else
			_tally fail "$name: no message: $message"; head -5 "$TMP/err" | sed 's/^/    | /'
		fi
	fi
	if [ "$rc" != 0 ]; then
		check_eq "$name: a failed ingest leaves the stored data unchanged" "$digest" "$(data_digest)"
	fi

	if grep -q '^counts' "$exp"; then
		awk -F'\t' -v OFS='\t' '$1 == "counts" {print $2, $3, $4, $5, $6, $7}' "$exp" >"$TMP/want-counts"
		batch_counts "$name" | tail -n +2 >"$TMP/got-counts"
		if cmp -s "$TMP/want-counts" "$TMP/got-counts"; then
			_tally ok "$name: per-file counts read/loaded/filtered/rejected/duplicate"
		else
			_tally fail "$name: per-file counts"; diff "$TMP/want-counts" "$TMP/got-counts" | sed 's/^/    | /'
		fi
		awk -F'\t' -v OFS='\t' '$1 == "reject" {print $2, $3, $4, $5}' "$exp" | sort >"$TMP/want-rejects"
		sql "SELECT r.file_name, r.line_no, coalesce(r.column_name, '-'), r.reason_code
		     FROM reject r JOIN batch b USING (batch_id) WHERE b.label = '$name'" | tr '|' '\t' | sort >"$TMP/got-rejects"
		if cmp -s "$TMP/want-rejects" "$TMP/got-rejects"; then
			_tally ok "$name: every reject at its line and column, with its reason ($(wc -l <"$TMP/want-rejects"))"
		else
			_tally fail "$name: rejects"; diff "$TMP/want-rejects" "$TMP/got-rejects" | sed 's/^/    | /'
		fi
		check_eq "$name: reject sentences name their column and never quote the value" 0 \
			"$(sql "SELECT count(*) FROM reject
			        WHERE (column_name IS NOT NULL AND position(column_name IN reason) = 0)
			           OR (raw_value <> '' AND length(raw_value) > 2 AND position(raw_value IN reason) > 0)")"
		if [ "$rc" = 0 ]; then
			# nothing valid is lost: every loaded line is stored under this batch
			claims=$(awk -F'\t' '$1 == "counts" && $2 ~ /^(pharmacie|actes|radiologie|biologie)/ {s += $4} END {print s + 0}' "$exp")
			got=$(sql "SELECT (SELECT count(*) FROM claim_line l JOIN batch b USING (batch_id) WHERE b.label = '$name')
			  || ' ' || (SELECT count(*) FROM hospital_stay l JOIN batch b USING (batch_id) WHERE b.label = '$name')
			  || ' ' || (SELECT count(*) FROM beneficiary l JOIN batch b USING (batch_id) WHERE b.label = '$name')")
			want="$claims $(awk -F'\t' '$1 == "counts" && $2 == "hospitalisation.csv" {print $4}' "$exp") $(awk -F'\t' '$1 == "counts" && $2 == "beneficiaires.csv" {print $4}' "$exp")"
			check_eq "$name: claim lines, stays and persons stored = loaded" "$want" "$got"
		fi
	fi

	awk -F'\t' '$1 == "sql" {print $2 "\t" $3}' "$exp" >"$TMP/sqls"
	while IFS='	' read -r want q; do
		check_eq "$name: $q" "$want" "$(sql "$q" 2>&1)"
	done <"$TMP/sqls"

	# no NIR, INS-C or birth name in what the command printed
	{ field BEN_NIR "$dir/beneficiaires.csv"; field BEN_NIR "$dir/pharmacie.csv"; field BEN_NOM_NAI "$dir/beneficiaires.csv"
	  sql "SELECT ins_c FROM beneficiary" 2>/dev/null; } | tr -d '"' | grep -E '^[0-9A-Z]{5,}' | sort -u >"$TMP/secrets"
	if [ -s "$TMP/secrets" ]; then
		check_eq "$name: no identifier or name in the output" 0 "$(cat "$TMP/out" "$TMP/err" | grep -c -F -f "$TMP/secrets")"
	fi
}

n=0
for dir in "$hostile"/*/ "$TMP"/large/*/; do
	[ -f "$dir/EXPECTED" ] || continue
	run_case "${dir%/}"
	n=$((n + 1))
done
check "at least 40 hostile cases ran ($n)" test "$n" -ge 40

# --- names from outside cannot forge a log line nor reach the terminal raw:
# a batch directory, then an unlisted file, whose names hold a line break that
# starts a fake error line, and an ESC sequence (git cannot hold such names)
esc=$(printf '\033')
forged=$(printf 'inj\n2026-01-01T00:00:00.000Z error ingest.done FORGED%s[31m' "$esc")
no_injection() {    # what: stdout and stderr of the last ingest
	check_eq "$1: no forged log line" 0 "$(grep -c '^2026-01-01T00:00:00.000Z error ingest.done FORGED' "$TMP/err")"
	check_eq "$1: no raw ESC on stdout or stderr" 0 "$(cat "$TMP/out" "$TMP/err" | grep -c "$esc")"
}
dropdb --if-exists t_hostile >/dev/null 2>&1
createdb -T t_hostile_tpl t_hostile
PGDATABASE=t_hostile
cp -R "$hostile/base" "$TMP/$forged"
ingest "$TMP/$forged"
check_eq "a batch directory named with a line break and an ESC: loaded" 0 "$rc"
no_injection "the batch directory's name"
check_grep "... and its name is logged escaped" 'ingest.manifest .*batch="inj\\n2026-01-01T00:00:00.000Z error ingest.done FORGED\\x1b\[31m"' "$TMP/err"
"$DMPREMB" --log-format json ingest --dry-run "$TMP/$forged" >"$TMP/out" 2>"$TMP/err"
check "... and every line of the JSON log is one valid JSON object" python3 -c '
import json, sys
for line in open(sys.argv[1], "rb").read().decode("utf-8").splitlines():
    json.loads(line)' "$TMP/err"
no_injection "the batch directory's name, JSON log"
cp -R "$hostile/base" "$TMP/extra"
printf 'A;B\n' >"$TMP/extra/$(printf 'x\n2026-01-01T00:00:00.000Z error ingest.done FORGED%s[2J.csv' "$esc")"
ingest "$TMP/extra"
check_eq "an unlisted file named with a line break and an ESC: refused" 65 "$rc"
check_grep "... and the message names it escaped" "'x\\\\n2026-01-01T00:00:00.000Z error ingest.done FORGED\\\\x1b\\[2J.csv' is in the batch but not in manifest.csv" "$TMP/err"
no_injection "the unlisted file's name"
finish
