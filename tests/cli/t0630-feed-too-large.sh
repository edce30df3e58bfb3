#!/bin/sh
# tests/cli/t0630-feed-too-large.sh — a document above --max-document-mb is
# not stored, the others are: the dossier is skipped with its reason recorded
# on it, counted by the report, the log, `dmpremb status` and a backfill's
# item, and stays due; exit 65. Raising the limit feeds it. One dossier with
# about 2,000 claim lines (over 1 MB of XML) among the demo dossiers.
. "$TESTLIB"
new_db too_large
AS_OF=2026-11-16T12:00:00+01:00
REF=$FIXTURES/referentials

python3 "$FIXTURES/gen" --persons 1 --seed 5 --lines-per-person 2000 --referentials "$REF" --out "$TMP/big" \
	--as-of 2026-11-15 --events "$TMP/events-big" 2>"$TMP/gen.err" ||
	{ echo "generator failed"; cat "$TMP/gen.err"; exit 1; }
{ cat "$FIXTURES/dossiers.csv"; tail -n +2 "$TMP/events-big"; } >"$TMP/events"
"$DMPREMB" referentials load --snds "$REF/snds" --bdpm "$REF/bdpm" >"$TMP/setup" 2>&1 &&
"$DMPREMB" ingest "$FIXTURES/batch-demo" --max-reject-ratio 0.5 >>"$TMP/setup" 2>&1 &&
"$DMPREMB" ingest "$TMP/big" >>"$TMP/setup" 2>&1 &&
"$DMPREMB" dossiers import "$TMP/events" >>"$TMP/setup" 2>&1 ||
	{ echo "setup failed"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }
big=$(sql "SELECT ins_c FROM claim_line GROUP BY ins_c ORDER BY count(*) DESC LIMIT 1")   # never printed
others=$(sql "SELECT count(*) - 1 FROM dossier d WHERE state = 'open' AND NOT opposition
              AND EXISTS (SELECT 1 FROM beneficiary b WHERE b.ins_c = d.ins_c)")

# --- the limit is an option of feed and backfill, within bounds
check_exit 64 "--max-document-mb 0 is refused" "$DMPREMB" feed --max-document-mb 0
check_exit 64 "--max-document-mb 31 is refused (a document is one COPY field)" "$DMPREMB" feed --max-document-mb 31
check_grep "... naming the bounds" "max-document-mb" "$TMP/err"
"$DMPREMB" feed --help >"$TMP/help"
check_grep "feed --help documents --max-document-mb" "max-document-mb N" "$TMP/help"

# --- a dry run renders it and says it would not be stored
check_exit 65 "dry run with --max-document-mb 1: exit 65" \
	"$DMPREMB" feed --as-of "$AS_OF" --max-document-mb 1 --dry-run
check_grep "... the report counts it" "skipped, too large *1 " "$TMP/out"
check_eq "... and stores nothing, records nothing" "0 0" \
	"$(sql "SELECT (SELECT count(*) FROM document) || ' ' || (SELECT count(*) FROM dossier WHERE feed_refused_at IS NOT NULL)")"

# --- the feed stores every other document, exit 65
check_exit 65 "feed with --max-document-mb 1: exit 65" \
	"$DMPREMB" --log-format json feed --as-of "$AS_OF" --max-document-mb 1 --chunk 3
check_grep "... saying how many and the limit" \
	"\"message\":\"1 dossier(s) not fed: the document is larger than --max-document-mb 1; the others were fed\"" \
	"$TMP/err"
check_grep "... and where to look, in the hint" "\"hint\":\"see 'dmpremb status'\"" "$TMP/err"
check_eq "... every other identified dossier is stored" "$others" "$(sql "SELECT count(*) FROM document")"
check_eq "... not the big one" 0 "$(sql "SELECT count(*) FROM document WHERE ins_c = '$big'")"
check_grep "... one feed.document_too_large warning, with the limit and its claim lines" \
	'"event":"feed.document_too_large".*"limit_mb":"*1"*.*"claim_lines":"*20[0-9][0-9]"*' "$TMP/err"
check "... no INS-C in what it printed" sh -c "! grep -q -- '$big' '$TMP/out' '$TMP/err'"
check_eq "... the refusal is recorded on the dossier, at the feed's as-of: a code, the limit, the claim lines" \
	"t|too_large|1|t" "$(sql "SELECT feed_refused_at = '$AS_OF'::timestamptz, feed_refusal, feed_refusal_limit_mb,
	              feed_refusal_claim_lines BETWEEN 2000 AND 2099 FROM dossier WHERE ins_c = '$big'")"
check_eq "... and in the run row's counts" "1" \
	"$(sql "SELECT counts->>'too_large' FROM run WHERE command = 'feed' ORDER BY run_id DESC LIMIT 1")"
check_exit 1 "dmpremb status: the first feed is overdue" "$DMPREMB" status --as-of 2026-11-20T12:00:00+01:00
check_grep "... and the refusal counted" "refused, too large *1 " "$TMP/out"
"$DMPREMB" status --json --as-of "$AS_OF" >"$TMP/status.json" 2>/dev/null
check_eq "status --json: feed_refused 1" 1 \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["feed_refused"])' "$TMP/status.json")"

# --- it stays due: the next run tries again; with a larger limit it is fed
check_exit 65 "the next feed tries it again (still too large)" \
	"$DMPREMB" feed --as-of 2026-11-16T13:00:00+01:00 --max-document-mb 1
check_grep "... only it" "documents stored *0 " "$TMP/out"
check_exit 0 "with the default limit it is fed" "$DMPREMB" feed --as-of 2026-11-16T14:00:00+01:00
check_eq "... its document is stored, over 1 MB" "1" \
	"$(sql "SELECT count(*) FROM document WHERE ins_c = '$big' AND bytes > 1048576")"
check_exit 0 "status no longer counts a refusal" "$DMPREMB" status --as-of 2026-11-16T15:00:00+01:00
check "... no refusal line" sh -c "! grep -q 'refused, too large' '$TMP/out'"

# --- a backfill marks its item with the reason
check_exit 65 "backfill --all with --max-document-mb 1: exit 65" \
	"$DMPREMB" backfill --all --as-of 2026-11-17T12:00:00+01:00 --max-document-mb 1
check_eq "... its item says why" "skipped: document too large" \
	"$(sql "SELECT outcome FROM backfill_item WHERE ins_c = '$big'")"
check_eq "... every other item was fed" "$others" \
	"$(sql "SELECT count(*) FROM backfill_item WHERE outcome = 'fed'")"

finish
