-- sql/009_document_store_staged.sql — documents stored from the feed's own
-- temporary table, not from an array.
--
-- document_store(document_in[]) took the chunk's documents as one array:
-- building it decompressed every document the COPY had just compressed into
-- the session's temporary table feed_doc, copied it twice, and compressed it
-- again on insert. On the bench batch that was 2.2 s of server time for 343 MB
-- of XML, against 0.06 s for the same INSERT reading feed_doc directly (whose
-- lz4-compressed values PostgreSQL then stores as they are). An array is also
-- limited to 1 GB. docs/bench.md has the measurements.
--
-- document_store_staged() reads pg_temp.feed_doc of the calling session. It
-- runs as the owner, so it first makes sure feed_doc is what the feed creates:
-- an ordinary temporary table of exactly the expected built-in column types,
-- without row security. A view, a policy or a type of the caller's could
-- otherwise run the caller's code with the owner's rights. The caller grants
-- SELECT on its feed_doc to dmpremb_owner (feed_prepare() does).

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

CREATE FUNCTION document_store_staged(period_low date, period_high date,
                                      generated_at timestamptz, run_id bigint)
RETURNS TABLE (documents bigint, versions bigint, traces bigint, dossiers bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    rel oid := to_regclass('pg_temp.feed_doc');
    cols text[];
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'document_store_staged: this session has no temporary table feed_doc';
    END IF;
    SELECT array_agg(a.attname || ' ' || a.atttypid::regtype::text ORDER BY a.attnum) INTO cols
      FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = rel AND c.relkind = 'r'
                      AND c.relpersistence = 't' AND NOT c.relrowsecurity)
       OR cols IS DISTINCT FROM ARRAY['ins_c text', 'set_id text', 'doc_id text', 'version integer',
                                      'xml text', 'sha256 text', 'bytes integer',
                                      'section_rows integer[]'] THEN
        RAISE EXCEPTION 'document_store_staged: pg_temp.feed_doc is not the feed''s staging table';
    END IF;

    WITH doc AS (
        INSERT INTO document AS d (ins_c, set_id, doc_id, version, xml, sha256, bytes, section_rows,
                                   period_low, period_high, generated_at, run_id)
        SELECT f.ins_c, f.set_id, f.doc_id, f.version, f.xml, f.sha256, f.bytes, f.section_rows,
               document_store_staged.period_low, document_store_staged.period_high,
               document_store_staged.generated_at, document_store_staged.run_id
          FROM pg_temp.feed_doc f
        ON CONFLICT (ins_c) DO UPDATE SET set_id = EXCLUDED.set_id, doc_id = EXCLUDED.doc_id,
           version = EXCLUDED.version, xml = EXCLUDED.xml, sha256 = EXCLUDED.sha256,
           bytes = EXCLUDED.bytes, section_rows = EXCLUDED.section_rows,
           period_low = EXCLUDED.period_low, period_high = EXCLUDED.period_high,
           generated_at = EXCLUDED.generated_at, run_id = EXCLUDED.run_id
         WHERE d.version < EXCLUDED.version
        RETURNING 1),
    ver AS (
        INSERT INTO document_version (ins_c, version, set_id, doc_id, sha256, bytes, section_rows,
                                      period_low, period_high, generated_at, run_id)
        SELECT f.ins_c, f.version, f.set_id, f.doc_id, f.sha256, f.bytes, f.section_rows,
               document_store_staged.period_low, document_store_staged.period_high,
               document_store_staged.generated_at, document_store_staged.run_id
          FROM pg_temp.feed_doc f
        RETURNING 1),
    tr AS (
        INSERT INTO trace (ins_c, at, author, action, version, run_id)
        SELECT f.ins_c, now(), 'Assurance Maladie',
               CASE WHEN f.version = 1 THEN 'a ajouté : Données de remboursement'
                    ELSE 'a modifié : Données de remboursement' END, f.version,
               document_store_staged.run_id
          FROM pg_temp.feed_doc f
        RETURNING 1),
    fed AS (
        UPDATE dossier d SET last_fed_at = document_store_staged.generated_at,
               first_fed_at = CASE WHEN d.first_fed_at IS NULL OR d.first_fed_at < d.due_at
                                   THEN document_store_staged.generated_at ELSE d.first_fed_at END
          FROM pg_temp.feed_doc f WHERE d.ins_c = f.ins_c
        RETURNING 1)
    SELECT (SELECT count(*) FROM doc), (SELECT count(*) FROM ver), (SELECT count(*) FROM tr),
           (SELECT count(*) FROM fed)
      INTO documents, versions, traces, dossiers;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION document_store_staged IS 'The only way to write a document (dmpremb_feed): from the session''s pg_temp.feed_doc, the document, version row, trace and feed times.';
REVOKE ALL ON FUNCTION document_store_staged(date, date, timestamptz, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION document_store_staged(date, date, timestamptz, bigint) TO dmpremb_feed;

-- The array form has no caller left.
DROP FUNCTION document_store(document_in[], date, date, timestamptz, bigint);
DROP TYPE document_in;
