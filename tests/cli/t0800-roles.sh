#!/bin/sh
# tests/cli/t0800-roles.sh — each role can do exactly what it should, and every
# forbidden action fails with a permission error (SQLSTATE 42501), whatever
# client connects: probes run through psql under the test logins
# dmpremb_t_ROLE, which hold one role each (test-lib.sh role_logins).
. "$TESTLIB"
new_db roles

demo_fed 2026-11-16T12:00:00+01:00
docs=$(sql "SELECT count(*) FROM document")
check "the fixture feed stored documents under dmpremb_feed" test "$docs" -gt 0
# a dossier with a document, to aim the probes at (never printed: the
# probes, whose SQL is their description, name it by a subquery)
ic=$(sql "SELECT ins_c FROM document ORDER BY ins_c LIMIT 1")
aim="(SELECT min(ins_c) FROM dossier WHERE last_fed_at IS NOT NULL)"

# --- every command ran as its own role, under a login that holds only it
check_eq "each run's role is its command's (none as a superuser)" \
	"dossiers-import dmpremb_t_events dmpremb_events
feed dmpremb_t_feed dmpremb_feed
ingest dmpremb_t_ingest dmpremb_ingest
referentials dmpremb_t_ingest dmpremb_ingest" \
	"$(sql "SELECT DISTINCT command || ' ' || login || ' ' || role FROM run ORDER BY 1")"
check_exit 78 "a login without the command's role is refused before any work" \
	env PGUSER=dmpremb_t_ops "$DMPREMB_UNDER_TEST" feed --as-of 2026-11-16T12:00:00+01:00
check_grep "... with the GRANT that is missing" "runs as role dmpremb_feed, which login dmpremb_t_ops does not hold (GRANT dmpremb_feed TO dmpremb_t_ops)" "$TMP/err"

# every command's --help names the role it runs as (the one of 'dmpremb --help')
"$DMPREMB_UNDER_TEST" --help | awk '/^Roles/ { r = 1; next } r && NF == 2 { print $1, $2 }' >"$TMP/roles"
check "dmpremb --help lists the role of every command that connects (7 at least)" test "$(wc -l <"$TMP/roles")" -ge 7
while read -r cmd role; do
	"$DMPREMB_UNDER_TEST" "$cmd" --help >"$TMP/help"
	check_grep "$cmd --help says 'Role: $role.'" "^Role: $role\.$" "$TMP/help"
done <"$TMP/roles"

# --- dmpremb_feed: reads what documents are made of, writes only through document_store_staged
allowed feed "SELECT count(*) FROM claim_line"
allowed feed "SELECT count(*) FROM beneficiary"
allowed feed "SELECT max(version) FROM document_version"
# the feed's staging table, as feed_prepare() makes it, in the probing session
stage="CREATE TEMP TABLE feed_doc (ins_c text, set_id text, doc_id text, version int, xml text, sha256 text, bytes int, section_rows int[]); GRANT SELECT ON feed_doc TO dmpremb_owner"
store="SELECT * FROM document_store_staged('2024-11-01', '2026-11-01', now(), NULL, '{}', '{}', 16, NULL, NULL)"
allowed feed "$stage; $store"
# document_store_staged() runs as the owner: it refuses a feed_doc that could
# run the caller's code with the owner's rights (a view, row security) or
# that is not the staging table (other column types)
check_eq "feed: document_store_staged without feed_doc fails" P0001 "$(probe feed "$store")"
check_eq "feed: document_store_staged refuses a view named feed_doc" P0001 \
	"$(probe feed "CREATE TEMP VIEW feed_doc AS SELECT ''::text ins_c, ''::text set_id, ''::text doc_id, 1 version, ''::text xml, ''::text sha256, 1 bytes, '{}'::int[] section_rows; GRANT SELECT ON feed_doc TO dmpremb_owner; $store")"
check_eq "feed: document_store_staged refuses other column types" P0001 \
	"$(probe feed "CREATE TEMP TABLE feed_doc (ins_c text, set_id text, doc_id text, version bigint, xml text, sha256 text, bytes int, section_rows int[]); GRANT SELECT ON feed_doc TO dmpremb_owner; $store")"
check_eq "feed: document_store_staged refuses a feed_doc under row security" P0001 \
	"$(probe feed "$stage; ALTER TABLE feed_doc ENABLE ROW LEVEL SECURITY; $store")"
denied feed "SELECT count(*) FROM document"
denied feed "SELECT xml FROM document"
denied feed "SELECT version FROM document"
denied feed "SELECT count(*) FROM trace"
denied feed "DELETE FROM document"
denied feed "UPDATE document SET version = version + 1"
denied feed "INSERT INTO trace (ins_c, at, author, action) SELECT $aim, now(), 'x', 'y'"
denied feed "UPDATE dossier SET last_fed_at = now()"
# refusals are written by document_store_staged() (sql/011_enforced_writes.sql)
denied feed "UPDATE dossier SET feed_refused_at = feed_refused_at, feed_refusal = feed_refusal WHERE false"
denied feed "UPDATE dossier SET state = 'closed' WHERE false"
denied feed "SELECT * FROM dossier_destroy(ARRAY[$aim])"
denied feed "DROP TABLE claim_line"

# --- dmpremb_ingest: loads claims; reads no document; records no lifecycle event, destroys nothing
allowed ingest "SELECT count(*) FROM claim_line"
allowed ingest "SELECT count(*) FROM dossier_event"
denied ingest "SELECT count(*) FROM document"
denied ingest "DELETE FROM document WHERE ins_c = $aim"
denied ingest "SELECT count(*) FROM document_version"
denied ingest "DELETE FROM document_version"
denied ingest "SELECT count(*) FROM trace"
denied ingest "$store"
denied ingest "TRUNCATE claim_line"
denied ingest "SELECT raw_value FROM reject"
denied ingest "CREATE TABLE claim_line_209901 PARTITION OF claim_line FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')"
denied ingest "SELECT * FROM dossier_destroy(ARRAY['9900000000000000000001'])"
denied ingest "INSERT INTO dossier_event (ins_c, event_at, evenement) VALUES ('9900000000000000000001', now(), 'SUPPRESSION')"

# --- dmpremb_events: the lifecycle import; destroys only deleted dossiers' data
allowed events "SELECT count(*) FROM dossier_event"
denied events "SELECT count(*) FROM document"
denied events "SELECT count(*) FROM claim_line"
denied events "SELECT count(*) FROM beneficiary"
denied events "$store"
denied events "SELECT * FROM dossier_destroy(ARRAY[$aim])"
check_eq "... and its document is still there" 1 "$(sql "SELECT count(*) FROM document WHERE ins_c = $aim")"

# --- dmpremb_reader: the current documents, nothing else
allowed reader "SELECT count(*), max(length(xml)) FROM document"
denied reader "SELECT count(*) FROM document_version"
denied reader "SELECT count(*) FROM trace"
denied reader "SELECT count(*) FROM claim_line"
denied reader "SELECT count(*) FROM beneficiary"
denied reader "SELECT count(*) FROM dossier"
denied reader "UPDATE document SET version = version"
denied reader "DELETE FROM document"

# --- dmpremb_ops: runs, batches, counts, rejects without raw values, SLA figures
allowed ops "SELECT count(*) FROM run"
allowed ops "SELECT count(*) FROM batch_file"
allowed ops "SELECT batch_id, file_name, line_no, column_name, reason_code, reason FROM reject"
allowed ops "SELECT state, count(*) FROM dossier_sla GROUP BY state"
denied ops "SELECT raw_value FROM reject"
denied ops "SELECT * FROM reject"
denied ops "SELECT ins_c FROM dossier"
denied ops "SELECT ins_c FROM dossier_event"
denied ops "SELECT ins_c FROM backfill_item"
denied ops "SELECT count(*) FROM beneficiary"
denied ops "SELECT count(*) FROM claim_line"
denied ops "SELECT count(*) FROM document"
denied ops "DELETE FROM run"
check_eq "ops: no column of dossier_sla is an identifier" "created_at due_at feed_refusal feed_refused_at first_fed_at identified last_fed_at opposition state" \
	"$(sql "SELECT string_agg(attname, ' ' ORDER BY attname) FROM pg_attribute
	        WHERE attrelid = 'dmpremb.dossier_sla'::regclass AND attnum > 0")"

# --- dmpremb_analyst: nothing of schema dmpremb
denied analyst "SELECT count(*) FROM dmpremb.claim_line"
denied analyst "SELECT count(*) FROM dmpremb.document"
denied analyst "SELECT count(*) FROM dmpremb.dossier_sla"
denied analyst "SELECT * FROM dmpremb.document_store_staged('2024-11-01', '2026-11-01', now(), NULL, '{}', '{}', 16, NULL, NULL)"

# --- by catalog, so that a future table or function cannot slip through
# what each role may read, table by table (a new grant must be added here)
readable() {
	sql "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
	      JOIN pg_namespace n ON n.oid = c.relnamespace
	     WHERE n.nspname = 'dmpremb' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
	       AND (has_table_privilege('$1', c.oid, 'SELECT') OR has_any_column_privilege('$1', c.oid, 'SELECT'))"
}
check_eq "reader reads exactly: document" "document" "$(readable dmpremb_reader)"
check_eq "only the owner reads reject.raw_value" "" \
	"$(sql "SELECT string_agg(r, ' ') FROM unnest(ARRAY['dmpremb_ingest', 'dmpremb_events', 'dmpremb_feed', 'dmpremb_reader',
	        'dmpremb_analyst', 'dmpremb_ops']) r WHERE has_column_privilege(r, 'dmpremb.reject', 'raw_value', 'SELECT')")"
check_eq "analyst reads nothing in dmpremb" "" "$(readable dmpremb_analyst)"
check_eq "events reads exactly these" "dossier dossier_event run schema_migration" "$(readable dmpremb_events)"
check_eq "ops reads exactly these" \
	"backfill_item batch batch_file destruction_pending dossier_event dossier_sla referential_file reject render_audit run schema_migration" \
	"$(readable dmpremb_ops)"
for r in dmpremb_ingest dmpremb_events dmpremb_feed dmpremb_ops dmpremb_analyst; do
	check_eq "$r cannot read any column of document or trace" "" \
		"$(sql "SELECT string_agg(t, ' ') FROM unnest(ARRAY['document', 'trace']) t
		        WHERE has_any_column_privilege('$r', 'dmpremb.' || t, 'SELECT')")"
done
check_eq "no role but the owner writes document, document_version or trace directly" "" \
	"$(sql "SELECT string_agg(r || ':' || t || ':' || p, ' ') FROM
	          unnest(ARRAY['dmpremb_ingest', 'dmpremb_events', 'dmpremb_feed', 'dmpremb_reader', 'dmpremb_analyst',
	                       'dmpremb_ops']) r,
	          unnest(ARRAY['document', 'document_version', 'trace']) t,
	          unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
	        WHERE has_table_privilege(r, 'dmpremb.' || t, p)")"
check_eq "no dmpremb function is executable by PUBLIC (extensions' aside)" "" \
	"$(sql "SELECT string_agg(p.oid::regprocedure::text, ' ') FROM pg_proc p
	      JOIN pg_namespace n ON n.oid = p.pronamespace
	     WHERE n.nspname = 'dmpremb'
	       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
	                          AND d.objid = p.oid AND d.deptype = 'e')
	       AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
	                                         WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))")"
check_eq "every SECURITY DEFINER function pins its search_path" "" \
	"$(sql "SELECT string_agg(p.oid::regprocedure::text, ' ') FROM pg_proc p
	      JOIN pg_namespace n ON n.oid = p.pronamespace
	     WHERE n.nspname IN ('dmpremb', 'analytics') AND p.prosecdef
	       AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')")"
check_eq "every object of schema dmpremb belongs to dmpremb_owner" "" \
	"$(sql "SELECT string_agg(c.relname, ' ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	     WHERE n.nspname = 'dmpremb' AND pg_get_userbyid(c.relowner) <> 'dmpremb_owner'")"
if [ "${TEST_ON_CITUS:-}" = 1 ]; then
	# Citus connects to the workers as the current role (db distribute):
	# they log in, with no password of their own; pg_hba and pg_dist_authinfo
	# decide from where (docs/scale.md)
	check_eq "on Citus the group roles may log in, with no password" "0" \
		"$(sql "SELECT count(*) FROM pg_authid WHERE rolname ~ '^dmpremb_[a-z]+$'
		         AND (NOT rolcanlogin OR rolpassword IS NOT NULL)")"
else
	check_eq "the group roles cannot log in" "0" \
		"$(sql "SELECT count(*) FROM pg_roles WHERE rolname ~ '^dmpremb_[a-z]+$' AND rolcanlogin")"
fi

# --- after all the probes the data is what the feed left
check_eq "the documents are untouched" "$docs" "$(sql "SELECT count(*) FROM document")"
finish
