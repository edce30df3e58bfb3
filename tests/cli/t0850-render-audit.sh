#!/bin/sh
# tests/cli/t0850-render-audit.sh — `dmpremb render` is no reading channel
# (issue 17 B3): the database records every render (login, time, pseudonym,
# state, reason) in render_audit before anything is printed; a dossier the
# feed would not feed is refused (exit 65, saying why) unless --reason is
# given; ops reads the audit without any INS-C; no role, not even the owner,
# updates, deletes or truncates it. Output shows counts and states, never an
# INS-C; the reason never reaches a log.
. "$TESTLIB"
new_db render_audit
AS_OF=2026-11-16T12:00:00+01:00
demo_fed "$AS_OF"

# one INS-C of a dossier in each state, with its identity still loaded (never printed)
of_state() {
	sql "SELECT min(d.ins_c) FROM dossier d JOIN beneficiary b USING (ins_c) WHERE $1"
}
open=$(of_state "d.state = 'open' AND NOT d.opposition")
closed=$(of_state "d.state = 'closed'")
deceased=$(of_state "d.state = 'deceased'")
objection=$(of_state "d.state = 'open' AND d.opposition")
deleted=$(sql "SELECT min(ins_c) FROM dossier WHERE state = 'deleted'")
for v in open closed deceased objection deleted; do
	eval "[ -n \"\$$v\" ]" || { echo "the demo has no $v dossier with an identity"; exit 1; }
done
audit() {
	sql "SELECT concat_ws(' ', dossier_state, outcome, login, as_role, coalesce(reason, '-'))
	       FROM render_audit ORDER BY audit_no DESC LIMIT 1"
}
rows() { sql "SELECT count(*) FROM render_audit"; }

# --- an open dossier: rendered and recorded
check_exit 0 "render of an open dossier" "$DMPREMB" render "$open" --as-of "$AS_OF"
check_grep "it prints the document" "<ClinicalDocument" "$TMP/out"
check_eq "it is recorded: state, outcome, login, role, no reason" \
	"open rendered dmpremb_t_feed dmpremb_feed -" "$(audit)"
pseud=$(sql "SELECT count(*) FROM render_audit WHERE pseudonym = render_audit_pseudonym('$open')")
recent=$(sql "SELECT count(*) FROM render_audit WHERE rendered_at > now() - interval '1 hour'")
check_eq "recorded under the dossier's pseudonym, at the time of the render" "1 1" "$pseud $recent"

# --- dossiers the feed would not feed: refused, saying why, recorded as refused
refused() {   # NAME INS_C STATE SENTENCE
	n=$(rows)
	check_exit 65 "render of a $1 dossier: exit 65" "$DMPREMB" render "$2" --as-of "$AS_OF"
	check_grep "... saying why" "render refused: $4, the feed would not feed it; give --reason TEXT" "$TMP/err"
	check_eq "... printing nothing" 0 "$(wc -c <"$TMP/out")"
	check_eq "... and the attempt is recorded as refused" "$((n + 1)) $3 refused dmpremb_t_feed dmpremb_feed -" \
		"$(rows) $(audit)"
}
refused closed "$closed" closed "the dossier is closed"
refused "deceased holder's" "$deceased" deceased "its holder is deceased"
refused "under-objection" "$objection" objection "its holder objects to the feed (OPPOSITION)"
refused deleted "$deleted" deleted "the dossier is deleted"
refused "never created" 0000000000000000000000 no_dossier "no dossier has this INS-C"

# --- with a reason: rendered, recorded with the reason, which no log shows
check_exit 0 "render of the closed dossier --reason" "$DMPREMB" render "$closed" --as-of "$AS_OF" \
	--reason "ticket 4711: holder's request" --log-format json
check_grep "it prints the document" "<ClinicalDocument" "$TMP/out"
check_eq "recorded with the reason" "closed rendered dmpremb_t_feed dmpremb_feed ticket 4711: holder's request" "$(audit)"
check_eq "the reason is not in the log" 0 "$(grep -c 'ticket 4711' "$TMP/err")"
check_grep "the log says a reason was given" '"reason_given":true' "$TMP/err"
check_exit 0 "the objection's dossier --reason" "$DMPREMB" render "$objection" --as-of "$AS_OF" --reason "audit"
check_exit 66 "a deleted dossier --reason: recorded, but there is nothing to render" \
	"$DMPREMB" render "$deleted" --as-of "$AS_OF" --reason "audit"
check_eq "... recorded as rendered" "deleted rendered dmpremb_t_feed dmpremb_feed audit" "$(audit)"
check_exit 64 "an empty --reason is a usage error" "$DMPREMB" render "$closed" --reason " "
check_exit 64 "a --reason with a line break is refused" "$DMPREMB" render "$closed" --reason "a
b"
check_eq "no INS-C in what render wrote on stderr" 0 "$(grep -c '[0-9]\{22\}' "$TMP/err")"

# --- what ops reads: every row, no INS-C
check_eq "ops reads every audit row" "$(rows)" "$(probe_value ops "SELECT count(*) FROM render_audit")"
check_eq "... none holds an INS-C (22 digits)" 0 \
	"$(probe_value ops "SELECT count(*) FROM render_audit r WHERE r::text ~ '[0-9]{22}'")"
check_eq "the audit has no column holding one" "as_role audit_no dossier_state login outcome pseudonym reason rendered_at" \
	"$(sql "SELECT string_agg(attname, ' ' ORDER BY attname) FROM pg_attribute
	        WHERE attrelid = 'dmpremb.render_audit'::regclass AND attnum > 0 AND NOT attisdropped")"

# --- nobody rewrites it
for r in feed ops; do
	denied $r "UPDATE render_audit SET reason = 'x'"
	denied $r "DELETE FROM render_audit"
	denied $r "TRUNCATE render_audit"
	denied $r "INSERT INTO render_audit (rendered_at, login, as_role, pseudonym, dossier_state, outcome) VALUES (now(), 'x', 'x', 'x', 'open', 'rendered')"
done
denied feed "SELECT count(*) FROM render_audit"
for r in ingest events reader analyst; do
	denied $r "SELECT count(*) FROM dmpremb.render_audit"
	denied $r "SELECT dmpremb.render_audit_record('0000000000000000000000', 'x')"
done
n=$(rows)
for op in "UPDATE render_audit SET reason = 'x'" "DELETE FROM render_audit" "TRUNCATE render_audit"; do
	check_eq "not even the owner: $op" 42501 \
		"$(printf 'SET ROLE dmpremb_owner;\n%s;\n' "$op" | psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate 2>&1 |
		   sed -n 's/.*ERROR: *\([0-9A-Z]\{5\}\).*/\1/p')"
done
check_eq "every row is still there" "$n" "$(rows)"

finish
