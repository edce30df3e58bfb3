-- sql/015_small_counts.sql — one small-count rule for every figure an
-- analyst reads, a weekly history of the refresh compliance, and views that
-- come out in a defined order (issue 17 B2, issue 18 "Analyst").
--
-- The rule (docs/analytics.md, "Statistical secrecy"; README, "For analysts"):
--   1. a count of persons, documents or claim lines from 1 to 9 is shown as
--      NULL (0 is shown); so is every figure computed from it (bytes, hours,
--      a rank);
--   2. in every group of counts whose total is shown or can be added up from
--      another view, the hidden counts must add up to 0 or to 10 or more, and
--      not to as many as they are (all 1): when they do not, the smallest
--      count shown in the group is hidden too (secondary suppression);
--   3. the parts of a hidden total are hidden.
-- 1 and 2 are analytics_private.small(), suppress(), needs_second() and
-- suppress_parts(), below, which every view uses.
--
-- The figures refreshed by analytics_refresh() move to analytics_private,
-- raw, where only the owner reads them; schema analytics keeps under the same
-- names plain views over them, which apply the rule and an ORDER BY. So
-- every relation of analytics is a view (`\dv analytics.*` lists them all)
-- and each returns its rows in order.
--
-- dossier_feed, one row per dossier, goes: any row per person lets the
-- analyst count, and undo the rule (GROUP BY due_day gave first_feed_sla's
-- days, small ones included; state and days since the last feed gave
-- refresh_compliance's cells). Analysts get aggregates only; the service of
-- one dossier is the operators' (dossier_sla). The pseudonyms stay, for
-- the render audit (016).

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

-- ---- 1. the rule ----------------------------------------------------------
-- Whether a count is too small to be shown: from 1 to 9.
CREATE FUNCTION analytics_private.small(n bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(n BETWEEN 1 AND 9, false) $$;

-- A count as shown: NULL when small, or when `also` (a secondary suppression).
CREATE FUNCTION analytics_private.suppress(n bigint, also boolean DEFAULT false) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT CASE WHEN analytics_private.small(n) OR coalesce(also, false) THEN NULL ELSE n END $$;

-- Whether a group must hide one more count: its hidden counts add up to
-- hidden_sum (the group's total minus what it shows), small_cells of them
-- being small ones. The sum may be derived from a total: it must not be a
-- small count itself, nor tell that every small count is 1 (or 9).
CREATE FUNCTION analytics_private.needs_second(hidden_sum numeric, small_cells bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT coalesce(analytics_private.small(hidden_sum::bigint)
                   OR (small_cells > 0 AND hidden_sum IN (small_cells, 9 * small_cells)), false) $$;

-- The parts of a total, as shown: all NULL when the total is hidden
-- (total_hidden, or small); else the small parts NULL and, when the group
-- needs it, its smallest part shown besides (parts need not add up to the
-- total: what they leave out counts as hidden).
CREATE FUNCTION analytics_private.suppress_parts(total bigint, parts bigint[], total_hidden boolean DEFAULT false)
RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    shown bigint[] := parts;
    hidden_sum bigint := total;
    small_cells int := 0;
    pick int;
BEGIN
    IF total IS NULL OR total_hidden OR analytics_private.small(total) THEN
        RETURN array_fill(NULL::bigint, ARRAY[cardinality(parts)]);
    END IF;
    FOR i IN 1 .. cardinality(parts) LOOP
        IF analytics_private.small(parts[i]) THEN
            shown[i] := NULL;
            small_cells := small_cells + 1;
        ELSE
            hidden_sum := hidden_sum - coalesce(parts[i], 0);
        END IF;
    END LOOP;
    IF analytics_private.needs_second(hidden_sum, small_cells) THEN
        SELECT i INTO pick FROM generate_subscripts(shown, 1) i
         WHERE shown[i] > 0 ORDER BY shown[i], i LIMIT 1;
        IF pick IS NOT NULL THEN
            shown[pick] := NULL;
        END IF;
    END IF;
    RETURN shown;
END $$;
COMMENT ON FUNCTION analytics_private.small(bigint) IS 'The small-count rule: a count from 1 to 9 is not shown to analysts (sql/015_small_counts.sql).';
COMMENT ON FUNCTION analytics_private.suppress(bigint, boolean) IS 'A count as analysts see it: NULL when small, or when also (secondary suppression).';
COMMENT ON FUNCTION analytics_private.needs_second(numeric, bigint) IS 'Whether a group whose hidden counts add up to hidden_sum must hide one more (its smallest count shown).';
COMMENT ON FUNCTION analytics_private.suppress_parts(bigint, bigint[], boolean) IS 'The parts of a total as analysts see them: the rule, secondary suppression included.';
-- The views call them with the analyst's rights: the schema was looked up
-- when the views were made (the analyst still has no USAGE on it); the three
-- that call small() run as the owner (SECURITY DEFINER), since a function's
-- body is read with its caller's rights. Pure arithmetic on counts.
GRANT EXECUTE ON FUNCTION analytics_private.small(bigint), analytics_private.suppress(bigint, boolean),
    analytics_private.needs_second(numeric, bigint), analytics_private.suppress_parts(bigint, bigint[], boolean)
    TO dmpremb_analyst;

-- ---- 2. the refreshed figures, raw, to the owner's schema ----------------
ALTER MATERIALIZED VIEW analytics.first_feed_sla SET SCHEMA analytics_private;
ALTER MATERIALIZED VIEW analytics.refresh_compliance SET SCHEMA analytics_private;
ALTER MATERIALIZED VIEW analytics.document_section SET SCHEMA analytics_private;
ALTER MATERIALIZED VIEW analytics.document_size SET SCHEMA analytics_private;
-- top_code kept its counts only from 10 lines on: it now keeps them all
DROP MATERIALIZED VIEW analytics.top_code;
CREATE MATERIALIZED VIEW analytics_private.top_code AS
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
    SELECT kind, code, sum(lines)::bigint AS lines,
           (array_agg(nullif(atc, '') ORDER BY lines DESC, atc))[1] AS atc
      FROM c GROUP BY kind, code)
SELECT k.kind, k.code,
       CASE k.kind WHEN 'cip13' THEN cis.denomination WHEN 'lpp' THEN lpp.lpp_red_lib
                   WHEN 'ccam' THEN ccam.cam_prs_ide_lib WHEN 'ngap' THEN nat.prs_nat_lib
                   WHEN 'nabm' THEN bio.bio_inf_lib WHEN 'ghm' THEN ghm.ghm_lib END AS label,
       k.atc, left(k.atc, 3) AS atc_group, k.lines
  FROM k
  LEFT JOIN dmpremb.ref_bdpm_cip cip ON k.kind = 'cip13' AND cip.cip13 = k.code
  LEFT JOIN dmpremb.ref_bdpm_cis cis ON cis.cis = cip.cis
  LEFT JOIN dmpremb.ref_nt_lpp lpp ON k.kind = 'lpp' AND lpp.lpp_prs_ide = k.code
  LEFT JOIN dmpremb.ref_ir_ccam ccam ON k.kind = 'ccam' AND ccam.cam_prs_ide_cod = k.code
  LEFT JOIN dmpremb.ref_ir_nat_v nat ON k.kind = 'ngap' AND nat.prs_nat::text = k.code
  LEFT JOIN dmpremb.ref_ir_bio_r bio ON k.kind = 'nabm' AND bio.bio_prs_ide::text = k.code
  LEFT JOIN dmpremb.ref_ms_gm9_v ghm ON k.kind = 'ghm' AND ghm.gm9_ghm_cod = k.code;
CREATE UNIQUE INDEX ON analytics_private.top_code (kind, code);
REVOKE ALL ON analytics_private.first_feed_sla, analytics_private.refresh_compliance,
    analytics_private.document_section, analytics_private.document_size, analytics_private.top_code
    FROM dmpremb_analyst;
COMMENT ON MATERIALIZED VIEW analytics_private.top_code IS 'Raw figures of analytics.top_code (every count), refreshed by analytics_refresh().';
COMMENT ON MATERIALIZED VIEW analytics_private.first_feed_sla IS 'Raw figures of analytics.first_feed_sla, refreshed by analytics_refresh().';
COMMENT ON MATERIALIZED VIEW analytics_private.refresh_compliance IS 'Raw figures of analytics.refresh_compliance, refreshed by analytics_refresh().';
COMMENT ON MATERIALIZED VIEW analytics_private.document_section IS 'Raw figures of analytics.document_section, refreshed by analytics_refresh().';
COMMENT ON MATERIALIZED VIEW analytics_private.document_size IS 'Raw figures of analytics.document_size, refreshed by analytics_refresh().';

-- The weekly refresh compliance, one row per ISO week (Europe/Paris), the
-- current week's updated by each refresh of refresh_compliance until it ends.
CREATE TABLE analytics_private.refresh_compliance_week (
    week_start            date PRIMARY KEY CHECK (extract(isodow FROM week_start) = 1),
    as_of                 timestamptz NOT NULL,
    open_dossiers         bigint NOT NULL,
    fed_0_7_days_ago      bigint NOT NULL,
    fed_8_14_days_ago     bigint NOT NULL,
    fed_over_14_days_ago  bigint NOT NULL,
    never_fed             bigint NOT NULL
);
COMMENT ON TABLE analytics_private.refresh_compliance_week IS 'Raw figures of analytics.refresh_compliance_week: refresh_compliance at the latest as_of of each ISO week, kept by analytics_refresh().';
INSERT INTO analytics_private.refresh_compliance_week
SELECT date_trunc('week', c.as_of AT TIME ZONE 'Europe/Paris')::date, c.as_of, c.open_dossiers, c.fed_0_7_days_ago,
       c.fed_8_14_days_ago, c.fed_over_14_days_ago, c.never_fed
  FROM analytics_private.refresh_compliance c;
INSERT INTO analytics_private.refreshed (relation, refreshed_at, as_of, seconds)
SELECT 'refresh_compliance_week', r.refreshed_at, r.as_of, r.seconds
  FROM analytics_private.refreshed r WHERE r.relation = 'refresh_compliance';

-- ---- 3. the refresh: the owner's figures, the week kept ------------------
-- 010's analytics_refresh(), refreshing analytics_private's materialised
-- views; after refresh_compliance, its ISO week's row is written (a row of a
-- later as_of is kept).
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
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_private.%I', v);
        INSERT INTO analytics_private.refreshed AS r (relation, refreshed_at, as_of, seconds)
        VALUES (v, t0, t_as_of, extract(epoch FROM clock_timestamp() - t0))
        ON CONFLICT (relation) DO UPDATE
            SET refreshed_at = EXCLUDED.refreshed_at, as_of = EXCLUDED.as_of, seconds = EXCLUDED.seconds;
        IF v = 'refresh_compliance' THEN
            INSERT INTO analytics_private.refresh_compliance_week AS w
            SELECT date_trunc('week', c.as_of AT TIME ZONE 'Europe/Paris')::date, c.as_of, c.open_dossiers,
                   c.fed_0_7_days_ago, c.fed_8_14_days_ago, c.fed_over_14_days_ago, c.never_fed
              FROM analytics_private.refresh_compliance c
            ON CONFLICT (week_start) DO UPDATE
                SET as_of = EXCLUDED.as_of, open_dossiers = EXCLUDED.open_dossiers,
                    fed_0_7_days_ago = EXCLUDED.fed_0_7_days_ago, fed_8_14_days_ago = EXCLUDED.fed_8_14_days_ago,
                    fed_over_14_days_ago = EXCLUDED.fed_over_14_days_ago, never_fed = EXCLUDED.never_fed
                WHERE w.as_of <= EXCLUDED.as_of;
            INSERT INTO analytics_private.refreshed AS r (relation, refreshed_at, as_of, seconds)
            VALUES ('refresh_compliance_week', t0, t_as_of, extract(epoch FROM clock_timestamp() - t0))
            ON CONFLICT (relation) DO UPDATE
                SET refreshed_at = EXCLUDED.refreshed_at, as_of = EXCLUDED.as_of, seconds = EXCLUDED.seconds;
        END IF;
        n := n + 1;
    END LOOP;
    PERFORM set_config('dmpremb.analytics_as_of', '', true);
    RETURN n;
END $$;

-- ---- 4. what analysts read ------------------------------------------------
-- claim_volume (live). Its groups: each processing month's lines of a file
-- (a batch report, analytics.ingest_file, adds them up), each code group's
-- lines in top_code's window (top_code adds them up: CIP13 = Médicaments +
-- Vaccinations, LPP, CCAM + NGAP = acts and radiology, NABM, GHM), each
-- file's lines. Three passes of the rule's second step, one per kind of
-- group: each only hides more.
DROP VIEW analytics.claim_volume;
CREATE VIEW analytics.claim_volume AS
WITH c AS (
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
           sum(s.lines)::bigint AS n
      FROM dmpremb.claim_stat s
     GROUP BY 1, 2, 3, 4),
w AS (
    SELECT date_trunc('month', (r.as_of AT TIME ZONE 'Europe/Paris')::date - interval '24 months')::date AS lo,
           (r.as_of AT TIME ZONE 'Europe/Paris')::date AS hi
      FROM analytics_private.refreshed r WHERE r.relation = 'top_code'),
p0 AS (
    SELECT c.*, analytics_private.small(c.n) AS small, analytics_private.small(c.n) AS hid0,
           CASE WHEN c.section IS NOT NULL AND c.care_month BETWEEN w.lo AND w.hi THEN
                CASE WHEN c.section IN ('Médicaments', 'Vaccinations') THEN 'cip13'
                     WHEN c.section = 'Dispositifs médicaux' THEN 'lpp'
                     WHEN c.domain IN ('actes', 'radiologie') THEN 'ccam, ngap'
                     WHEN c.domain = 'biologie' THEN 'nabm' ELSE 'ghm' END END AS top_group
      FROM c LEFT JOIN w ON true),
p1 AS (  -- a processing month of a file
    SELECT p0.*, hid0 OR (analytics_private.needs_second(sum(n) FILTER (WHERE hid0) OVER g,
                                                         count(*) FILTER (WHERE small) OVER g)
                          AND row_number() OVER (g ORDER BY hid0, n, care_month, section) = 1) AS hid1
      FROM p0 WINDOW g AS (PARTITION BY processing_month, domain)),
p2 AS (  -- a code group of top_code's window
    SELECT p1.*, hid1 OR (top_group IS NOT NULL
                          AND analytics_private.needs_second(sum(n) FILTER (WHERE hid1) OVER g,
                                                             count(*) FILTER (WHERE small) OVER g)
                          AND row_number() OVER (g ORDER BY hid1, n, processing_month, care_month, section) = 1)
               AS hid2
      FROM p1 WINDOW g AS (PARTITION BY top_group)),
p3 AS (  -- a file
    SELECT p2.*, hid2 OR (analytics_private.needs_second(sum(n) FILTER (WHERE hid2) OVER g,
                                                         count(*) FILTER (WHERE small) OVER g)
                          AND row_number() OVER (g ORDER BY hid2, n, processing_month, care_month, section) = 1)
               AS hid3
      FROM p2 WINDOW g AS (PARTITION BY domain))
SELECT processing_month, care_month, domain, section, analytics_private.suppress(n, hid3) AS lines
  FROM p3
 ORDER BY processing_month, care_month, domain, section;

-- top_code: a group is a code kind (CCAM and NGAP together, as claim_volume
-- adds them up in its sections, and the batch report in its files); its
-- total is claim_volume's over the window. A code whose count is hidden is
-- not listed: one row per group adds up the hidden counts (code NULL), so
-- that no one learns how many codes are hidden, hence never that each of
-- them has 1 line; that row is hidden when small.
CREATE VIEW analytics.top_code AS
WITH c AS (
    SELECT t.*, CASE WHEN t.kind IN ('ccam', 'ngap') THEN 'ccam, ngap' ELSE t.kind END AS grp,
           analytics_private.small(t.lines) AS small
      FROM analytics_private.top_code t),
s AS (
    SELECT c.*, small OR (analytics_private.needs_second(sum(lines) FILTER (WHERE small) OVER g,
                                                         count(*) FILTER (WHERE small) OVER g)
                          AND row_number() OVER (g ORDER BY small, lines, kind, code) = 1) AS hidden
      FROM c WINDOW g AS (PARTITION BY grp)),
r AS (
    SELECT kind, code, label, atc, atc_group, lines,
           rank() OVER (PARTITION BY kind ORDER BY lines DESC) AS rank_in_kind
      FROM s WHERE NOT hidden
    UNION ALL
    SELECT grp, NULL, 'other codes (each hidden: fewer than 10 lines, or hidden with them)', NULL, NULL,
           analytics_private.suppress(sum(lines)::bigint), NULL
      FROM s WHERE hidden GROUP BY grp)
SELECT * FROM r
 ORDER BY kind, rank_in_kind, code;

-- first_feed_sla: a day's dossiers = fed within 72 h + late + not fed, and
-- not fed > overdue + stopped; the hours only over 10 fed dossiers or more.
CREATE VIEW analytics.first_feed_sla AS
SELECT f.day, analytics_private.suppress(f.dossiers) AS dossiers,
       a[1] AS fed_within_72h, a[2] AS fed_late, a[3] AS not_fed,
       b[1] AS not_fed_overdue, b[2] AS not_fed_stopped,
       CASE WHEN NOT ok THEN NULL ELSE f.median_hours END AS median_hours,
       CASE WHEN NOT ok THEN NULL ELSE f.p95_hours END AS p95_hours
  FROM analytics_private.first_feed_sla f
 CROSS JOIN LATERAL (SELECT analytics_private.suppress_parts(f.dossiers,
                                ARRAY[f.fed_within_72h, f.fed_late, f.not_fed]) AS a,
                            f.fed_within_72h + f.fed_late >= 10 AS ok) x
 CROSS JOIN LATERAL (SELECT analytics_private.suppress_parts(f.not_fed, ARRAY[f.not_fed_overdue, f.not_fed_stopped],
                                x.a[3] IS NULL) AS b) y
 ORDER BY f.day;

-- refresh_compliance, and the same by ISO week: open dossiers = the four
-- columns after it.
CREATE VIEW analytics.refresh_compliance AS
SELECT r.as_of, analytics_private.suppress(r.open_dossiers) AS open_dossiers,
       p[1] AS fed_0_7_days_ago, p[2] AS fed_8_14_days_ago, p[3] AS fed_over_14_days_ago, p[4] AS never_fed
  FROM analytics_private.refresh_compliance r
 CROSS JOIN LATERAL (SELECT analytics_private.suppress_parts(r.open_dossiers, ARRAY[r.fed_0_7_days_ago,
                                r.fed_8_14_days_ago, r.fed_over_14_days_ago, r.never_fed]) AS p) x;

CREATE VIEW analytics.refresh_compliance_week AS
SELECT to_char(r.week_start, 'IYYY-"W"IW') AS iso_week, r.week_start, r.as_of,
       analytics_private.suppress(r.open_dossiers) AS open_dossiers,
       p[1] AS fed_0_7_days_ago, p[2] AS fed_8_14_days_ago, p[3] AS fed_over_14_days_ago, p[4] AS never_fed
  FROM analytics_private.refresh_compliance_week r
 CROSS JOIN LATERAL (SELECT analytics_private.suppress_parts(r.open_dossiers, ARRAY[r.fed_0_7_days_ago,
                                r.fed_8_14_days_ago, r.fed_over_14_days_ago, r.never_fed]) AS p) x
 ORDER BY r.week_start;

-- document_section: each section's documents with rows + documents where it
-- is empty = all current documents; rows shown are hidden with the first.
CREATE VIEW analytics.document_section AS
SELECT s.section_no, s.section, p[1] AS documents_with_rows, p[2] AS documents_empty,
       CASE WHEN p[1] IS NOT NULL THEN analytics_private.suppress(s.rows_shown) END AS rows_shown
  FROM analytics_private.document_section s
 CROSS JOIN LATERAL (SELECT analytics_private.suppress_parts(s.documents_with_rows + s.documents_empty,
                                ARRAY[s.documents_with_rows, s.documents_empty]) AS p) x
 ORDER BY s.section_no;

-- document_size: the classes add up to all current documents; a class's
-- bytes are hidden with its count.
CREATE VIEW analytics.document_size AS
WITH c AS (
    SELECT d.bytes_from, d.bytes_below, d.documents, d.total_bytes, analytics_private.small(d.documents) AS small
      FROM analytics_private.document_size d),
s AS (
    SELECT c.*, small OR (analytics_private.needs_second(sum(documents) FILTER (WHERE small) OVER (),
                                                         count(*) FILTER (WHERE small) OVER ())
                          AND row_number() OVER (ORDER BY small, documents, bytes_from) = 1) AS hidden
      FROM c)
SELECT bytes_from, bytes_below, analytics_private.suppress(documents, hidden) AS documents,
       CASE WHEN NOT hidden THEN total_bytes END AS total_bytes
  FROM s
 ORDER BY bytes_from;

-- dossier_feed: no rows per person for analysts (header).
DROP VIEW analytics.dossier_feed;
DROP FUNCTION analytics_private.dossier_feed_rows();

-- freshness: the views over refreshed figures are 'refreshed'.
CREATE OR REPLACE VIEW analytics.freshness AS
SELECT c.relname::text AS relation,
       CASE WHEN r.relation IS NOT NULL THEN 'refreshed' ELSE 'live' END AS kind,
       r.refreshed_at, r.as_of, round(r.seconds::numeric, 3) AS refresh_seconds
  FROM pg_catalog.pg_class c
  LEFT JOIN analytics_private.refreshed r ON r.relation = c.relname
 WHERE c.relnamespace = 'analytics'::regnamespace AND c.relkind IN ('v', 'm')
 ORDER BY 1;

GRANT SELECT ON analytics.claim_volume, analytics.top_code, analytics.first_feed_sla, analytics.refresh_compliance,
    analytics.refresh_compliance_week, analytics.document_section, analytics.document_size
    TO dmpremb_analyst;

-- ---- 5. what each view and column says ------------------------------------
-- Every view of counts ends its comment with the rule, in these words:
--   Small counts: 1 to 9 shown as NULL, with what is computed from them, and
--   a second count hidden where a total would give a hidden one away.
SET LOCAL search_path TO analytics;

COMMENT ON VIEW claim_volume IS
'How many claim lines and stays came in, and for which sections and months of care? By processing month (FLX_TRT_DTD; ENT_DAT for stays), month of care (EXE_SOI_DTD; ENT_DAT), extract file and document section (NULL: a line without code, which no document shows). Lines loaded (no duplicate, filtered or rejected line), never reduced by a deletion or a purge of claims. Live: counted in the transaction that loads them. Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away (groups: a file''s processing month, a top_code group over its window, a file).';
COMMENT ON COLUMN claim_volume.processing_month IS 'First day of the month of FLX_TRT_DTD (processing date; ENT_DAT for a stay). Live.';
COMMENT ON COLUMN claim_volume.care_month IS 'First day of the month of EXE_SOI_DTD (date of care; ENT_DAT for a stay).';
COMMENT ON COLUMN claim_volume.domain IS 'Extract file: pharmacie, actes, radiologie, biologie or hospitalisation.';
COMMENT ON COLUMN claim_volume.section IS 'Document section the lines go to; NULL: lines without a code, which no document shows.';
COMMENT ON COLUMN claim_volume.lines IS 'Claim lines (or stays) loaded: no duplicate, filtered or rejected line; never reduced by a deletion or a purge. Counted in the transaction that loads them. NULL: from 1 to 9, or hidden so that no small count can be worked out from a total (small-count rule).';

COMMENT ON VIEW top_code IS
'Which drugs (cip13, BDPM name, ATC and its level-3 group), devices (lpp), acts (ccam; ngap: PRS_NAT_REF), biology (nabm) and stays (ghm) are the most frequent? Claim lines loaded with a month of care from the month 24 months before as_of to as_of''s month (Europe/Paris). Fresh as of the last ingest (analytics.freshness). Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away (group: a code kind, CCAM and NGAP together, whose total claim_volume gives). A code whose count is hidden is not listed: the kind''s row with code NULL adds them up.';
COMMENT ON COLUMN top_code.kind IS 'Kind of code: cip13, lpp, ccam, ngap, nabm or ghm; ''ccam, ngap'' on the row of the acts'' hidden codes.';
COMMENT ON COLUMN top_code.code IS 'The code as the document shows it; NULL on the row that adds up the codes of the kind whose counts are hidden (they are not listed).';
COMMENT ON COLUMN top_code.label IS 'Its label in the loaded referentials; NULL when unknown; ''other codes ...'' on the row of the hidden codes.';
COMMENT ON COLUMN top_code.atc IS 'Most frequent ATC class of the code''s pharmacy lines; NULL otherwise.';
COMMENT ON COLUMN top_code.atc_group IS 'First 3 characters of atc (the therapeutic group).';
COMMENT ON COLUMN top_code.lines IS 'Claim lines (or stays) with that code, care in the 24 months to the refresh''s as-of. As of the last ingest. A code is listed only when its count is shown (small-count rule: not from 1 to 9, nor hidden so that the others cannot be worked out from the kind''s total); the row with code NULL adds up the others, NULL when from 1 to 9.';
COMMENT ON COLUMN top_code.rank_in_kind IS 'Rank by lines among the listed codes of the kind (1 = most frequent); NULL on the row of the hidden codes.';

COMMENT ON VIEW first_feed_sla IS
'Is the 72-hour promise kept? One row per Europe/Paris day of dossier.due_at: the creation instant, or the reactivation / objection lifting that restarted the 72-hour clock (a dossier counts once, on the day of its latest start; deleted dossiers are not counted). dossiers = fed_within_72h + fed_late + not_fed; not_fed_overdue: open, no objection, waiting over 72 h at the refresh''s as_of; not_fed_stopped: closed, deceased or under objection before its first feed. Hours = first_fed_at - due_at, over the fed dossiers. Fresh as of the last dossiers import, feed or backfill (analytics.freshness). Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away (groups: the day''s dossiers, its not_fed).';
COMMENT ON COLUMN first_feed_sla.day IS 'Europe/Paris day the 72-hour clock started (creation, reactivation or objection lifting); a dossier counts once, on its latest start.';
COMMENT ON COLUMN first_feed_sla.dossiers IS 'Dossiers whose clock started that day = fed_within_72h + fed_late + not_fed. NULL from 1 to 9, and then every count of the day too.';
COMMENT ON COLUMN first_feed_sla.fed_within_72h IS 'Of them, first fed 72 hours or less after the start. NULL: small-count rule.';
COMMENT ON COLUMN first_feed_sla.fed_late IS 'Of them, first fed more than 72 hours after the start. NULL: small-count rule.';
COMMENT ON COLUMN first_feed_sla.not_fed IS 'Of them, not fed since the start (at the refresh''s as_of). NULL: small-count rule.';
COMMENT ON COLUMN first_feed_sla.not_fed_overdue IS 'Not fed, open, no objection, and waiting over 72 hours at the refresh''s as_of: the promise broken. NULL: small-count rule, or not_fed is NULL.';
COMMENT ON COLUMN first_feed_sla.not_fed_stopped IS 'Not fed because closed, deceased or under objection before the first feed. NULL: small-count rule, or not_fed is NULL.';
COMMENT ON COLUMN first_feed_sla.median_hours IS 'Median hours from start to first feed over the fed dossiers of the day (one decimal); NULL when fewer than 10 were fed.';
COMMENT ON COLUMN first_feed_sla.p95_hours IS '95th percentile of those hours (one decimal); NULL when fewer than 10 were fed.';

COMMENT ON VIEW refresh_compliance IS
'Is the weekly refresh kept? Open dossiers without objection by whole days since their last feed at as_of: 0-7 (on time), 8-14 (a refresh missed), over 14, never fed. One row; its history, week by week: refresh_compliance_week. Fresh as of the last dossiers import, feed or backfill (analytics.freshness). Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away (group: open_dossiers).';
COMMENT ON COLUMN refresh_compliance.as_of IS 'The instant of the figures (the refresh''s as-of). One row.';
COMMENT ON COLUMN refresh_compliance.open_dossiers IS 'Open dossiers without objection at as_of = the four columns after it. NULL from 1 to 9, and then the four too.';
COMMENT ON COLUMN refresh_compliance.fed_0_7_days_ago IS 'Of them, last fed 0 to 7 whole days before as_of: on time. NULL: small-count rule.';
COMMENT ON COLUMN refresh_compliance.fed_8_14_days_ago IS 'Last fed 8 to 14 days before: one weekly refresh missed. NULL: small-count rule.';
COMMENT ON COLUMN refresh_compliance.fed_over_14_days_ago IS 'Last fed more than 14 days before. NULL: small-count rule.';
COMMENT ON COLUMN refresh_compliance.never_fed IS 'Never fed. NULL: small-count rule.';

COMMENT ON VIEW refresh_compliance_week IS
'Is the weekly refresh kept, week after week? One row per ISO week (Europe/Paris) in which the figures were refreshed: refresh_compliance as of the latest refresh of that week (the current week''s row changes until the week ends; earlier weeks are kept). Fresh as of the last dossiers import, feed or backfill (analytics.freshness). Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away (group: open_dossiers).';
COMMENT ON COLUMN refresh_compliance_week.iso_week IS 'ISO 8601 week, e.g. 2026-W46 (weeks begin on Monday, Europe/Paris).';
COMMENT ON COLUMN refresh_compliance_week.week_start IS 'The Monday of that week.';
COMMENT ON COLUMN refresh_compliance_week.as_of IS 'The instant of the figures: the latest refresh''s as-of within the week.';
-- its counts mean what refresh_compliance's do
DO $$
DECLARE
    col text;
BEGIN
    FOREACH col IN ARRAY ARRAY['open_dossiers', 'fed_0_7_days_ago', 'fed_8_14_days_ago', 'fed_over_14_days_ago',
                               'never_fed'] LOOP
        EXECUTE format('COMMENT ON COLUMN analytics.refresh_compliance_week.%I IS %L', col,
                       col_description('analytics.refresh_compliance'::regclass,
                                       (SELECT a.attnum FROM pg_attribute a
                                         WHERE a.attrelid = 'analytics.refresh_compliance'::regclass AND a.attname = col)));
    END LOOP;
END $$;

COMMENT ON VIEW document_section IS
'What do the current documents show? For each section (in the document''s order, section_no): documents with rows in it, documents where it is empty, rows shown. Fresh as of the last feed or backfill (analytics.freshness). Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away (group: a section''s documents with rows + empty = all documents).';
COMMENT ON COLUMN document_section.section_no IS 'Position of the section in the document (1 Médicaments ... 7 Biologie); the rows come in this order.';
COMMENT ON COLUMN document_section.section IS 'Section title as the document shows it.';
COMMENT ON COLUMN document_section.documents_with_rows IS 'Current documents (one per dossier) with at least one row in this section, as of the last feed or backfill. NULL: small-count rule.';
COMMENT ON COLUMN document_section.documents_empty IS 'Current documents where this section is empty ("Aucune donnée"), as of the last feed or backfill. NULL: small-count rule.';
COMMENT ON COLUMN document_section.rows_shown IS 'Rows this section shows over all current documents. NULL from 1 to 9, or when documents_with_rows is NULL.';

COMMENT ON VIEW document_size IS
'How big are the current documents? Counts by power-of-two size class [bytes_from, bytes_below) of the XML in bytes, smallest class first. Fresh as of the last feed or backfill (analytics.freshness). Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away (group: all classes = all documents).';
COMMENT ON COLUMN document_size.bytes_from IS 'Lower bound of the size class, in bytes of XML (a power of 2), included; the rows come in this order.';
COMMENT ON COLUMN document_size.bytes_below IS 'Upper bound of the size class, in bytes of XML, excluded (2 x bytes_from).';
COMMENT ON COLUMN document_size.documents IS 'Current documents in this size class, as of the last feed or backfill. NULL: small-count rule.';
COMMENT ON COLUMN document_size.total_bytes IS 'Their XML bytes added up (before compression: about 10 times what is stored); NULL when documents is.';

