-- sql/012_privacy.sql — no identifier where it need not be (issue 17, part B).
--
--   1. A feed's refusal is a code from a fixed list, not text: 008's
--      feed_refusal held a sentence the feed's call composed; ops reads it
--      (dossier_sla). Now feed_refusal is 'too_large' (CHECK), the limit and
--      the claim lines in numeric columns of their own.
--   2. document_store_staged() takes the feed's advisory lock on each staged
--      dossier before it reads their latest versions: a store of the same
--      dossier by another session is waited for, then seen, so the version
--      rows' primary key never fails (23505, whose DETAIL quotes the INS-C
--      into the server log: docs/security.md, "The server log").
--   3. The purge's continuation keys are opaque: purge_versions() and
--      purge_closed_claims() returned to dmpremb_ingest the (INS-C, version)
--      or INS-C where the next slice starts, of rows they did not delete.
--      They now return that position sealed (AES with a key derived from the
--      owner's pseudonym key, 005), and take it back sealed.

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

-- ---- 2. documents: 011's function, locking before it reads versions ---------
CREATE OR REPLACE FUNCTION document_store_staged(period_low date, period_high date, generated_at timestamptz,
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
    x text;
    who text;
    n_lines bigint;
    i int;
BEGIN
    -- the session's staging table, exactly as the feed makes it (010)
    PERFORM staged_table_check('feed_doc', ARRAY['ins_c text', 'set_id text', 'doc_id text', 'version integer',
                                                 'xml text', 'sha256 text', 'bytes integer',
                                                 'section_rows integer[]']);

    SELECT coalesce(array_agg(DISTINCT f.ins_c), '{}') INTO staged FROM pg_temp.feed_doc f;
    -- the feed's claim on each dossier (load/feed_io.c, which already holds
    -- them: taken again at no cost), in one order: another session storing
    -- one of them commits first, and the statements below see its version
    FOR x IN SELECT s FROM unnest(staged) s ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(736821, hashtext(x));
    END LOOP;

    -- what the database says of the staged dossiers, read by INS-C
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
    -- their dossiers' feed times, first (011: the lifecycle import's race)
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

    -- documents above --max-document-mb: the code and the sizes (one
    -- statement each: Citus joins no distributed table with unnest(); the
    -- array elements into variables first: the Citus coordinator crashed (13.2)
    -- on an array subscript assigned to a column)
    FOR i IN 1 .. coalesce(cardinality(too_large), 0) LOOP
        who := too_large[i];
        n_lines := too_large_lines[i];
        UPDATE dossier d SET feed_refused_at = document_store_staged.generated_at, feed_refusal = 'too_large',
               feed_refusal_limit_mb = max_document_mb, feed_refusal_claim_lines = n_lines
         WHERE d.ins_c = who;
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

-- ---- 3. opaque continuation keys of the purge --------------------------------
-- purge_key_seal(position) / purge_key_open(key): the position of a slice,
-- as the caller sees it (hex of AES-256 over the text) and back. The AES key
-- (purge_key_aes()) is derived from analytics_private.pseudonym_key (the owner's only), with
-- pgcrypto wherever 005 found it. None is executable by any role: the
-- purge functions, the owner's, call them.
-- (one EXECUTE per function: Citus, propagating each to the workers of a
-- distributed database, refuses several commands in one)
DO $$
DECLARE
    crypto text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname = 'pgcrypto');
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION dmpremb.purge_key_aes() RETURNS bytea
        LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $b$
        DECLARE k bytea;
        BEGIN
            SELECT %1$I.hmac('dmpremb purge continuation', x.hmac_key, 'sha256') INTO k
              FROM analytics_private.pseudonym_key x;
            RETURN k;
        END $b$
    $f$, crypto);
    EXECUTE format($f$
        CREATE FUNCTION dmpremb.purge_key_seal(pos text) RETURNS text
        LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $b$
        BEGIN
            RETURN encode(%1$I.encrypt(convert_to(pos, 'UTF8'), dmpremb.purge_key_aes(), 'aes'), 'hex');
        END $b$
    $f$, crypto);
    EXECUTE format($f$
        CREATE FUNCTION dmpremb.purge_key_open(sealed text) RETURNS text
        LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $b$
        BEGIN
            RETURN convert_from(%1$I.decrypt(decode(sealed, 'hex'), dmpremb.purge_key_aes(), 'aes'), 'UTF8');
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'purge: not a continuation key of this database' USING ERRCODE = '22023';
        END $b$
    $f$, crypto);
END $$;
REVOKE ALL ON FUNCTION purge_key_aes(), purge_key_seal(text), purge_key_open(text) FROM PUBLIC;

-- Version metadata (006's rule and slices): the position comes and goes sealed.
DROP FUNCTION purge_versions(timestamptz, int, timestamptz, text, int, int, boolean);
CREATE FUNCTION purge_versions(as_of timestamptz, keep_months int, after text, max_rows int, dry boolean)
RETURNS TABLE (deleted bigint, next_key text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    cut timestamptz;
    pos text[] := string_to_array(purge_key_open(after), '|');
    after_at timestamptz := coalesce(pos[1]::timestamptz, '-infinity');
    after_ins text := coalesce(pos[2], '');
    after_ver int := coalesce(pos[3]::int, 0);
    k_at timestamptz;
    k_ins text;
    k_ver int;
BEGIN
    cut := purge_before(as_of, make_interval(months => keep_months));
    IF dry THEN
        RETURN QUERY SELECT count(*), NULL::text FROM document_version o
         WHERE o.generated_at < cut
           AND EXISTS (SELECT 1 FROM document_version n WHERE n.ins_c = o.ins_c AND n.version > o.version);
        RETURN;
    END IF;
    WITH s AS (
        SELECT o.generated_at, o.ins_c, o.version FROM document_version o
         WHERE o.generated_at < cut AND (o.generated_at, o.ins_c, o.version) > (after_at, after_ins, after_ver)
         ORDER BY o.generated_at, o.ins_c, o.version LIMIT max_rows),
    gone AS (
        DELETE FROM document_version v USING s
         WHERE v.ins_c = s.ins_c AND v.version = s.version
           AND EXISTS (SELECT 1 FROM document_version n WHERE n.ins_c = v.ins_c AND n.version > v.version)
        RETURNING 1),
    k AS (SELECT s.generated_at, s.ins_c, s.version FROM s ORDER BY 1 DESC, 2 DESC, 3 DESC LIMIT 1)
    SELECT (SELECT count(*) FROM gone), k.generated_at, k.ins_c, k.version INTO deleted, k_at, k_ins, k_ver
      FROM (SELECT 1) one LEFT JOIN k ON true;
    next_key := CASE WHEN k_ins IS NOT NULL THEN purge_key_seal(k_at::text || '|' || k_ins || '|' || k_ver) END;
    RETURN NEXT;
END $$;

-- The closed dossiers' claims (010's function, now purge_closed_claims_slice,
-- which no role may call): the INS-C where the next slice starts, sealed.
ALTER FUNCTION purge_closed_claims(timestamptz, int, int, text, int, boolean) RENAME TO purge_closed_claims_slice;
REVOKE ALL ON FUNCTION purge_closed_claims_slice(timestamptz, int, int, text, int, boolean) FROM PUBLIC, dmpremb_ingest;
CREATE FUNCTION purge_closed_claims(as_of timestamptz, grace_days int, margin_months int, after text,
                                    max_dossiers int, dry boolean)
RETURNS TABLE (next_key text, dossiers int, first_purges int, claim_lines bigint, stays bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT purge_key_seal(s.last_ins_c), s.dossiers, s.first_purges, s.claim_lines, s.stays
      FROM purge_closed_claims_slice(as_of, grace_days, margin_months, purge_key_open(after), max_dossiers, dry) s;
END $$;
COMMENT ON FUNCTION purge_closed_claims(timestamptz, int, int, text, int, boolean) IS
'One slice of the closed and deceased dossiers'' claims; next_key is the sealed position of the next slice (NULL: done).';

GRANT EXECUTE ON FUNCTION purge_versions(timestamptz, int, text, int, boolean),
    purge_closed_claims(timestamptz, int, int, text, int, boolean) TO dmpremb_ingest;

-- ---- 1. refusals: codes and sizes (last: on Citus a function's DDL may not
-- follow, in one transaction, an operation over all shards: these)
-- (one ALTER TABLE per column, the CHECK through EXECUTE: on a distributed
-- database Citus sends these to the shards in a way that fails inside a
-- multi-statement migration, "cannot insert multiple commands into a
-- prepared statement")
ALTER TABLE dossier ADD COLUMN feed_refusal_limit_mb int;
ALTER TABLE dossier ADD COLUMN feed_refusal_claim_lines bigint;
COMMENT ON COLUMN dossier.feed_refusal IS 'Why the feed of feed_refused_at refused this dossier''s document, a code: too_large (above --max-document-mb).';
COMMENT ON COLUMN dossier.feed_refusal_limit_mb IS 'too_large: the --max-document-mb of that feed.';
COMMENT ON COLUMN dossier.feed_refusal_claim_lines IS 'too_large: the claim lines of the refused document.';

UPDATE dossier SET feed_refusal_limit_mb = (regexp_match(feed_refusal, '--max-document-mb ([0-9]+)'))[1]::int,
       feed_refusal_claim_lines = (regexp_match(feed_refusal, '\(([0-9]+) claim lines\)'))[1]::bigint,
       feed_refusal = 'too_large'
 WHERE feed_refusal IS NOT NULL;
DO $$
BEGIN
    EXECUTE 'ALTER TABLE dmpremb.dossier ADD CONSTRAINT dossier_feed_refusal_code'
            ' CHECK (feed_refusal IN (''too_large''))';
END $$;
