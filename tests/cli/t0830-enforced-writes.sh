#!/bin/sh
# tests/cli/t0830-enforced-writes.sh — the database enforces the mission's
# rules for any client (issue 16, sql/011_enforced_writes.sql): attacker
# probes through raw psql under the test logins dmpremb_t_ROLE, which hold
# one role each (test-lib.sh role_logins).
#   events     only dmpremb_events records lifecycle events and destroys data
#   runs       no role writes run; a run is closed by its own session only
. "$TESTLIB"
new_db enforced

"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
	>"$TMP/setup" 2>&1 &&
"$DMPREMB" ingest "$FIXTURES/batch-demo" --max-reject-ratio 0.5 >>"$TMP/setup" 2>&1 &&
"$DMPREMB" dossiers import "$FIXTURES/dossiers.csv" >>"$TMP/setup" 2>&1 &&
"$DMPREMB" feed --as-of 2026-11-16T12:00:00+01:00 >>"$TMP/setup" 2>&1 ||
	{ echo "setup failed"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }
check_eq "the lifecycle import ran under the events login and role" "dmpremb_t_events dmpremb_events" \
	"$(sql "SELECT DISTINCT login || ' ' || role FROM run WHERE command = 'dossiers-import'")"

# probe ROLE SQL: "ok", or the SQLSTATE of the failure (SQL is a psql script:
# it may use \gset)
probe() {
	printf 'SET search_path TO dmpremb;\n%s\n' "$2" |
		PGUSER=dmpremb_t_$1 psql -X -q -tA -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -f - \
		>"$TMP/probe.out" 2>"$TMP/probe.err" && { echo ok; return; }
	sed -n 's/.*ERROR: *\([0-9A-Z]\{5\}\).*/\1/p' "$TMP/probe.err" | head -1
}
# value ROLE SQL: what the script's last statement printed (or its error)
value() {
	probe "$1" "$2" >/dev/null
	cat "$TMP/probe.out" "$TMP/probe.err" | tail -1
}
allowed() { check_eq "$1 may: $2" ok "$(probe "$1" "$2")"; }
denied() { check_eq "$1 may not: $2" 42501 "$(probe "$1" "$2")"; }

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
check_eq "events: dossier_destroy of a dossier without SUPPRESSION destroys nothing" "0 0" \
	"$(value events "SELECT dossiers || ' ' || documents FROM dossier_destroy(ARRAY[$victim])")"
check_eq "... the dossier aimed at keeps its state, document and claims" "$before" "$(held)"
check_eq "events denied to the others: who may write dossier_event, dossier, or destroy" \
	"dmpremb_events:destroy dmpremb_events:dossier:INSERT dmpremb_events:dossier:UPDATE dmpremb_events:dossier_event:INSERT dmpremb_events:dossier_event:UPDATE" \
	"$(sql "SELECT string_agg(x, ' ' ORDER BY x) FROM (
	          SELECT r || ':' || t || ':' || p AS x FROM
	            unnest(ARRAY['dmpremb_ingest', 'dmpremb_events', 'dmpremb_feed', 'dmpremb_reader', 'dmpremb_analyst', 'dmpremb_ops']) r,
	            unnest(ARRAY['dossier', 'dossier_event']) t, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
	           WHERE has_table_privilege(r, 'dmpremb.' || t, p)
	          UNION ALL
	          SELECT r || ':destroy' FROM unnest(ARRAY['dmpremb_ingest', 'dmpremb_events', 'dmpremb_feed',
	                 'dmpremb_reader', 'dmpremb_analyst', 'dmpremb_ops']) r
	           WHERE has_function_privilege(r, 'dmpremb.dossier_destroy(text[])', 'EXECUTE')) y")"
check_eq "the events role cannot log in, holds no other role" "false 0" \
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
	"$(value feed "SET ROLE dmpremb_feed; SELECT run_begin('forged', '{}', 'h', 1) AS id \\gset
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
	"$(value ingest "SELECT run_begin('next', '{}', 'h', 1) AS id \\gset
	   SELECT outcome FROM run WHERE run_id = $live")"
denied ingest "SELECT run_end($live, 'ok', 0, '{}', NULL)"
denied ops "SELECT run_begin('x', '{}', 'h', 1)"
finish
