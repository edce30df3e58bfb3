#!/bin/sh
# tests/cli/t0640-feed-unlabelled.sh — a referential missing must be visible
# the same hour: a feed whose claim lines' codes are not in the loaded
# referentials warns (feed.unlabelled, per kind of code, above 1 % of the
# lines), records the counts in its run row, and 'dmpremb status' shows them
# (text and Prometheus) until a later feed labels them.
. "$TESTLIB"
new_db unlabelled
"$DMPREMB" ingest "$FIXTURES/batch-demo" --max-reject-ratio 0.5 >"$TMP/setup" 2>&1 &&
"$DMPREMB" dossiers import "$FIXTURES/dossiers.csv" >>"$TMP/setup" 2>&1 ||
	{ echo "setup failed"; tail -5 "$TMP/setup" | sed 's/^/    | /'; exit 1; }

# no referential loaded: every code is unknown
check_exit 0 "a feed without referentials still stores documents" \
	"$DMPREMB" feed --as-of 2026-11-16T12:00:00+01:00
check_grep "it warns the same run, per kind of code" "warn feed.unlabelled run=[0-9]* kind=unknown_cip13 lines=[1-9]" "$TMP/err"
check_eq "its run row counts them per kind" "t" \
	"$(sql "SELECT (counts->'unlabelled'->>'unknown_cip13')::int > 0 FROM run WHERE command = 'feed'
	         ORDER BY run_id DESC LIMIT 1")"
check_exit 0 "status" "$DMPREMB" status --as-of 2026-11-16T12:00:00+01:00
check_grep "status shows the last feed's unlabelled lines" "last feed, unlabelled .* unknown_cip13 lines" "$TMP/out"
check_exit 0 "status --prometheus" "$DMPREMB" status --as-of 2026-11-16T12:00:00+01:00 --prometheus
check_grep "... as a gauge per kind" '^dmpremb_feed_unlabelled_lines{kind="unknown_cip13"} [1-9]' "$TMP/out"

# the referentials loaded, the next feed labels them: no warning, gauge at 0
"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
	>"$TMP/refs" 2>&1 || { echo "referentials load failed"; exit 1; }
check_exit 0 "a feed after the referentials are loaded" \
	"$DMPREMB" feed --as-of 2026-11-16T13:00:00+01:00 --refresh-days 1 --ins-c - <<EOF2
$(sql "SELECT string_agg(ins_c, E'\n') FROM dossier WHERE state = 'open' AND NOT opposition")
EOF2
check_eq "... no unknown CIP13 warning any more" 0 "$(grep -c 'feed.unlabelled kind=unknown_cip13' "$TMP/err")"
check_exit 0 "status --prometheus again" "$DMPREMB" status --as-of 2026-11-16T13:00:00+01:00 --prometheus
check_grep "... the CIP13 gauge is back to 0" '^dmpremb_feed_unlabelled_lines{kind="unknown_cip13"} 0$' "$TMP/out"
finish
