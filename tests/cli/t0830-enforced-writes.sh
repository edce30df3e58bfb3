#!/bin/sh
# tests/cli/t0830-enforced-writes.sh — the database enforces the mission's
# rules for any client (issue 16, sql/011_enforced_writes.sql): attacker
# probes through raw psql under the test logins dmpremb_t_ROLE, which hold
# one role each (test-lib.sh role_logins).
#   documents  the feed stores only into an existing, open dossier without
#              objection, as its next version; sha256 and bytes are the server's
#   events     only dmpremb_events records lifecycle events and destroys data
#   runs       no role writes run; a run is closed by its own session only
# The dossiers aimed at are made-up INS-Cs (99...), never a fixture person's.
. "$TESTLIB"
new_db enforced

demo_fed 2026-11-16T12:00:00+01:00
check_eq "the lifecycle import ran under the events login and role" "dmpremb_t_events dmpremb_events" \
	"$(sql "SELECT DISTINCT login || ' ' || role FROM run WHERE command = 'dossiers-import'")"

# ---------------------------------------------------------------- documents
# made-up dossiers in every state, set up by the superuser
sql "INSERT INTO dossier (ins_c, state, opposition, created_at, due_at) VALUES
	('9900000000000000000001', 'open', false, now(), now()),
	('9900000000000000000002', 'open', true, now(), now()),
	('9900000000000000000003', 'closed', false, now(), now()),
	('9900000000000000000004', 'deceased', false, now(), now()),
	('9900000000000000000005', 'deleted', false, NULL, NULL),
	('9900000000000000000007', 'open', false, now(), now())" >/dev/null
stage="CREATE TEMP TABLE feed_doc (ins_c text, set_id text, doc_id text, version int, xml text, sha256 text, bytes int, section_rows int[]); GRANT SELECT ON feed_doc TO dmpremb_owner"
# staged ROWS VERSION: one staged document per INS-C suffix, forged sha256 and size
staged() {
	echo "INSERT INTO feed_doc SELECT '99000000000000000000' || lpad(x::text, 2, '0'),
	        gen_random_uuid()::text, gen_random_uuid()::text, $2, '<ClinicalDocument>é' || x || '</ClinicalDocument>',
	        repeat('0', 64), 1, '{0,0,0,0,0,0,0}' FROM unnest(ARRAY[$1]) x"
}
store="SELECT documents || ' ' || versions || ' ' || traces || ' ' || dossiers || ' ' || refused
	FROM document_store_staged('2024-11-01', '2026-11-01', now(), NULL, '{}', '{}', 16, NULL, NULL)"
kept() { sql "SELECT (SELECT count(*) FROM document WHERE ins_c LIKE '99%') || ' '
	|| (SELECT count(*) FROM document_version WHERE ins_c LIKE '99%') || ' '
	|| (SELECT count(*) FROM trace WHERE ins_c LIKE '99%')"; }

for s in "2 under objection" "3 closed" "4 deceased" "5 deleted" "6 that does not exist"; do
	check_eq "feed: a document for a dossier ${s#* } is refused (counted, not stored)" "0 0 0 0 1" \
		"$(probe_value feed "$stage; $(staged "${s%% *}" 1); $store")"
done
check_eq "... nothing of them was stored: no document, version or trace" "0 0 0" "$(kept)"
check_eq "feed: version 2 as the first version of a dossier is refused" "0 0 0 0 1" \
	"$(probe_value feed "$stage; $(staged 1 2); $store")"
check_eq "feed: the same dossier staged twice is refused" "0 0 0 0 2" \
	"$(probe_value feed "$stage; $(staged 1 1); $(staged 1 1); $store")"
check_eq "feed: an open dossier without objection gets its version 1, with a forged sha256 and size" \
	"1 1 1 1 0" "$(probe_value feed "$stage; $(staged 1 1); $store")"
check_eq "... stored with the server's sha256 and byte count of the stored XML" "true true" \
	"$(sql "SELECT bool_and(d.sha256 = encode(sha256(convert_to(d.xml, 'UTF8')), 'hex')
	                         AND d.bytes = octet_length(d.xml) AND d.bytes > 20) || ' ' ||
	               bool_and(v.sha256 = d.sha256 AND v.bytes = d.bytes)
	          FROM document d JOIN document_version v USING (ins_c, version)
	         WHERE d.ins_c = '9900000000000000000001'")"
check_eq "... and its first trace says 'a ajouté'" "1" \
	"$(sql "SELECT count(*) FROM trace WHERE ins_c = '9900000000000000000001' AND action LIKE 'a ajouté%'")"
check_eq "feed: version 1 again (not the next) is refused" "0 0 0 0 1" \
	"$(probe_value feed "$stage; $(staged 1 1); $store")"
check_eq "feed: version 3 (skipping one) is refused" "0 0 0 0 1" \
	"$(probe_value feed "$stage; $(staged 1 3); $store")"
check_eq "feed: version 2 (the next) is stored; the refused one beside it is not" "1 1 1 1 1" \
	"$(probe_value feed "$stage; $(staged 1 2); $(staged 3 2); $store")"
check_eq "... now versions 1 and 2, two traces, one current document, all for the open dossier" "1 2 2" "$(kept)"
check_eq "feed: a refused row does not stop the others of its chunk" "1 1 1 1 2" \
	"$(probe_value feed "$stage; $(staged "7, 5, 6" 1); $store")"
check_eq "feed: a too-large refusal is recorded by the function (the feed no longer writes dossier), as a code and sizes" \
	"too_large|16|123" \
	"$(probe_value feed "$stage; SELECT refused FROM document_store_staged('2024-11-01', '2026-11-01', now(), NULL,
	        '{9900000000000000000001}', '{123}', 16, NULL, NULL)" >/dev/null
	   sql "SELECT feed_refusal, feed_refusal_limit_mb, feed_refusal_claim_lines FROM dossier
	        WHERE ins_c = '9900000000000000000001'")"
check_eq "a refusal is a code of the list, not text, whoever writes it (23514)" 23514 \
	"$(psql -X -q -v VERBOSITY=sqlstate -c "UPDATE dmpremb.dossier SET feed_refusal = 'any text'
	        WHERE ins_c = '9900000000000000000001'" 2>&1 | sed -n 's/.*ERROR: *\([0-9A-Z]\{5\}\).*/\1/p')"
# two sessions store the same dossier's next version at once: the second
# waits for the first (the feed's advisory lock, taken by the function), then
# sees its version and refuses its own; no 23505, whose DETAIL would quote
# the INS-C into the server log (issue 17, B1)
sql "INSERT INTO dossier (ins_c, state, opposition, created_at, due_at)
     VALUES ('9900000000000000000008', 'open', false, now(), now())" >/dev/null
printf 'SET search_path TO dmpremb;\nBEGIN;\n%s;\n%s;\n%s;\nSELECT pg_sleep(4);\nCOMMIT;\n' \
	"$stage" "$(staged 8 1)" "$store" | PGUSER=dmpremb_t_feed psql -X -q -tA -f - >/dev/null 2>&1 &
first=$!
n=0
until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(4)%' AND state = 'active'
                 AND pid <> pg_backend_pid()")" = 1 ] || [ $n -ge 100 ]; do
	sleep 0.1; n=$((n + 1))
done
check_eq "feed: a store racing another of the same dossier waits, then refuses its version (no error)" "0 0 0 0 1" \
	"$(probe_value feed "$stage; $(staged 8 1); $store")"
wait $first
check_eq "... the first one's version is stored, once" "1 1" \
	"$(sql "SELECT (SELECT count(*) FROM document WHERE ins_c = '9900000000000000000008') || ' ' ||
	               (SELECT count(*) FROM document_version WHERE ins_c = '9900000000000000000008')")"
denied feed "UPDATE dossier SET feed_refused_at = now() WHERE false"
denied feed "UPDATE dossier SET feed_refusal = 'x' WHERE false"
check_eq "feed: the unchecked document_store_staged(4 arguments) is gone" "" \
	"$(sql "SELECT string_agg(oid::regprocedure::text, ' ') FROM pg_proc
	         WHERE proname = 'document_store_staged' AND pronargs <> 9")"

# the C feed counts a document the database refused as skipped, not failed:
# the feed is stopped before it stores (SIGSTOP at its killpoint), a newer
# version of its dossier appears meanwhile, then it goes on
ic=$(sql "SELECT d.ins_c FROM document d JOIN dossier o USING (ins_c)
	   WHERE o.state = 'open' AND NOT o.opposition ORDER BY d.ins_c LIMIT 1")
printf '%s\n' "$ic" >"$TMP/one.lst"
before=$(sql "SELECT max(version) || ' ' || (SELECT count(*) FROM trace WHERE ins_c = '$ic') FROM document_version WHERE ins_c = '$ic'")
DMPREMB_KILL_AT=feed-before-store:1:STOP "$DMPREMB" feed --ins-c "$TMP/one.lst" --as-of 2026-11-20T12:00:00+01:00 \
	>"$TMP/feed.out" 2>"$TMP/feed.err" &
pid=$!
i=0
while [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != T ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sql "INSERT INTO document_version (ins_c, version, set_id, doc_id, sha256, bytes, section_rows, period_low,
	   period_high, generated_at) SELECT ins_c, version + 1, set_id, doc_id, sha256, bytes, section_rows,
	   period_low, period_high, generated_at FROM document_version WHERE ins_c = '$ic'
	   ORDER BY version DESC LIMIT 1" >/dev/null
kill -CONT "$pid"
wait "$pid"
check_eq "feed: a document refused by the database meanwhile does not fail the run (exit 0)" 0 "$?"
check_grep "... it is counted as skipped, not feedable" "skipped, not feedable  *1 " "$TMP/feed.out"
check_eq "... the run's counts say so" "0 1" \
	"$(sql "SELECT counts->>'documents' || ' ' || (counts->>'not_feedable') FROM run WHERE command = 'feed'
	         ORDER BY run_id DESC LIMIT 1")"
check_eq "... and no document, version or trace of it was stored" \
	"$(echo "$before" | awk '{ print $1 + 1, $2 }')" \
	"$(sql "SELECT max(version) || ' ' || (SELECT count(*) FROM trace WHERE ins_c = '$ic') FROM document_version WHERE ins_c = '$ic'")"
check "... its log line names no dossier" sh -c "! grep -q '$ic' '$TMP/feed.err' '$TMP/feed.out'"

# ---------------------------------------------------------------- events
# aimed at a fed dossier, named in the probes by a subquery (never printed)
victim="(SELECT max(ins_c) FROM dossier WHERE state = 'open' AND last_fed_at IS NOT NULL AND ins_c NOT LIKE '99%')"
held() { sql "SELECT state || ' ' || (SELECT count(*) FROM document x WHERE x.ins_c = d.ins_c)
	      || ' ' || (SELECT count(*) FROM claim_line x WHERE x.ins_c = d.ins_c) FROM dossier d WHERE d.ins_c = $victim"; }
before=$(held)
check "the victim has a document" test "$(echo "$before" | cut -d' ' -f2)" = 1
denied ingest "INSERT INTO dossier_event (ins_c, event_at, evenement) SELECT $victim, now(), 'SUPPRESSION'"
denied ingest "SELECT * FROM dossier_destroy(ARRAY[$victim])"
denied ingest "UPDATE dossier SET state = 'deleted' WHERE false"
denied ingest "INSERT INTO dossier (ins_c) VALUES ('9900000000000000000009')"
denied ingest "UPDATE dossier_event SET outcome = 'x' WHERE false"
allowed ingest "SELECT count(*) FROM dossier WHERE state = 'deleted'"
denied feed "INSERT INTO dossier_event (ins_c, event_at, evenement) SELECT $victim, now(), 'SUPPRESSION'"
denied feed "SELECT * FROM dossier_destroy(ARRAY[$victim])"
allowed events "SELECT count(*) FROM dossier_event"
allowed events "BEGIN; INSERT INTO dossier_event (ins_c, event_at, evenement) VALUES ('9900000000000000000009', now(), 'CREATION'); ROLLBACK"
denied events "SELECT * FROM dossier_destroy(ARRAY[$victim])"
denied events "UPDATE dossier SET state = 'deleted' WHERE ins_c = $victim"
# the fold's writes go through lifecycle_store() (the owner's): a forged fold
# that deletes a dossier without a recorded SUPPRESSION is refused whole
forged="CREATE TEMP TABLE lc_dossier_out (ins_c text PRIMARY KEY, state text, opposition boolean,
  created_at timestamptz, due_at timestamptz, last_event_at timestamptz);
CREATE TEMP TABLE lc_event_out (ins_c text, event_at timestamptz, evenement text, outcome text);
GRANT SELECT ON lc_dossier_out, lc_event_out TO dmpremb_owner;
INSERT INTO lc_dossier_out SELECT ins_c, 'deleted', false, NULL, NULL, now() FROM dossier WHERE ins_c = $victim;
SELECT * FROM lifecycle_store();"
check_eq "events: a fold deleting a dossier without a recorded SUPPRESSION is refused" P0001 "$(probe events "$forged")"
check_eq "... the dossier aimed at keeps its state, document and claims" "$before" "$(held)"
check_eq "events denied to the others: who may write dossier_event, dossier, or destroy" \
	"dmpremb_events:dossier:INSERT dmpremb_events:dossier_event:INSERT" \
	"$(sql "SELECT string_agg(x, ' ' ORDER BY x) FROM (
	          SELECT r || ':' || t || ':' || p AS x FROM
	            unnest(ARRAY['dmpremb_ingest', 'dmpremb_events', 'dmpremb_feed', 'dmpremb_reader', 'dmpremb_analyst', 'dmpremb_ops']) r,
	            unnest(ARRAY['dossier', 'dossier_event']) t, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
	           WHERE has_table_privilege(r, 'dmpremb.' || t, p)
	          UNION ALL
	          SELECT r || ':destroy' FROM unnest(ARRAY['dmpremb_ingest', 'dmpremb_events', 'dmpremb_feed',
	                 'dmpremb_reader', 'dmpremb_analyst', 'dmpremb_ops']) r
	           WHERE has_function_privilege(r, 'dmpremb.dossier_destroy(text[])', 'EXECUTE')) y")"
[ "${TEST_ON_CITUS:-}" = 1 ] && can_login=true || can_login=false   # Citus: see t0800
check_eq "the events role logs in only on Citus, holds no other role" "$can_login 0" \
	"$(sql "SELECT rolcanlogin || ' ' || (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid)
	          FROM pg_roles r WHERE rolname = 'dmpremb_events'")"

# ---------------------------------------------------------------- runs
other=$(sql "SELECT max(run_id) FROM run WHERE command = 'dossiers-import'")
for r in feed ingest events; do
	denied $r "INSERT INTO run (command, host, pid, login, role) VALUES ('feed', 'h', 1, 'someone', 'dmpremb_feed')"
	denied $r "UPDATE run SET outcome = 'ok', login = 'someone' WHERE run_id = $other"
	denied $r "DELETE FROM run WHERE run_id = $other"
	denied $r "SELECT run_end($other, 'ok', 0, '{}', NULL)"
done
check_eq "no role but the owner writes run" "" \
	"$(sql "SELECT string_agg(r || ':' || p, ' ') FROM
	          unnest(ARRAY['dmpremb_ingest', 'dmpremb_events', 'dmpremb_feed', 'dmpremb_reader', 'dmpremb_analyst', 'dmpremb_ops']) r,
	          unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
	        WHERE has_table_privilege(r, 'dmpremb.run', p)")"
check_eq "... the import's run is untouched" "ok dmpremb_t_events" \
	"$(sql "SELECT outcome || ' ' || login FROM run WHERE run_id = $other")"
check_eq "a run records the session's own login and role, whatever the caller" "dmpremb_t_feed dmpremb_feed ok 0" \
	"$(probe_value feed "SET ROLE dmpremb_feed; SELECT run_begin('forged', '{}', 'h', 1) AS id \\gset
	   SELECT run_end(:id, 'ok', 0, '{}', NULL); RESET ROLE;
	   SELECT login || ' ' || role || ' ' || outcome || ' ' || exit_code FROM run WHERE run_id = :id")"
check_eq "... closed once only" 42501 \
	"$(probe feed "SELECT run_begin('forged', '{}', 'h', 1) AS id \\gset
	   SELECT run_end(:id, 'ok', 0, '{}', NULL); SELECT run_end(:id, 'failed', 1, '{}', NULL)")"
# a live session's run, closed from another session of the same login
PGUSER=dmpremb_t_feed psql -X -q -tA -c "SET search_path TO dmpremb" \
	-c "SELECT run_begin('live', '{}', 'h', 1)" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
live_pid=$!
i=0
while [ -z "$(sql "SELECT run_id FROM run WHERE command = 'live'")" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
live=$(sql "SELECT run_id FROM run WHERE command = 'live'")
denied feed "SELECT run_end($live, 'failed', 1, '{}', 'forged')"
check_eq "... the live run is still running" running "$(sql "SELECT outcome FROM run WHERE run_id = $live")"
sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'" >/dev/null
wait "$live_pid"
check_eq "... once that session ended, the next run closes its row as interrupted" "interrupted" \
	"$(probe_value ingest "SELECT run_begin('next', '{}', 'h', 1) AS id \\gset
	   SELECT outcome FROM run WHERE run_id = $live")"
denied ingest "SELECT run_end($live, 'ok', 0, '{}', NULL)"
denied ops "SELECT run_begin('x', '{}', 'h', 1)"
finish
