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

-- ---- 3. what ops reads of the dossiers -------------------------------------
-- A view runs its query with its owner's rights on one PostgreSQL; on Citus
-- the queries it sends to the shards run as the current user, and ops may not
-- read the shards of dossier and beneficiary. So the owner's rights are
-- taken inside functions instead (SECURITY DEFINER: Citus then connects to
-- the workers as the owner). dossier_sla keeps its columns, now over
-- dossier_sla_rows(); 'dmpremb status' reads the aggregates below, which
-- each node computes for its shards. Their predicates are the feed's own
-- (load/feed_io.h, FEED_SQL_*), written out once more here, so that the
-- partial indexes of 003 serve them.

CREATE FUNCTION dossier_sla_rows()
RETURNS TABLE (state text, opposition boolean, created_at timestamptz, due_at timestamptz,
               last_fed_at timestamptz, first_fed_at timestamptz, identified boolean,
               feed_refused_at timestamptz, feed_refusal text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT d.state, d.opposition, d.created_at, d.due_at, d.last_fed_at, d.first_fed_at,
           b.ins_c IS NOT NULL, d.feed_refused_at, d.feed_refusal
      FROM dossier d LEFT JOIN beneficiary b ON b.ins_c = d.ins_c;
END $$;
CREATE OR REPLACE VIEW dossier_sla AS
    SELECT state, opposition, created_at, due_at, last_fed_at, first_fed_at, identified,
           feed_refused_at, feed_refusal
      FROM dossier_sla_rows();

-- First feeds due at as_of: how many, how many waited over first_hours (and
-- of those, how many no batch has named), how long the oldest has waited.
CREATE FUNCTION sla_first_feeds(as_of timestamptz, first_hours int)
RETURNS TABLE (due bigint, overdue bigint, overdue_no_identity bigint, oldest_hours double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    late constant timestamptz := as_of - make_interval(hours => first_hours);
BEGIN
    RETURN QUERY
    SELECT count(*), count(*) FILTER (WHERE d.due_at <= late),
           count(*) FILTER (WHERE d.due_at <= late AND b.ins_c IS NULL),
           extract(epoch FROM as_of - min(d.due_at) FILTER (WHERE d.due_at <= late))::double precision / 3600
      FROM dossier d LEFT JOIN beneficiary b ON b.ins_c = d.ins_c
     WHERE d.state = 'open' AND NOT d.opposition AND (d.last_fed_at IS NULL OR d.last_fed_at < d.due_at)
       AND d.due_at <= as_of;
END $$;

-- Refreshes due at as_of (fed since they became due, last fed refresh_days
-- ago or more): how many, how many are grace_hours late, the oldest's age.
CREATE FUNCTION sla_refreshes(as_of timestamptz, refresh_days int, grace_hours int)
RETURNS TABLE (due bigint, overdue bigint, oldest_hours double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    due_before constant timestamptz := as_of - make_interval(days => refresh_days);
    late constant timestamptz := as_of - make_interval(days => refresh_days, hours => grace_hours);
BEGIN
    RETURN QUERY
    SELECT count(*), count(*) FILTER (WHERE d.last_fed_at <= late),
           extract(epoch FROM as_of - min(d.last_fed_at) FILTER (WHERE d.last_fed_at <= late))::double precision
               / 3600
      FROM dossier d
     WHERE d.state = 'open' AND NOT d.opposition AND d.last_fed_at <= due_before AND d.last_fed_at >= d.due_at;
END $$;

-- Dossiers by state, with those under objection and those whose last feed
-- refused their document (--max-document-mb) since their last document.
CREATE FUNCTION sla_states()
RETURNS TABLE (state text, dossiers bigint, objection bigint, refused bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT d.state, count(*), count(*) FILTER (WHERE d.opposition),
           count(*) FILTER (WHERE d.state = 'open' AND NOT d.opposition
                            AND d.feed_refused_at > coalesce(d.last_fed_at, '-infinity'))
      FROM dossier d GROUP BY d.state;
END $$;

REVOKE ALL ON FUNCTION dossier_sla_rows(), sla_first_feeds(timestamptz, int),
    sla_refreshes(timestamptz, int, int), sla_states() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier_sla_rows(), sla_first_feeds(timestamptz, int),
    sla_refreshes(timestamptz, int, int), sla_states() TO dmpremb_ops;

-- ---- 4. what analysts read of each dossier ---------------------------------
-- analytics.dossier_feed was a view with the owner's rights over dossier,
-- dossier_pseudonym and document: on Citus the analyst would read their
-- shards as itself, and may not. The same rows now come from a function
-- that runs as the owner (the view keeps its name, columns and meaning: one
-- row per dossier not deleted, live). The function is in analytics_private,
-- where the analyst has no USAGE: it may run it through the view (EXECUTE is
-- checked, the schema was looked up when the view was made), never call it
-- with arguments of its own (it has none anyway). now() is read once, on the
-- coordinator, not by each shard.
CREATE FUNCTION analytics_private.dossier_feed_rows()
RETURNS TABLE (pseudonym text, state text, objection boolean, due_day date, hours_to_first_feed numeric,
               days_since_last_feed int, document_version int, document_bytes int)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t_now constant timestamptz := now();
BEGIN
    RETURN QUERY
    SELECT p.pseudonym, d.state, d.opposition,
           (d.due_at AT TIME ZONE 'Europe/Paris')::date,
           CASE WHEN d.first_fed_at >= d.due_at
                THEN round((extract(epoch FROM d.first_fed_at - d.due_at) / 3600)::numeric, 1) END,
           floor(extract(epoch FROM t_now - d.last_fed_at) / 86400)::int,
           doc.version, doc.bytes
      FROM dmpremb.dossier d
      JOIN analytics_private.dossier_pseudonym p ON p.ins_c = d.ins_c
      LEFT JOIN dmpremb.document doc ON doc.ins_c = d.ins_c
     WHERE d.state <> 'deleted';
END $$;
COMMENT ON FUNCTION analytics_private.dossier_feed_rows() IS 'The rows of analytics.dossier_feed, computed with the owner''s rights (read the view).';
GRANT EXECUTE ON FUNCTION analytics_private.dossier_feed_rows() TO dmpremb_analyst;
CREATE OR REPLACE VIEW analytics.dossier_feed WITH (security_barrier) AS
SELECT pseudonym, state, objection, due_day, hours_to_first_feed, days_since_last_feed, document_version,
       document_bytes
  FROM analytics_private.dossier_feed_rows();

-- ---- 5. purge of closed dossiers' claims -----------------------------------
-- 006 locked the slice's dossier rows (FOR SHARE) so that a reactivation
-- being imported is waited for, never raced; Citus runs no FOR UPDATE/SHARE
-- over several shards. The slice now takes, in shared mode, the advisory
-- lock the event appliers take in exclusive mode (load/lifecycle_io.c): no
-- event is applied while a slice is decided and purged, on one node as on
-- Citus, and purges do not wait for each other. The sweep of recent lines
-- runs only when some dossier needs it: Citus fails on a DELETE whose
-- partition bound is NULL (no earlier purge) even when no row matches.
CREATE OR REPLACE FUNCTION purge_closed_claims(as_of timestamptz, grace_days int, margin_months int, after text,
                                    max_dossiers int, dry boolean)
RETURNS TABLE (last_ins_c text, dossiers int, first_purges int, claim_lines bigint, stays bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    prev record;
    sweep_from date;
    slice text[];
    whole text[];
    recent text[];
    n bigint;
BEGIN
    PERFORM purge_cutoff(as_of, margin_months);
    IF grace_days IS NULL OR grace_days < 0 THEN
        RAISE EXCEPTION 'purge: the grace must be zero or more days' USING ERRCODE = '22023';
    END IF;
    -- the last complete purge up to this as-of: what it purged, it purged whole
    SELECT (r.options->>'as_of')::timestamptz AS as_of, (r.options->>'closed_grace_days')::int AS grace,
           r.started_at
      INTO prev FROM run r
     WHERE r.command = 'purge' AND r.outcome = 'ok' AND (r.options->>'as_of')::timestamptz <= as_of
     ORDER BY 1 DESC, r.run_id DESC LIMIT 1;
    sweep_from := ((prev.as_of AT TIME ZONE 'Europe/Paris')::date - make_interval(months => margin_months))::date;

    IF NOT dry THEN
        -- no event is applied while this slice is decided and purged (the
        -- appliers take this lock in exclusive mode, load/lifecycle_io.c)
        PERFORM pg_advisory_xact_lock_shared(7368210932);
    END IF;
    SELECT array_agg(d.ins_c ORDER BY d.ins_c) INTO slice FROM (
        SELECT d.ins_c FROM dossier d
         WHERE d.state IN ('closed', 'deceased') AND d.ins_c > coalesce(after, '')
         ORDER BY d.ins_c LIMIT max_dossiers) d;
    IF slice IS NULL THEN
        RETURN QUERY SELECT NULL::text, 0, 0, 0::bigint, 0::bigint;
        RETURN;
    END IF;

    -- closed at: the latest applied FERMETURE (DECES needs no grace: no
    -- reactivation after a death); a state set without events: its last event
    WITH c AS (
        SELECT d.ins_c, d.state, d.updated_at,
               coalesce((SELECT max(e.event_at) FROM dossier_event e
                          WHERE e.ins_c = d.ins_c AND e.outcome LIKE 'applied%'
                            AND e.evenement = CASE d.state WHEN 'deceased' THEN 'DECES' ELSE 'FERMETURE' END),
                        d.last_event_at, d.updated_at) AS closed_at
          FROM dossier d WHERE d.ins_c = ANY(slice) AND d.state IN ('closed', 'deceased')),
    due AS (
        SELECT c.*, CASE WHEN c.state = 'deceased' THEN 0 ELSE grace_days END AS grace FROM c)
    SELECT array_agg(due.ins_c) FILTER (WHERE NOT swept), array_agg(due.ins_c) FILTER (WHERE swept)
      INTO whole, recent
      FROM (SELECT due.ins_c,
                   -- the last complete purge saw this state (changed before it
                   -- started) and it was past that purge's grace then
                   prev.as_of IS NOT NULL AND due.updated_at < prev.started_at
                   AND due.closed_at + make_interval(days => CASE WHEN due.state = 'deceased' THEN 0
                                                                  ELSE prev.grace END) <= prev.as_of AS swept
              FROM due WHERE due.closed_at + make_interval(days => due.grace) <= as_of) due;

    last_ins_c := slice[array_upper(slice, 1)];
    dossiers := coalesce(array_length(whole, 1), 0) + coalesce(array_length(recent, 1), 0);
    first_purges := coalesce(array_length(whole, 1), 0);
    claim_lines := 0;
    stays := 0;
    IF dry THEN
        SELECT count(*) INTO n FROM claim_line l WHERE l.ins_c = ANY(whole);
        claim_lines := n;
        IF recent IS NOT NULL THEN
            SELECT count(*) INTO n FROM claim_line l WHERE l.ins_c = ANY(recent) AND l.flx_trt_dtd >= sweep_from;
            claim_lines := claim_lines + n;
        END IF;
        SELECT count(*) INTO stays FROM hospital_stay s WHERE s.ins_c = ANY(whole || recent);
    ELSE
        WITH gone AS (DELETE FROM claim_line l WHERE l.ins_c = ANY(whole) RETURNING 1)
        SELECT count(*) INTO n FROM gone;
        claim_lines := n;
        IF recent IS NOT NULL THEN
            WITH gone AS (DELETE FROM claim_line l WHERE l.ins_c = ANY(recent) AND l.flx_trt_dtd >= sweep_from
                          RETURNING 1)
            SELECT count(*) INTO n FROM gone;
            claim_lines := claim_lines + n;
        END IF;
        WITH gone AS (DELETE FROM hospital_stay s WHERE s.ins_c = ANY(whole || recent) RETURNING 1)
        SELECT count(*) INTO stays FROM gone;
    END IF;
    RETURN NEXT;
END $$;

-- ---- 6. the lifecycle import's writes, all as the owner --------------------
-- On Citus, a transaction may not touch a dossier's shards as two users: the
-- role that imports events wrote dossier and dossier_event, and then
-- dossier_destroy() (the owner's) deleted the same dossier's documents. Now
-- recording the events is a transaction of its own (the role's writes), and
-- each slice of the fold is one more, where the role only reads (events,
-- dossiers), folds in C (transform/lifecycle.c), stages the result in its
-- temporary tables lc_dossier_out and lc_event_out, and lifecycle_store()
-- writes it as the owner: dossier states first (each row locked, so a feed
-- storing that dossier finishes first, and one storing it later sees the new
-- state and refuses), then the destruction of newly deleted dossiers, then
-- the events' outcomes.

-- Refuses a temporary table of the calling session that is not exactly what
-- our code creates: an ordinary temporary table, without row security, with
-- these columns of these built-in types. A function running as the owner
-- reads it: a view, a policy or a type of the caller's would otherwise run
-- the caller's code with the owner's rights (as 009 checks feed_doc).
CREATE FUNCTION staged_table_check(name text, cols text[]) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel oid := to_regclass('pg_temp.' || quote_ident(name));
    got text[];
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'this session has no temporary table %', name;
    END IF;
    SELECT array_agg(a.attname || ' ' || a.atttypid::regtype::text ORDER BY a.attnum) INTO got
      FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = rel AND c.relkind = 'r'
                      AND c.relpersistence = 't' AND NOT c.relrowsecurity)
       OR got IS DISTINCT FROM cols THEN
        RAISE EXCEPTION 'pg_temp.% is not the staging table dmpremb creates', name;
    END IF;
END $$;
REVOKE ALL ON FUNCTION staged_table_check(text, text[]) FROM PUBLIC;

-- 004's dossier_destroy(), in PL/pgSQL: Citus plans neither a LANGUAGE sql
-- function with parameters nor a correlated subquery over unnest(). Same
-- rule: only dossiers with a recorded SUPPRESSION event lose their data.
CREATE OR REPLACE FUNCTION dossier_destroy(ins_cs text[])
RETURNS TABLE (dossiers bigint, documents bigint, versions bigint, traces bigint, claims bigint,
               others bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    gone text[];
    n bigint;
BEGIN
    SELECT array_agg(DISTINCT e.ins_c) INTO gone FROM dossier_event e
     WHERE e.ins_c = ANY (ins_cs) AND e.evenement = 'SUPPRESSION';
    dossiers := coalesce(cardinality(gone), 0);
    documents := 0; versions := 0; traces := 0; claims := 0; others := 0;
    IF dossiers > 0 THEN
        DELETE FROM document x WHERE x.ins_c = ANY (gone);
        GET DIAGNOSTICS documents = ROW_COUNT;
        DELETE FROM document_version x WHERE x.ins_c = ANY (gone);
        GET DIAGNOSTICS versions = ROW_COUNT;
        DELETE FROM trace x WHERE x.ins_c = ANY (gone);
        GET DIAGNOSTICS traces = ROW_COUNT;
        DELETE FROM claim_line x WHERE x.ins_c = ANY (gone);
        GET DIAGNOSTICS claims = ROW_COUNT;
        DELETE FROM hospital_stay x WHERE x.ins_c = ANY (gone);
        GET DIAGNOSTICS n = ROW_COUNT;
        claims := claims + n;
        DELETE FROM beneficiary x WHERE x.ins_c = ANY (gone);
        GET DIAGNOSTICS others = ROW_COUNT;
        DELETE FROM backfill_item x WHERE x.ins_c = ANY (gone);
        GET DIAGNOSTICS n = ROW_COUNT;
        others := others + n;
    END IF;
    RETURN NEXT;
END $$;

-- Writes one slice of the fold from the caller's lc_dossier_out and
-- lc_event_out (load/lifecycle_io.c); returns what dossier_destroy() did.
CREATE FUNCTION lifecycle_store()
RETURNS TABLE (dossiers bigint, documents bigint, versions bigint, traces bigint, claims bigint,
               others bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    t constant timestamptz := clock_timestamp();
    to_delete text[];
    newly_deleted text[];
BEGIN
    PERFORM staged_table_check('lc_dossier_out', ARRAY['ins_c text', 'state text', 'opposition boolean',
        'created_at timestamp with time zone', 'due_at timestamp with time zone',
        'last_event_at timestamp with time zone']);
    PERFORM staged_table_check('lc_event_out', ARRAY['ins_c text', 'event_at timestamp with time zone',
        'evenement text', 'outcome text']);
    -- a fold may delete only a dossier whose SUPPRESSION is recorded
    -- (the staged INS-Cs as an array: Citus joins no temporary table in a subquery)
    SELECT coalesce(array_agg(o.ins_c), '{}') INTO to_delete FROM pg_temp.lc_dossier_out o
     WHERE o.state = 'deleted';
    IF cardinality(to_delete) > 0
       AND (SELECT count(DISTINCT e.ins_c) FROM dossier_event e
             WHERE e.ins_c = ANY (to_delete) AND e.evenement = 'SUPPRESSION') < cardinality(to_delete) THEN
        RAISE EXCEPTION 'lifecycle_store: a dossier without a recorded SUPPRESSION cannot be deleted';
    END IF;
    -- the dossiers, created when new (an event names them before a CREATION)
    INSERT INTO dossier (ins_c, updated_at) SELECT o.ins_c, t FROM pg_temp.lc_dossier_out o
    ON CONFLICT (ins_c) DO NOTHING;
    SELECT array_agg(d.ins_c) INTO newly_deleted
      FROM dossier d JOIN pg_temp.lc_dossier_out o ON o.ins_c = d.ins_c
     WHERE o.state = 'deleted' AND d.state <> 'deleted';
    -- a tombstone keeps its key, its state and when it was deleted: nothing else
    UPDATE dossier d SET state = o.state,
           opposition = o.opposition AND o.state <> 'deleted',
           created_at = CASE WHEN o.state <> 'deleted' THEN o.created_at END,
           due_at = CASE WHEN o.state <> 'deleted' THEN o.due_at END,
           last_fed_at = CASE WHEN o.state <> 'deleted' THEN d.last_fed_at END,
           first_fed_at = CASE WHEN o.state <> 'deleted' THEN d.first_fed_at END,
           deleted_at = CASE WHEN o.state = 'deleted' THEN coalesce(d.deleted_at, t) END,
           last_event_at = o.last_event_at, updated_at = t
      FROM pg_temp.lc_dossier_out o
     WHERE d.ins_c = o.ins_c
       AND (d.state, d.opposition, d.created_at, d.due_at, d.last_event_at)
           IS DISTINCT FROM (o.state, o.opposition, o.created_at, o.due_at, o.last_event_at);
    RETURN QUERY SELECT * FROM dossier_destroy(coalesce(newly_deleted, '{}'));
    UPDATE dossier_event e SET applied_at = t, outcome = o.outcome
      FROM pg_temp.lc_event_out o
     WHERE e.ins_c = o.ins_c AND e.event_at = o.event_at AND e.evenement = o.evenement
       AND (e.applied_at IS NULL OR e.outcome IS DISTINCT FROM o.outcome);
END $$;
REVOKE ALL ON FUNCTION lifecycle_store() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lifecycle_store() TO dmpremb_ingest;
