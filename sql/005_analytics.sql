-- sql/005_analytics.sql — figures for analysts, never who the patients are.
--
-- Schema `analytics` holds what dmpremb_analyst may read, and only that: views
-- and materialised views, each with a comment saying which question it
-- answers and how fresh it is (analytics.freshness lists them all). The
-- analyst has no right on schema dmpremb. Design: docs/analytics.md.
--   claim lines   dmpremb.claim_stat, counted by the ingest merge in the
--                 transaction that stores the lines (load/batch_merge.c):
--                 no analyst query reads claim_line
--   dossiers,     materialised views recomputed by dmpremb.analytics_refresh(),
--   documents,    which ingest, dossiers import, feed and backfill call at
--   top codes     the end of their run
--   batches, runs plain views over small tables: always current
--   one dossier   analytics.dossier_feed, keyed by a pseudonym: HMAC-SHA256 of
--                 the INS-C under a random key drawn here, which only
--                 dmpremb_owner can read (schema analytics_private)
-- Top codes show a count below 10 as NULL (statistical secrecy).

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

CREATE SCHEMA analytics;
CREATE SCHEMA analytics_private;
COMMENT ON SCHEMA analytics IS 'What dmpremb_analyst reads: aggregate figures and pseudonymous dossiers, no identifier (docs/analytics.md).';
COMMENT ON SCHEMA analytics_private IS 'dmpremb_owner only: the pseudonym key and pseudonyms, refresh bookkeeping, pgcrypto.';
GRANT USAGE ON SCHEMA analytics TO dmpremb_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE dmpremb_owner IN SCHEMA analytics GRANT SELECT ON TABLES TO dmpremb_analyst;

-- pgcrypto (trusted: the owner may create it) in a schema no one else uses;
-- a database that already has it keeps it where it is.
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA analytics_private;

--------------------------------------------------------------------------------
-- Claim lines by processing month, care month and code, as loaded.

CREATE TABLE claim_stat (
    flx_month   date NOT NULL,
    care_month  date NOT NULL,
    domain      "char" NOT NULL CHECK (domain IN ('P', 'A', 'R', 'B', 'H')),
    code_kind   text NOT NULL CHECK (code_kind IN ('cip13', 'lpp', 'ccam', 'ngap', 'nabm', 'ghm', 'none')),
    code        text NOT NULL,
    atc         text NOT NULL,
    lines       bigint NOT NULL CHECK (lines > 0),
    PRIMARY KEY (flx_month, care_month, domain, code_kind, code, atc)
);
COMMENT ON TABLE claim_stat IS 'Claim lines and hospital stays loaded, counted by the ingest merge in the transaction that stores them. Counts of lines received, never reduced: a deleted dossier or a purge of old partitions removes lines, not their counts (the purge deletes the rows of the months it drops).';
COMMENT ON COLUMN claim_stat.flx_month IS 'First day of the month of FLX_TRT_DTD (the claim_line partition); for a stay, of ENT_DAT.';
COMMENT ON COLUMN claim_stat.care_month IS 'First day of the month of EXE_SOI_DTD; for a stay, of ENT_DAT.';
COMMENT ON COLUMN claim_stat.domain IS 'P pharmacie, A actes, R radiologie, B biologie, H hospital stays.';
COMMENT ON COLUMN claim_stat.code_kind IS 'cip13 or lpp (P), ccam or else ngap (PRS_NAT_REF) (A, R), nabm (B), ghm (H); none: no code.';
COMMENT ON COLUMN claim_stat.code IS 'The code the document shows (CCAM on 7 characters, NABM and PRS_NAT_REF as integers); empty when none.';
COMMENT ON COLUMN claim_stat.atc IS 'PHA_ATC_C07 of pharmacy lines; empty when none.';
GRANT SELECT, INSERT, UPDATE ON claim_stat TO dmpremb_ingest;

-- The code a claim line is counted under: the section's code as the document
-- picks it (transform/build.c, classify()). Inlined by the planner.
CREATE FUNCTION claim_stat_code(domain "char", pha_prs_c13 text, tip_prs_ide text, cam_prs_ide text,
                                prs_nat_ref int, bio_prs_ide int)
RETURNS TABLE (code_kind text, code text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN domain = 'P' AND pha_prs_c13 IS NOT NULL THEN 'cip13'
                WHEN domain = 'P' AND tip_prs_ide IS NOT NULL THEN 'lpp'
                WHEN domain IN ('A', 'R') AND cam_prs_ide IS NOT NULL THEN 'ccam'
                WHEN domain IN ('A', 'R') AND prs_nat_ref IS NOT NULL THEN 'ngap'
                WHEN domain = 'B' AND bio_prs_ide IS NOT NULL THEN 'nabm' ELSE 'none' END,
           coalesce(CASE domain WHEN 'P' THEN coalesce(pha_prs_c13, tip_prs_ide)
                                WHEN 'B' THEN bio_prs_ide::text
                                ELSE coalesce(cam_prs_ide, prs_nat_ref::text) END, '')
$$;
GRANT EXECUTE ON FUNCTION claim_stat_code("char", text, text, text, int, int) TO dmpremb_ingest;

-- The lines already stored when this migration runs (one pass over each
-- table); from now on the ingest merge adds those it loads.
INSERT INTO claim_stat (flx_month, care_month, domain, code_kind, code, atc, lines)
SELECT date_trunc('month', l.flx)::date, date_trunc('month', l.care)::date, l.domain, l.code_kind, l.code, l.atc,
       count(*)
  FROM (SELECT c.flx_trt_dtd AS flx, c.exe_soi_dtd AS care, c.domain, k.code_kind, k.code,
               coalesce(c.pha_atc_c07, '') AS atc
          FROM claim_line c
         CROSS JOIN LATERAL claim_stat_code(c.domain, c.pha_prs_c13, c.tip_prs_ide, c.cam_prs_ide,
                                            c.prs_nat_ref, c.bio_prs_ide) k
        UNION ALL
        SELECT ent_dat, ent_dat, 'H', 'ghm', grg_ghm, '' FROM hospital_stay) l
 GROUP BY 1, 2, 3, 4, 5, 6;

--------------------------------------------------------------------------------
-- Pseudonyms: HMAC-SHA256 of the INS-C under a key drawn once, here. Only the
-- owner reads the key, the INS-C -> pseudonym table and may compute one: an
-- analyst never calls the HMAC with an input of their choice (no linkage).

CREATE TABLE analytics_private.pseudonym_key (
    only_one   boolean PRIMARY KEY DEFAULT true CHECK (only_one),
    hmac_key   bytea NOT NULL CHECK (octet_length(hmac_key) >= 32),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE analytics_private.dossier_pseudonym (
    ins_c      text PRIMARY KEY,
    pseudonym  text NOT NULL
);
COMMENT ON TABLE analytics_private.dossier_pseudonym IS 'Pseudonym of every dossier not deleted: hex HMAC-SHA256(INS-C, pseudonym_key). Changing the key changes every pseudonym.';

-- The pseudonym of an INS-C: owner only (no EXECUTE for anyone else, in a
-- schema no one else may use). It finds pgcrypto wherever it is.
DO $$
DECLARE
    crypto text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname = 'pgcrypto');
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION analytics_private.pseudonym(ins_c text, hmac_key bytea) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, %I AS
        'SELECT encode(hmac(convert_to(ins_c, ''UTF8''), hmac_key, ''sha256''), ''hex'')'$f$, crypto);
    EXECUTE format('INSERT INTO analytics_private.pseudonym_key (hmac_key) VALUES (%I.gen_random_bytes(32))', crypto);
END $$;
INSERT INTO analytics_private.dossier_pseudonym (ins_c, pseudonym)
SELECT d.ins_c, analytics_private.pseudonym(d.ins_c, k.hmac_key)
  FROM dossier d CROSS JOIN analytics_private.pseudonym_key k WHERE d.state <> 'deleted';

-- Triggers (SECURITY DEFINER: whoever writes dossier) keep the table in step.
CREATE FUNCTION analytics_private.pseudonym_new_dossiers() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO analytics_private.dossier_pseudonym (ins_c, pseudonym)
    SELECT n.ins_c, analytics_private.pseudonym(n.ins_c, k.hmac_key)
      FROM new_dossiers n CROSS JOIN analytics_private.pseudonym_key k
     WHERE n.state <> 'deleted'
    ON CONFLICT (ins_c) DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION analytics_private.pseudonym_deleted_dossier() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM analytics_private.dossier_pseudonym WHERE ins_c = OLD.ins_c;
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_pseudonym_new AFTER INSERT ON dossier
    REFERENCING NEW TABLE AS new_dossiers FOR EACH STATEMENT
    EXECUTE FUNCTION analytics_private.pseudonym_new_dossiers();
CREATE TRIGGER dossier_pseudonym_deleted AFTER UPDATE OF state ON dossier
    FOR EACH ROW WHEN (NEW.state = 'deleted' AND OLD.state <> 'deleted')
    EXECUTE FUNCTION analytics_private.pseudonym_deleted_dossier();
CREATE TRIGGER dossier_pseudonym_gone AFTER DELETE ON dossier
    FOR EACH ROW EXECUTE FUNCTION analytics_private.pseudonym_deleted_dossier();

--------------------------------------------------------------------------------
-- Refresh bookkeeping.

CREATE TABLE analytics_private.refreshed (
    relation      text PRIMARY KEY,
    refreshed_at  timestamptz NOT NULL,   -- when the refresh began: it saw every commit before
    as_of         timestamptz NOT NULL,   -- the instant its figures are computed for
    seconds       double precision NOT NULL
);

-- The as-of instant of a refresh (see analytics_refresh), else now.
CREATE FUNCTION analytics_private.as_of() RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog AS
$$ SELECT coalesce(nullif(current_setting('dmpremb.analytics_as_of', true), '')::timestamptz, now()) $$;

--------------------------------------------------------------------------------
-- 1. The 72-hour promise, by day.

CREATE MATERIALIZED VIEW analytics.first_feed_sla AS
WITH d AS (
    -- fed: a first feed at or after due_at (an older first_fed_at is from
    -- before a reactivation, or a listed feed ahead of due_at)
    SELECT (x.due_at AT TIME ZONE 'Europe/Paris')::date AS day,
           NOT coalesce(x.first_fed_at >= x.due_at, false) AS not_fed,
           x.state = 'open' AND NOT x.opposition AS feedable,
           x.due_at < analytics_private.as_of() - interval '72 hours' AS clock_out,
           CASE WHEN x.first_fed_at >= x.due_at
                THEN extract(epoch FROM x.first_fed_at - x.due_at) / 3600 END AS hours
      FROM dmpremb.dossier x
     WHERE x.due_at IS NOT NULL)
SELECT day,
       count(*) AS dossiers,
       count(*) FILTER (WHERE hours <= 72) AS fed_within_72h,
       count(*) FILTER (WHERE hours > 72) AS fed_late,
       count(*) FILTER (WHERE not_fed) AS not_fed,
       count(*) FILTER (WHERE not_fed AND feedable AND clock_out) AS not_fed_overdue,
       count(*) FILTER (WHERE not_fed AND NOT feedable) AS not_fed_stopped,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 1) AS median_hours,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY hours)::numeric, 1) AS p95_hours
  FROM d
 GROUP BY day;
CREATE UNIQUE INDEX ON analytics.first_feed_sla (day);
COMMENT ON MATERIALIZED VIEW analytics.first_feed_sla IS
'Is the 72-hour promise kept? One row per Europe/Paris day of dossier.due_at: the creation instant, or the reactivation / objection lifting that restarted the 72-hour clock (a dossier counts once, on the day of its latest start; deleted dossiers are not counted). dossiers = fed_within_72h + fed_late + not_fed; not_fed_overdue: open, no objection, waiting over 72 h at the refresh''s as_of; not_fed_stopped: closed, deceased or under objection before its first feed. Hours = first_fed_at - due_at, over the fed dossiers. Fresh as of the last dossiers import, feed or backfill (analytics.freshness).';

-- 2. The weekly refresh.

CREATE MATERIALIZED VIEW analytics.refresh_compliance AS
WITH d AS (
    SELECT x.last_fed_at IS NULL AS never,
           floor(extract(epoch FROM analytics_private.as_of() - x.last_fed_at) / 86400) AS days
      FROM dmpremb.dossier x
     WHERE x.state = 'open' AND NOT x.opposition)
SELECT analytics_private.as_of() AS as_of,
       count(*) AS open_dossiers,
       count(*) FILTER (WHERE days <= 7) AS fed_0_7_days_ago,
       count(*) FILTER (WHERE days BETWEEN 8 AND 14) AS fed_8_14_days_ago,
       count(*) FILTER (WHERE days > 14) AS fed_over_14_days_ago,
       count(*) FILTER (WHERE never) AS never_fed
  FROM d;
CREATE UNIQUE INDEX ON analytics.refresh_compliance (as_of);
COMMENT ON MATERIALIZED VIEW analytics.refresh_compliance IS
'Is the weekly refresh kept? Open dossiers without objection by whole days since their last feed at as_of: 0-7 (on time), 8-14 (a refresh missed), over 14, never fed. One row. Fresh as of the last dossiers import, feed or backfill (analytics.freshness).';

-- 3. Volumes: claim lines (live), documents (refreshed).

CREATE VIEW analytics.claim_volume AS
SELECT s.flx_month AS processing_month, s.care_month,
       CASE s.domain WHEN 'P' THEN 'pharmacie' WHEN 'A' THEN 'actes' WHEN 'R' THEN 'radiologie'
                     WHEN 'B' THEN 'biologie' WHEN 'H' THEN 'hospitalisation' END AS domain,
       CASE WHEN s.code_kind = 'none' THEN NULL
            WHEN s.domain = 'P' AND s.code_kind = 'lpp' THEN 'Dispositifs médicaux'
            WHEN s.domain = 'P' AND s.atc LIKE 'J07%' THEN 'Vaccinations'
            WHEN s.domain = 'P' THEN 'Médicaments'
            WHEN s.domain = 'A' THEN 'Soins médicaux et dentaires'
            WHEN s.domain = 'R' THEN 'Radiologie'
            WHEN s.domain = 'B' THEN 'Biologie'
            ELSE 'Hospitalisations' END AS section,
       sum(s.lines) AS lines
  FROM dmpremb.claim_stat s
 GROUP BY 1, 2, 3, 4;
COMMENT ON VIEW analytics.claim_volume IS
'How many claim lines and stays came in, and for which sections and months of care? By processing month (FLX_TRT_DTD; ENT_DAT for stays), month of care (EXE_SOI_DTD; ENT_DAT), extract file and document section (NULL: a line without code, which no document shows). Lines loaded (no duplicate, filtered or rejected line), never reduced by a deletion or a purge of claims. Live: counted in the transaction that loads them.';

CREATE MATERIALIZED VIEW analytics.document_section AS
SELECT s.section_no, s.section,
       count(r.n) FILTER (WHERE r.n > 0) AS documents_with_rows,
       count(r.n) FILTER (WHERE r.n = 0) AS documents_empty,
       coalesce(sum(r.n), 0) AS rows_shown
  FROM (VALUES (1, 'Médicaments'), (2, 'Vaccinations'), (3, 'Dispositifs médicaux'), (4, 'Hospitalisations'),
               (5, 'Soins médicaux et dentaires'), (6, 'Radiologie'), (7, 'Biologie')) AS s (section_no, section)
  LEFT JOIN (SELECT u.n, u.i FROM dmpremb.document d
               CROSS JOIN LATERAL unnest(d.section_rows) WITH ORDINALITY AS u (n, i)) r ON r.i = s.section_no
 GROUP BY s.section_no, s.section;
CREATE UNIQUE INDEX ON analytics.document_section (section_no);
COMMENT ON MATERIALIZED VIEW analytics.document_section IS
'What do the current documents show? For each section with rows (in the document''s order): documents with rows in it, documents where it is empty, rows shown. Fresh as of the last feed or backfill (analytics.freshness).';

CREATE MATERIALIZED VIEW analytics.document_size AS
SELECT b.low AS bytes_from, 2 * b.low AS bytes_below, count(*) AS documents, sum(d.bytes) AS total_bytes
  FROM dmpremb.document d
 CROSS JOIN LATERAL (SELECT (1::bigint << (length(ltrim(greatest(d.bytes, 1)::bit(32)::text, '0')) - 1)) AS low) b
 GROUP BY b.low;
CREATE UNIQUE INDEX ON analytics.document_size (bytes_from);
COMMENT ON MATERIALIZED VIEW analytics.document_size IS
'How big are the current documents? Counts by power-of-two size class [bytes_from, bytes_below) of the XML in bytes. Fresh as of the last feed or backfill (analytics.freshness).';

-- 4. Most frequent codes over the 24-month window, with small counts hidden.

CREATE MATERIALIZED VIEW analytics.top_code AS
WITH w AS (
    SELECT date_trunc('month', (analytics_private.as_of() AT TIME ZONE 'Europe/Paris')::date
                               - interval '24 months')::date AS lo,
           (analytics_private.as_of() AT TIME ZONE 'Europe/Paris')::date AS hi),
c AS (
    SELECT s.code_kind AS kind, s.code, s.atc, sum(s.lines) AS lines
      FROM dmpremb.claim_stat s CROSS JOIN w
     WHERE s.care_month BETWEEN w.lo AND w.hi AND s.code_kind <> 'none'
     GROUP BY 1, 2, 3),
k AS (
    SELECT kind, code, sum(lines) AS lines,
           (array_agg(nullif(atc, '') ORDER BY lines DESC, atc))[1] AS atc
      FROM c GROUP BY kind, code)
SELECT k.kind, k.code,
       CASE k.kind WHEN 'cip13' THEN cis.denomination WHEN 'lpp' THEN lpp.lpp_red_lib
                   WHEN 'ccam' THEN ccam.cam_prs_ide_lib WHEN 'ngap' THEN nat.prs_nat_lib
                   WHEN 'nabm' THEN bio.bio_inf_lib WHEN 'ghm' THEN ghm.ghm_lib END AS label,
       k.atc, left(k.atc, 3) AS atc_group,
       -- statistical secrecy: a count below 10 is not shown, nor its rank
       CASE WHEN k.lines >= 10 THEN k.lines END AS lines,
       CASE WHEN k.lines >= 10 THEN rank() OVER (PARTITION BY k.kind, k.lines >= 10 ORDER BY k.lines DESC) END
           AS rank_in_kind
  FROM k
  LEFT JOIN dmpremb.ref_bdpm_cip cip ON k.kind = 'cip13' AND cip.cip13 = k.code
  LEFT JOIN dmpremb.ref_bdpm_cis cis ON cis.cis = cip.cis
  LEFT JOIN dmpremb.ref_nt_lpp lpp ON k.kind = 'lpp' AND lpp.lpp_prs_ide = k.code
  LEFT JOIN dmpremb.ref_ir_ccam ccam ON k.kind = 'ccam' AND ccam.cam_prs_ide_cod = k.code
  LEFT JOIN dmpremb.ref_ir_nat_v nat ON k.kind = 'ngap' AND nat.prs_nat::text = k.code
  LEFT JOIN dmpremb.ref_ir_bio_r bio ON k.kind = 'nabm' AND bio.bio_prs_ide::text = k.code
  LEFT JOIN dmpremb.ref_ms_gm9_v ghm ON k.kind = 'ghm' AND ghm.gm9_ghm_cod = k.code;
CREATE UNIQUE INDEX ON analytics.top_code (kind, code);
COMMENT ON MATERIALIZED VIEW analytics.top_code IS
'Which drugs (cip13, BDPM name, ATC and its level-3 group), devices (lpp), acts (ccam; ngap: PRS_NAT_REF), biology (nabm) and stays (ghm) are the most frequent? Claim lines loaded with a month of care from the month 24 months before as_of to as_of''s month (Europe/Paris). Statistical secrecy: lines and rank_in_kind are NULL when the code has fewer than 10 lines. Fresh as of the last ingest (analytics.freshness).';

-- 5. Ingest quality (live).

CREATE VIEW analytics.ingest_file AS
SELECT b.batch_id, b.label AS batch_label, b.status AS batch_status, b.forced, b.received_at, b.applied_at,
       f.file_name AS file, f.encoding, f.bytes, f.lines_read, f.loaded, f.duplicate, f.filtered, f.rejected,
       round(f.rejected::numeric / nullif(f.lines_read, 0), 4) AS reject_ratio
  FROM dmpremb.batch b JOIN dmpremb.batch_file f USING (batch_id);
COMMENT ON VIEW analytics.ingest_file IS
'What happened to each file of each batch? Lines read = loaded + duplicate + filtered + rejected (a refused batch keeps its report; nothing of it was loaded). Live.';

CREATE VIEW analytics.ingest_reason AS
SELECT f.batch_id, f.file_name AS file, 'filtered'::text AS outcome, r.key AS reason_code, r.value::bigint AS lines
  FROM dmpremb.batch_file f CROSS JOIN LATERAL jsonb_each_text(f.filtered_by_rule) r
UNION ALL
SELECT f.batch_id, f.file_name, 'rejected', r.key, r.value::bigint
  FROM dmpremb.batch_file f CROSS JOIN LATERAL jsonb_each_text(f.rejected_by_reason) r;
COMMENT ON VIEW analytics.ingest_reason IS
'Why were lines filtered or rejected? Lines per batch, file, outcome and rule (DPN_QLF_71, GHM_ERREUR, GHS_9999, DOSSIER_SUPPRIME) or reason code (docs/validation.md). Live.';

-- 6. Runs (live).

CREATE VIEW analytics.run_history AS
SELECT r.run_id, r.command, r.started_at, r.ended_at,
       round(extract(epoch FROM r.ended_at - r.started_at)::numeric, 3) AS seconds,
       r.outcome, r.exit_code,
       (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(r.counts) e
         WHERE jsonb_typeof(e.value) = 'number') AS counts,
       round(n.lines_read / nullif(extract(epoch FROM r.ended_at - r.started_at)::numeric, 0), 1)
           AS lines_read_per_second,
       round(n.documents / nullif(extract(epoch FROM r.ended_at - r.started_at)::numeric, 0), 1)
           AS documents_per_second
  FROM dmpremb.run r
 CROSS JOIN LATERAL (
    SELECT CASE WHEN r.command IN ('ingest', 'dossiers-import') AND jsonb_typeof(r.counts -> 'read') = 'number'
                THEN (r.counts ->> 'read')::numeric END AS lines_read,
           CASE WHEN jsonb_typeof(r.counts -> 'documents') = 'number'
                THEN (r.counts ->> 'documents')::numeric END AS documents) n;
COMMENT ON VIEW analytics.run_history IS
'How long do runs take, how do they end, how fast do they go? Every dmpremb run: duration, outcome, exit status, its numeric counts (JSON), lines read per second (ingest: batch lines; dossiers-import: event lines) and documents per second (feed, backfill). Live.';

-- One dossier per row, under its pseudonym (live).

CREATE VIEW analytics.dossier_feed WITH (security_barrier) AS
SELECT p.pseudonym, d.state, d.opposition AS objection,
       (d.due_at AT TIME ZONE 'Europe/Paris')::date AS due_day,
       CASE WHEN d.first_fed_at >= d.due_at
            THEN round((extract(epoch FROM d.first_fed_at - d.due_at) / 3600)::numeric, 1) END
           AS hours_to_first_feed,
       floor(extract(epoch FROM now() - d.last_fed_at) / 86400)::int AS days_since_last_feed,
       doc.version AS document_version, doc.bytes AS document_bytes
  FROM dmpremb.dossier d
  JOIN analytics_private.dossier_pseudonym p ON p.ins_c = d.ins_c
  LEFT JOIN dmpremb.document doc ON doc.ins_c = d.ins_c
 WHERE d.state <> 'deleted';
COMMENT ON VIEW analytics.dossier_feed IS
'How is each dossier served? Each dossier not deleted, under a pseudonym (stable, keyed HMAC of its identifier: it can follow a dossier over time, never name it): state, objection, Europe/Paris day of due_at (latest creation / reactivation / objection lifting), hours from due_at to its first feed since then, whole days since its last feed (now), its current document''s version and size. Live.';

--------------------------------------------------------------------------------
-- Freshness, and the refresh.

CREATE VIEW analytics.freshness AS
SELECT c.relname::text AS relation,
       CASE c.relkind WHEN 'm' THEN 'refreshed' ELSE 'live' END AS kind,
       r.refreshed_at, r.as_of, round(r.seconds::numeric, 3) AS refresh_seconds
  FROM pg_catalog.pg_class c
  LEFT JOIN analytics_private.refreshed r ON r.relation = c.relname
 WHERE c.relnamespace = 'analytics'::regnamespace AND c.relkind IN ('v', 'm');
COMMENT ON VIEW analytics.freshness IS
'How fresh is each view? live: read from the tables at query time; refreshed: computed by the refresh that began at refreshed_at (it saw everything committed before), for the instant as_of. Live.';

-- The materialised views, the group each belongs to, in refresh order.
CREATE TABLE analytics_private.refresh_group (
    relation   text PRIMARY KEY,
    grp        text NOT NULL CHECK (grp IN ('claims', 'dossiers', 'documents')),
    ord        int NOT NULL UNIQUE
);
INSERT INTO analytics_private.refresh_group VALUES
    ('top_code', 'claims', 1), ('first_feed_sla', 'dossiers', 2), ('refresh_compliance', 'dossiers', 3),
    ('document_section', 'documents', 4), ('document_size', 'documents', 5);
INSERT INTO analytics_private.refreshed (relation, refreshed_at, as_of, seconds)
SELECT relation, now(), now(), 0 FROM analytics_private.refresh_group;

-- Recomputes the materialised views of the groups listed in `what` ('claims',
-- 'dossiers', 'documents', comma-separated, or 'all') for the instant as_of
-- (NULL: now), without blocking their readers. Refreshes run one at a time;
-- a view that a refresh begun after this call already computed for as_of or
-- later is not computed again (shards of a feed ending together). Returns
-- how many views it refreshed. Runs as the owner: callers need only EXECUTE.
CREATE FUNCTION analytics_refresh(what text, as_of timestamptz DEFAULT NULL) RETURNS integer
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
GRANT EXECUTE ON FUNCTION analytics_refresh(text, timestamptz) TO dmpremb_ingest, dmpremb_feed;

GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO dmpremb_analyst;
