-- sql/006_retention.sql — retention: what `dmpremb purge` removes, and only that.
--
-- purge runs as dmpremb_ingest, which can neither drop a table nor read or
-- delete documents and their version rows. Each rule of docs/retention.md is
-- therefore one function below, owned by dmpremb_owner, SECURITY DEFINER,
-- executable by dmpremb_ingest alone: the role can age data out by the rules,
-- not destroy what it likes. Every function computes its own cutoff from the
-- as-of and the ages it is given (never from a date chosen by the caller),
-- refuses an as-of in the future and does one bounded slice of work, so that
-- the caller commits slice by slice. With dry = true they count what they
-- would remove and change nothing.
--
-- The dates: as-of T, taken as a Paris day like the feed's window; the
-- claim cutoff is T's day - 24 months - margin. A claim_line partition
-- (one processing month, FLX_TRT_DTD) goes when its whole range is before
-- the cutoff; care precedes processing, so it holds only care older than
-- any document's window.

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

-- the closed and deceased dossiers, in INS-C order, without reading the others
CREATE INDEX dossier_closed ON dossier (ins_c) WHERE state IN ('closed', 'deceased');
-- version rows by age, keyset order of purge_versions()
CREATE INDEX document_version_generated ON document_version (generated_at, ins_c, version);

-- The day before which claims are out of every window (+ margin).
CREATE FUNCTION purge_cutoff(as_of timestamptz, margin_months int) RETURNS date
LANGUAGE plpgsql STABLE SET search_path = dmpremb, pg_temp AS $$
BEGIN
    IF as_of IS NULL OR as_of > now() + interval '1 day' THEN
        RAISE EXCEPTION 'purge: the as-of must not be in the future' USING ERRCODE = '22023';
    END IF;
    IF margin_months IS NULL OR margin_months < 0 THEN
        RAISE EXCEPTION 'purge: the margin must be zero or more months' USING ERRCODE = '22023';
    END IF;
    RETURN ((as_of AT TIME ZONE 'Europe/Paris')::date - make_interval(months => 24 + margin_months))::date;
END $$;

-- The claim_line partitions whose whole range [range_from, range_to) lies
-- before the cutoff, oldest first, with their row estimate (the planner's
-- statistics; an exact count for a partition never analysed).
CREATE FUNCTION purge_partitions(as_of timestamptz, margin_months int)
RETURNS TABLE (partition_name text, range_from date, range_to date, est_rows bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    cutoff date := purge_cutoff(as_of, margin_months);
    p record;
    m text[];
BEGIN
    FOR p IN SELECT c.relname, c.reltuples, pg_get_expr(c.relpartbound, c.oid) AS bound
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'dmpremb.claim_line'::regclass LOOP
        m := regexp_match(p.bound, '^FOR VALUES FROM \(''([0-9-]+)''\) TO \(''([0-9-]+)''\)$');
        CONTINUE WHEN m IS NULL;           -- a DEFAULT or MINVALUE/MAXVALUE partition: never
        CONTINUE WHEN m[2]::date > cutoff;
        partition_name := p.relname;
        range_from := m[1]::date;
        range_to := m[2]::date;
        IF p.reltuples >= 0 THEN
            est_rows := p.reltuples::bigint;
        ELSE
            EXECUTE format('SELECT count(*) FROM dmpremb.%I', p.relname) INTO est_rows;
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;

-- Drops one partition if, and only if, purge_partitions() lists it; returns
-- its row estimate (NULL: nothing to drop, e.g. dropped by an earlier run).
-- The caller sets lock_timeout: the DROP needs claim_line to itself.
CREATE FUNCTION purge_drop_partition(part text, as_of timestamptz, margin_months int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    SELECT p.est_rows INTO n FROM purge_partitions(as_of, margin_months) p WHERE p.partition_name = part;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    EXECUTE format('DROP TABLE dmpremb.%I', part);
    RETURN n;
END $$;

-- Hospital stays that ended before the cutoff (at most max_rows of them).
-- SOR_DAT is never before ENT_DAT (validation), so they are among the stays
-- admitted before the cutoff: a range of the index on ent_dat.
CREATE FUNCTION purge_old_stays(as_of timestamptz, margin_months int, max_rows int, dry boolean)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    cutoff date := purge_cutoff(as_of, margin_months);
    n bigint;
BEGIN
    IF dry THEN
        SELECT count(*) INTO n FROM hospital_stay s
         WHERE s.ent_dat < cutoff AND coalesce(s.sor_dat, s.ent_dat) < cutoff;
        RETURN n;
    END IF;
    WITH gone AS (
        DELETE FROM hospital_stay s
         WHERE (s.ins_c, s.eta_num, s.rsa_num) IN
               (SELECT o.ins_c, o.eta_num, o.rsa_num FROM hospital_stay o
                 WHERE o.ent_dat < cutoff AND coalesce(o.sor_dat, o.ent_dat) < cutoff LIMIT max_rows)
        RETURNING 1)
    SELECT count(*) INTO n FROM gone;
    RETURN n;
END $$;

-- as_of - age, once the as-of (not in the future) and the age (a day at
-- least: nothing goes on the day it was made) are checked.
CREATE FUNCTION purge_before(as_of timestamptz, age interval) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = dmpremb, pg_temp AS $$
BEGIN
    PERFORM purge_cutoff(as_of, 0);
    IF age IS NULL OR age < interval '1 day' THEN
        RAISE EXCEPTION 'purge: ages are one day at least' USING ERRCODE = '22023';
    END IF;
    RETURN as_of - age;
END $$;

-- Pre-aggregated claim counts (dmpremb.claim_stat, when the analytics
-- migration made it) of the processing months whose partition goes.
CREATE FUNCTION purge_claim_stat(as_of timestamptz, margin_months int, dry boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    -- the months of the partitions that go: those before the cutoff's month
    first_kept date := date_trunc('month', purge_cutoff(as_of, margin_months))::date;
    n bigint;
BEGIN
    IF to_regclass('dmpremb.claim_stat') IS NULL THEN
        RETURN 0;
    END IF;
    IF dry THEN
        EXECUTE 'SELECT count(*) FROM dmpremb.claim_stat WHERE flx_month < $1' INTO n USING first_kept;
    ELSE
        EXECUTE 'WITH gone AS (DELETE FROM dmpremb.claim_stat WHERE flx_month < $1 RETURNING 1)'
                ' SELECT count(*) FROM gone' INTO n USING first_kept;
    END IF;
    RETURN n;
END $$;

-- The claims of closed (past the grace) and deceased dossiers: one slice of
-- at most max_dossiers such dossiers after INS-C `after` (NULL: from the
-- start); last_ins_c is where the next slice starts (NULL: done). Every
-- delete is an index probe by INS-C, the first column of each primary key.
-- A dossier the last complete purge (run with outcome ok) already purged is
-- only swept for lines that arrived since: the partitions from that purge's
-- as-of - margin on. Others (closed or deceased since, or reactivated and
-- closed again) lose their lines in every partition and all their stays.
-- The dossier rows are locked (FOR SHARE) and their state re-checked, so a
-- reactivation being imported is waited for, never raced.
CREATE FUNCTION purge_closed_claims(as_of timestamptz, grace_days int, margin_months int, after text,
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

    IF dry THEN
        SELECT array_agg(d.ins_c ORDER BY d.ins_c) INTO slice FROM (
            SELECT d.ins_c FROM dossier d
             WHERE d.state IN ('closed', 'deceased') AND d.ins_c > coalesce(after, '')
             ORDER BY d.ins_c LIMIT max_dossiers) d;
    ELSE
        SELECT array_agg(d.ins_c ORDER BY d.ins_c) INTO slice FROM (
            SELECT d.ins_c FROM dossier d
             WHERE d.state IN ('closed', 'deceased') AND d.ins_c > coalesce(after, '')
             ORDER BY d.ins_c LIMIT max_dossiers FOR SHARE) d;
    END IF;
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
        SELECT count(*) INTO n FROM claim_line l WHERE l.ins_c = ANY(recent) AND l.flx_trt_dtd >= sweep_from;
        claim_lines := claim_lines + n;
        SELECT count(*) INTO stays FROM hospital_stay s WHERE s.ins_c = ANY(whole || recent);
    ELSE
        WITH gone AS (DELETE FROM claim_line l WHERE l.ins_c = ANY(whole) RETURNING 1)
        SELECT count(*) INTO n FROM gone;
        claim_lines := n;
        WITH gone AS (DELETE FROM claim_line l WHERE l.ins_c = ANY(recent) AND l.flx_trt_dtd >= sweep_from
                      RETURNING 1)
        SELECT count(*) INTO n FROM gone;
        claim_lines := claim_lines + n;
        WITH gone AS (DELETE FROM hospital_stay s WHERE s.ins_c = ANY(whole || recent) RETURNING 1)
        SELECT count(*) INTO stays FROM gone;
    END IF;
    RETURN NEXT;
END $$;

-- Version metadata: a row goes when it was generated more than keep_months
-- before the as-of and a later version of the dossier exists (the current
-- version's row always stays: the next feed numbers from it). One slice of
-- at most max_rows old rows in (generated_at, ins_c, version) order after
-- the given key; the next key comes back (NULL: done). The dry run counts
-- every row that would go in one statement. document and trace are never
-- touched.
CREATE FUNCTION purge_versions(as_of timestamptz, keep_months int, after_at timestamptz, after_ins text,
                               after_ver int, max_rows int, dry boolean)
RETURNS TABLE (deleted bigint, next_at timestamptz, next_ins text, next_ver int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    cut timestamptz;
BEGIN
    cut := purge_before(as_of, make_interval(months => keep_months));
    IF dry THEN
        RETURN QUERY SELECT count(*), NULL::timestamptz, NULL::text, NULL::int FROM document_version o
         WHERE o.generated_at < cut
           AND EXISTS (SELECT 1 FROM document_version n WHERE n.ins_c = o.ins_c AND n.version > o.version);
        RETURN;
    END IF;
    RETURN QUERY
    WITH s AS (
        SELECT o.generated_at, o.ins_c, o.version FROM document_version o
         WHERE o.generated_at < cut
           AND (o.generated_at, o.ins_c, o.version)
               > (coalesce(after_at, '-infinity'), coalesce(after_ins, ''), coalesce(after_ver, 0))
         ORDER BY o.generated_at, o.ins_c, o.version LIMIT max_rows),
    gone AS (
        DELETE FROM document_version v USING s
         WHERE v.ins_c = s.ins_c AND v.version = s.version
           AND EXISTS (SELECT 1 FROM document_version n WHERE n.ins_c = v.ins_c AND n.version > v.version)
        RETURNING 1),
    k AS (SELECT s.generated_at, s.ins_c, s.version FROM s ORDER BY 1 DESC, 2 DESC, 3 DESC LIMIT 1)
    SELECT (SELECT count(*) FROM gone), k.generated_at, k.ins_c, k.version
      FROM (SELECT 1) one LEFT JOIN k ON true;
END $$;

-- Rejected lines of batches received more than keep_days before the as-of
-- (at most max_rows); the batch and its per-file counts stay.
CREATE FUNCTION purge_rejects(as_of timestamptz, keep_days int, max_rows int, dry boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    cut timestamptz;
    n bigint;
BEGIN
    cut := purge_before(as_of, make_interval(days => keep_days));
    IF dry THEN
        SELECT count(*) INTO n FROM batch b JOIN reject r USING (batch_id) WHERE b.received_at < cut;
        RETURN n;
    END IF;
    WITH gone AS (
        DELETE FROM reject x
         WHERE (x.batch_id, x.file_name, x.line_no) IN
               (SELECT r.batch_id, r.file_name, r.line_no FROM batch b JOIN reject r USING (batch_id)
                 WHERE b.received_at < cut LIMIT max_rows)
        RETURNING 1)
    SELECT count(*) INTO n FROM gone;
    RETURN n;
END $$;

-- Work lists of backfills last active (the run and every run that resumed
-- it: ended, or started when it never ended) more than keep_days before the
-- as-of (at most max_rows items).
CREATE FUNCTION purge_backfill_lists(as_of timestamptz, keep_days int, max_rows int, dry boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    cut timestamptz;
    lists bigint[];
    n bigint;
BEGIN
    cut := purge_before(as_of, make_interval(days => keep_days));
    SELECT array_agg(r.run_id) INTO lists FROM run r
     WHERE r.command = 'backfill'
       AND greatest(coalesce(r.ended_at, r.started_at),
                    (SELECT max(coalesce(x.ended_at, x.started_at)) FROM run x
                      WHERE x.command = 'backfill' AND x.options->>'resume' = r.run_id::text)) < cut;
    IF dry THEN
        SELECT count(*) INTO n FROM backfill_item i WHERE i.run_id = ANY(lists);
        RETURN n;
    END IF;
    WITH gone AS (
        DELETE FROM backfill_item x
         WHERE (x.run_id, x.seq) IN (SELECT i.run_id, i.seq FROM backfill_item i
                                      WHERE i.run_id = ANY(lists) LIMIT max_rows)
        RETURNING 1)
    SELECT count(*) INTO n FROM gone;
    RETURN n;
END $$;

-- dmpremb_ingest alone may call them (purge_before is theirs only): 004's
-- default privileges give PUBLIC no EXECUTE on the owner's functions
GRANT EXECUTE ON FUNCTION purge_cutoff(timestamptz, int), purge_partitions(timestamptz, int),
    purge_drop_partition(text, timestamptz, int), purge_old_stays(timestamptz, int, int, boolean),
    purge_claim_stat(timestamptz, int, boolean),
    purge_closed_claims(timestamptz, int, int, text, int, boolean),
    purge_versions(timestamptz, int, timestamptz, text, int, int, boolean),
    purge_rejects(timestamptz, int, int, boolean), purge_backfill_lists(timestamptz, int, int, boolean)
    TO dmpremb_ingest;
