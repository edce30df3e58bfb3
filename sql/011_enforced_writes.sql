-- sql/011_enforced_writes.sql — the database enforces the mission's rules for
-- any client, not only for dmpremb (issue 16).
--
-- A review found writes that a login could make with psql and that only our
-- program's good manners kept right:
--   1. the feed and ingest roles could insert and rewrite run rows with
--      another login, role and outcome: a forged audit trail;
--   2. the ingest role (claims) could record a SUPPRESSION itself and destroy
--      any dossier's data with dossier_destroy();
--   3. the feed role could store a document, version and "a ajouté" trace
--      into a dossier under objection, closed, deceased, deleted or unknown,
--      under any version number, with any sha256 and byte count.
-- Now:
--   1. nobody writes run: run_begin() creates a row with the session's own
--      login, role and backend, run_end() closes it from that session only.
--   2. the lifecycle import gets its own group role, dmpremb_events; no role
--      that loads claims may write dossier_event or dossier, or destroy.
--   3. document_store_staged() stores a staged document only into an
--      existing, open dossier without objection, as its next version; it
--      computes the sha256 and the byte count from the stored XML itself; the
--      rows it refuses are counted back (the feed counts them as skipped).
--      It also writes the chunk's refusals (too large) and backfill marks, so
--      that in a feed's transaction every write to a dossier-scoped table is
--      the owner's (on Citus one transaction's writes to distributed tables
--      must all be one user's: docs/security.md).

-- Roles are cluster-wide and creating one needs CREATEROLE: as the migrating
-- login (like 004), before handing over to the owner.
SET LOCAL search_path TO dmpremb;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dmpremb_events') THEN
        CREATE ROLE dmpremb_events NOLOGIN;
    END IF;
END $$;

SET LOCAL ROLE dmpremb_owner;

-- ---- 1. runs: created and closed by the session that runs --------------------
-- The session is its backend: pid and postmaster start (a restart reuses
-- pids), and the session-level advisory lock (736821, run_id) it takes here
-- and holds while it lives (load/run.h), which no other session can hold at
-- the same time.
ALTER TABLE run ADD COLUMN backend_pid int, ADD COLUMN backend_since timestamptz;
COMMENT ON COLUMN run.backend_pid IS 'The server process of the session that created the run (run_begin); only it may close the run (run_end).';
COMMENT ON COLUMN run.backend_since IS 'pg_postmaster_start_time() when the run was created: with backend_pid, names the session.';

-- Creates the run row of the calling session (outcome 'running'): login =
-- session_user, role = the role the command set (SET ROLE), never given by
-- the caller. Takes the run's session lock, then closes as interrupted the
-- 'running' rows whose lock is gone (their process ended without closing
-- them: killed, or its connection lost), naming this run.
CREATE FUNCTION run_begin(command text, options jsonb, host text, os_pid int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    id bigint;
    as_role text := current_setting('role');
BEGIN
    INSERT INTO run (command, options, host, pid, login, role, backend_pid, backend_since)
    VALUES (run_begin.command, coalesce(run_begin.options, '{}'), run_begin.host, run_begin.os_pid,
            session_user, CASE WHEN as_role = 'none' THEN session_user ELSE as_role END,
            pg_backend_pid(), pg_postmaster_start_time())
    RETURNING run_id INTO id;
    PERFORM pg_advisory_lock(736821, (id % 2147483647)::int);
    UPDATE run r SET outcome = 'interrupted', ended_at = clock_timestamp(),
           message = 'stopped without closing its run (killed, or its connection lost); noticed by run ' || id
     WHERE r.outcome = 'running' AND r.run_id <> id AND NOT EXISTS (
           SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 2
              AND l.classid = 736821 AND l.objid = (r.run_id % 2147483647)::oid
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()));
    RETURN id;
END $$;
COMMENT ON FUNCTION run_begin IS 'The only way to create a run row: the calling session''s login, role and backend.';

-- Closes a run, from the session that created it only, once.
CREATE FUNCTION run_end(run_id bigint, outcome text, exit_code int, counts jsonb, message text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
BEGIN
    IF run_end.outcome NOT IN ('ok', 'refused', 'failed', 'interrupted') THEN
        RAISE EXCEPTION 'run_end: outcome must be ok, refused, failed or interrupted'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE run r SET ended_at = clock_timestamp(), outcome = run_end.outcome,
           exit_code = run_end.exit_code, counts = coalesce(run_end.counts, '{}'), message = run_end.message
     WHERE r.run_id = run_end.run_id AND r.outcome = 'running' AND r.ended_at IS NULL
       AND r.backend_pid = pg_backend_pid() AND r.backend_since = pg_postmaster_start_time()
       AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 2
                      AND l.pid = pg_backend_pid() AND l.granted AND l.classid = 736821
                      AND l.objid = (r.run_id % 2147483647)::oid);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'run_end: run % is not a running run of this session', run_end.run_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;
COMMENT ON FUNCTION run_end IS 'The only way to close a run row: from the session that created it (run_begin), once.';

REVOKE INSERT, UPDATE ON run FROM dmpremb_ingest, dmpremb_feed;
REVOKE USAGE ON SEQUENCE run_run_id_seq FROM dmpremb_ingest, dmpremb_feed;
GRANT EXECUTE ON FUNCTION run_begin(text, jsonb, text, int), run_end(bigint, text, int, jsonb, text)
    TO dmpremb_ingest, dmpremb_feed;

-- ---- 2. the lifecycle import, apart from claim ingest -----------------------
-- dmpremb dossiers import records events, creates the dossiers they name,
-- folds them (dossier states, event outcomes) and destroys the data of the
-- dossiers a SUPPRESSION deleted (load/lifecycle_io.c).
GRANT USAGE ON SCHEMA dmpremb TO dmpremb_events;
GRANT SELECT ON schema_migration, run TO dmpremb_events;
GRANT EXECUTE ON FUNCTION run_begin(text, jsonb, text, int), run_end(bigint, text, int, jsonb, text)
    TO dmpremb_events;
-- It records events and the dossiers they name (INSERT); the fold's writes
-- (states, outcomes, destruction) are lifecycle_store()'s, as the owner
-- (010): in one transaction Citus lets one user only write a dossier's shards.
GRANT SELECT, INSERT ON dossier, dossier_event TO dmpremb_events;
GRANT EXECUTE ON FUNCTION lifecycle_store(), analytics_refresh(text, timestamptz) TO dmpremb_events;
REVOKE EXECUTE ON FUNCTION lifecycle_store() FROM dmpremb_ingest;

-- ingest reads dossier (a deleted dossier's lines are filtered) and, as
-- before, dossier_event; it writes neither, and destroys nothing.
REVOKE INSERT, UPDATE ON dossier, dossier_event FROM dmpremb_ingest;
REVOKE EXECUTE ON FUNCTION dossier_destroy(text[]) FROM dmpremb_ingest;
-- dossier_destroy() is called by lifecycle_store() only (as the owner)

-- ---- 3. documents: only into a feedable dossier, as its next version ---------
-- Reads the session's pg_temp.feed_doc as 009's did (same checks of the
-- table). A staged row is stored only when its dossier exists, is open and
-- without objection, its version is the dossier's latest version + 1 (1 for
-- the first), and its INS-C is staged once. sha256 and bytes are the
-- server's, from the XML it stores; the staged ones are ignored. Refused
-- rows are not stored and only counted (refused).
-- In the same transaction it records, for the chunk, the dossiers whose
-- document was too large (too_large, with their claim lines, as 008's
-- feed_refuse did) and, for a backfill (backfill_run not NULL), marks the
-- chunk's items of its list (chunk: the chunk's INS-Cs) done: fed, or skipped
-- with why. Dossier-scoped tables are read by INS-C arrays and written in
-- separate statements, volatile values computed first (Citus rules,
-- docs/security.md).
CREATE FUNCTION document_store_staged(period_low date, period_high date, generated_at timestamptz,
                                      run_id bigint, too_large text[], too_large_lines bigint[],
                                      max_document_mb int, backfill_run bigint, chunk text[])
RETURNS TABLE (documents bigint, versions bigint, traces bigint, dossiers bigint, refused bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    staged text[];
    feedable text[];
    last_ins text[];
    last_version int[];
    stored text[];
    shas text[];
    sizes int[];
    t_now constant timestamptz := now();
    t_done constant timestamptz := clock_timestamp();
    i int;
BEGIN
    -- the session's staging table, exactly as the feed makes it (010)
    PERFORM staged_table_check('feed_doc', ARRAY['ins_c text', 'set_id text', 'doc_id text', 'version integer',
                                                 'xml text', 'sha256 text', 'bytes integer',
                                                 'section_rows integer[]']);

    -- what the database says of the staged dossiers, read by INS-C
    SELECT coalesce(array_agg(DISTINCT f.ins_c), '{}') INTO staged FROM pg_temp.feed_doc f;
    SELECT coalesce(array_agg(d.ins_c), '{}') INTO feedable FROM dossier d
     WHERE d.ins_c = ANY (staged) AND d.state = 'open' AND NOT d.opposition;
    SELECT coalesce(array_agg(v.ins_c), '{}'), coalesce(array_agg(v.version), '{}')
      INTO last_ins, last_version
      FROM (SELECT x.ins_c, max(x.version) AS version FROM document_version x
             WHERE x.ins_c = ANY (staged) GROUP BY x.ins_c) v;

    -- the rows that may be stored: once each, as the next version
    SELECT coalesce(array_agg(f.ins_c), '{}') INTO stored
      FROM (SELECT f.*, count(*) OVER (PARTITION BY f.ins_c) AS copies FROM pg_temp.feed_doc f) f
      LEFT JOIN unnest(last_ins, last_version) AS l(ins_c, version) ON l.ins_c = f.ins_c
     WHERE f.copies = 1 AND f.ins_c = ANY (feedable) AND f.version = coalesce(l.version, 0) + 1;
    -- their dossiers' feed times, first: the UPDATE locks each row and checks
    -- its state again once locked, so a lifecycle import changing it at the
    -- same time either finishes first (and the dossier, no longer feedable,
    -- is not stored) or waits for this transaction (and then sees, and
    -- destroys if deleted, what it stored)
    WITH fed AS (
        UPDATE dossier d SET last_fed_at = document_store_staged.generated_at,
               first_fed_at = CASE WHEN d.first_fed_at IS NULL OR d.first_fed_at < d.due_at
                                   THEN document_store_staged.generated_at ELSE d.first_fed_at END
         WHERE d.ins_c = ANY (stored) AND d.state = 'open' AND NOT d.opposition
        RETURNING d.ins_c)
    SELECT coalesce(array_agg(fed.ins_c), '{}') INTO stored FROM fed;
    dossiers := cardinality(stored);
    -- with the server's sha256 and byte count
    SELECT coalesce(array_agg(f.ins_c), '{}'), coalesce(array_agg(encode(sha256(convert_to(f.xml, 'UTF8')), 'hex')), '{}'),
           coalesce(array_agg(octet_length(f.xml)), '{}')
      INTO stored, shas, sizes
      FROM pg_temp.feed_doc f WHERE f.ins_c = ANY (stored);
    SELECT count(*) - cardinality(stored) INTO refused FROM pg_temp.feed_doc;

    INSERT INTO document AS d (ins_c, set_id, doc_id, version, xml, sha256, bytes, section_rows,
                               period_low, period_high, generated_at, run_id)
    SELECT f.ins_c, f.set_id, f.doc_id, f.version, f.xml, s.sha256, s.bytes, f.section_rows,
           document_store_staged.period_low, document_store_staged.period_high,
           document_store_staged.generated_at, document_store_staged.run_id
      FROM pg_temp.feed_doc f JOIN unnest(stored, shas, sizes) AS s(ins_c, sha256, bytes) ON s.ins_c = f.ins_c
    ON CONFLICT (ins_c) DO UPDATE SET set_id = EXCLUDED.set_id, doc_id = EXCLUDED.doc_id,
       version = EXCLUDED.version, xml = EXCLUDED.xml, sha256 = EXCLUDED.sha256,
       bytes = EXCLUDED.bytes, section_rows = EXCLUDED.section_rows,
       period_low = EXCLUDED.period_low, period_high = EXCLUDED.period_high,
       generated_at = EXCLUDED.generated_at, run_id = EXCLUDED.run_id
     WHERE d.version < EXCLUDED.version;
    GET DIAGNOSTICS documents = ROW_COUNT;

    INSERT INTO document_version (ins_c, version, set_id, doc_id, sha256, bytes, section_rows,
                                  period_low, period_high, generated_at, run_id)
    SELECT f.ins_c, f.version, f.set_id, f.doc_id, s.sha256, s.bytes, f.section_rows,
           document_store_staged.period_low, document_store_staged.period_high,
           document_store_staged.generated_at, document_store_staged.run_id
      FROM pg_temp.feed_doc f JOIN unnest(stored, shas, sizes) AS s(ins_c, sha256, bytes) ON s.ins_c = f.ins_c;
    GET DIAGNOSTICS versions = ROW_COUNT;

    INSERT INTO trace (ins_c, at, author, action, version, run_id)
    SELECT f.ins_c, t_now, 'Assurance Maladie',
           CASE WHEN f.version = 1 THEN 'a ajouté : Données de remboursement'
                ELSE 'a modifié : Données de remboursement' END, f.version, document_store_staged.run_id
      FROM pg_temp.feed_doc f WHERE f.ins_c = ANY (stored);
    GET DIAGNOSTICS traces = ROW_COUNT;

    -- documents above --max-document-mb: recorded on their dossier (008)
    -- (one statement each: Citus joins no distributed table with unnest());
    -- sizes only, never an identity
    FOR i IN 1 .. coalesce(cardinality(too_large), 0) LOOP
        UPDATE dossier d SET feed_refused_at = document_store_staged.generated_at,
               feed_refusal = 'document above --max-document-mb ' || max_document_mb || ' ('
                              || too_large_lines[i] || ' claim lines)'
         WHERE d.ins_c = too_large[i];
    END LOOP;

    -- a backfill's list: the chunk's items are done
    IF backfill_run IS NOT NULL THEN
        UPDATE backfill_item b SET done_at = t_done,
               outcome = CASE WHEN b.ins_c = ANY (stored) THEN 'fed'
                              WHEN b.ins_c = ANY (too_large) THEN 'skipped: document too large'
                              WHEN b.ins_c = ANY (staged) THEN 'skipped: dossier no longer feedable'
                              ELSE 'skipped: no identity' END
         WHERE b.run_id = backfill_run AND b.ins_c = ANY (chunk);
    END IF;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION document_store_staged(date, date, timestamptz, bigint, text[], bigint[], int, bigint, text[]) IS
'The only way to write a document (dmpremb_feed): from the session''s pg_temp.feed_doc, into open dossiers without objection, as their next version, with the server''s sha256 and size; also the chunk''s too-large refusals and backfill marks.';
REVOKE ALL ON FUNCTION document_store_staged(date, date, timestamptz, bigint, text[], bigint[], int, bigint, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION document_store_staged(date, date, timestamptz, bigint, text[], bigint[], int, bigint, text[])
    TO dmpremb_feed;

-- The unchecked form goes, and with it the feed's own write to dossier:
-- refusals are written by the function above.
DROP FUNCTION document_store_staged(date, date, timestamptz, bigint);
REVOKE UPDATE (feed_refused_at, feed_refusal) ON dossier FROM dmpremb_feed;
-- Nor does the feed lock dossier rows any more (FOR UPDATE, which needed
-- UPDATE on a column): it claims them with advisory locks (010, feed_io.c).
REVOKE UPDATE (updated_at) ON dossier FROM dmpremb_feed;
