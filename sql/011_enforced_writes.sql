-- sql/011_enforced_writes.sql — the database enforces the mission's rules for
-- any client, not only for dmpremb (issue 16).
--
-- A review found writes that a login could make with psql and that only our
-- program's good manners kept right:
--   1. the feed and ingest roles could insert and rewrite run rows with
--      another login, role and outcome: a forged audit trail;
--   2. the ingest role (claims) could record a SUPPRESSION itself and destroy
--      any dossier's data with dossier_destroy().
-- Now:
--   1. nobody writes run: run_begin() creates a row with the session's own
--      login, role and backend, run_end() closes it from that session only.
--   2. the lifecycle import gets its own group role, dmpremb_events; no role
--      that loads claims may write dossier_event or dossier, or destroy.

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
GRANT SELECT, INSERT, UPDATE ON dossier, dossier_event TO dmpremb_events;
GRANT EXECUTE ON FUNCTION dossier_destroy(text[]), analytics_refresh(text, timestamptz) TO dmpremb_events;

-- ingest reads dossier (a deleted dossier's lines are filtered) and, as
-- before, dossier_event; it writes neither, and destroys nothing.
REVOKE INSERT, UPDATE ON dossier, dossier_event FROM dmpremb_ingest;
REVOKE EXECUTE ON FUNCTION dossier_destroy(text[]) FROM dmpremb_ingest;
