-- sql/010_citus.sql — what the schema changes so that it runs on a Citus
-- cluster as on one PostgreSQL (docs/scale.md, "Running on Citus").
--
-- 1. The pseudonyms of the analytics are kept up to date by the refresh, not
-- by triggers on dossier. 005 kept analytics_private.dossier_pseudonym in
-- step with dossier through three triggers: a statement trigger with a
-- transition table on INSERT, row triggers on UPDATE OF state and DELETE. On
-- a Citus cluster dossier is distributed: a trigger fires on each shard, on
-- the worker, where it needs the pseudonym function, pgcrypto and the key;
-- and a transition table there fails ("unrecognized RTE kind: 7"). Citus
-- also refuses triggers on distributed tables unless
-- citus.enable_unsafe_triggers is on. Instead, analytics_refresh() brings
-- the pseudonyms up to date whenever it refreshes the dossier figures, which
-- 'dossiers import' does at the end of every run: a new dossier gets its
-- pseudonym, a deleted one loses it. The HMAC is computed on the coordinator
-- (the key read once into a variable, the new INS-Cs sent as an array), so
-- neither pgcrypto nor the key is needed on the workers.
-- analytics.dossier_feed already leaves deleted dossiers out; a dossier
-- imported in a run appears there when that run ends.
--
-- 2. A corrected identity moves a person's claims and stays to the new
-- INS-C. ins_c is the distribution column: no UPDATE may change it (the row
-- would move to another shard), so the ingest copies the rows under the new
-- INS-C and deletes them under the old one (load/batch_merge.c), which needs
-- DELETE where it had UPDATE.

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

DROP TRIGGER dossier_pseudonym_new ON dossier;
DROP TRIGGER dossier_pseudonym_deleted ON dossier;
DROP TRIGGER dossier_pseudonym_gone ON dossier;
DROP FUNCTION analytics_private.pseudonym_new_dossiers();
DROP FUNCTION analytics_private.pseudonym_deleted_dossier();

-- ---- 1. pseudonyms ----------------------------------------------------------
-- Adds the pseudonym of every dossier not deleted that has none, and removes
-- those of deleted dossiers; returns how many rows changed. In slices of
-- 100,000 dossiers, so that a first run over millions holds one slice.
CREATE FUNCTION analytics_private.pseudonyms_sync() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    k bytea;
    todo text[];
    n bigint;
    changed bigint := 0;
BEGIN
    WITH gone AS (
        DELETE FROM analytics_private.dossier_pseudonym p USING dmpremb.dossier d
         WHERE d.ins_c = p.ins_c AND d.state = 'deleted'
        RETURNING 1)
    SELECT count(*) INTO changed FROM gone;
    SELECT x.hmac_key INTO k FROM analytics_private.pseudonym_key x;
    LOOP
        SELECT array_agg(d.ins_c) INTO todo FROM (
            SELECT d.ins_c FROM dmpremb.dossier d
             WHERE d.state <> 'deleted'
               AND NOT EXISTS (SELECT 1 FROM analytics_private.dossier_pseudonym p WHERE p.ins_c = d.ins_c)
             LIMIT 100000) d;
        EXIT WHEN todo IS NULL;
        INSERT INTO analytics_private.dossier_pseudonym (ins_c, pseudonym)
        SELECT x, analytics_private.pseudonym(x, k) FROM unnest(todo) x;
        GET DIAGNOSTICS n = ROW_COUNT;
        changed := changed + n;
    END LOOP;
    RETURN changed;
END $$;
REVOKE ALL ON FUNCTION analytics_private.pseudonyms_sync() FROM PUBLIC;

-- 005's analytics_refresh(), which now first brings the pseudonyms up to
-- date when it refreshes the dossier figures (or all).
CREATE OR REPLACE FUNCTION analytics_refresh(what text, as_of timestamptz DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    called constant timestamptz := clock_timestamp();
    t_as_of constant timestamptz := coalesce(analytics_refresh.as_of, now());
    groups constant text[] := string_to_array(replace(what, ' ', ''), ',');
    v text;
    t0 timestamptz;
    n int := 0;
BEGIN
    IF coalesce(cardinality(groups), 0) = 0
       OR NOT groups <@ ARRAY['claims', 'dossiers', 'documents', 'all'] THEN
        RAISE EXCEPTION 'analytics_refresh: what must list claims, dossiers, documents or all'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('dmpremb.analytics_refresh'));
    IF 'dossiers' = ANY (groups) OR 'all' = ANY (groups) THEN
        PERFORM analytics_private.pseudonyms_sync();
    END IF;
    PERFORM set_config('dmpremb.analytics_as_of', t_as_of::text, true);
    FOR v IN SELECT g.relation FROM analytics_private.refresh_group g
              WHERE g.grp = ANY (groups) OR 'all' = ANY (groups) ORDER BY g.ord LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM analytics_private.refreshed r
                               WHERE r.relation = v AND r.refreshed_at >= called AND r.as_of >= t_as_of);
        t0 := clock_timestamp();
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.%I', v);
        INSERT INTO analytics_private.refreshed AS r (relation, refreshed_at, as_of, seconds)
        VALUES (v, t0, t_as_of, extract(epoch FROM clock_timestamp() - t0))
        ON CONFLICT (relation) DO UPDATE
            SET refreshed_at = EXCLUDED.refreshed_at, as_of = EXCLUDED.as_of, seconds = EXCLUDED.seconds;
        n := n + 1;
    END LOOP;
    PERFORM set_config('dmpremb.analytics_as_of', '', true);
    RETURN n;
END $$;

-- ---- 2. re-keying a corrected identity -------------------------------------
GRANT DELETE ON claim_line, hospital_stay TO dmpremb_ingest;
