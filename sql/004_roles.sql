-- sql/004_roles.sql — who may do what, enforced by PostgreSQL itself.
--
-- Six group roles (NOLOGIN). Logins are granted one of them; every dmpremb
-- command also does SET ROLE to the one it needs (cli/main.c), so a login
-- holding several roles still runs each command with only its own rights.
--   dmpremb_owner    owns every object; migrations run as it. No one works as it.
--   dmpremb_ingest   loads batches, referentials and lifecycle events; ages data
--                    out (purge). Reads no document; destroys a deleted
--                    dossier's data only through dossier_destroy().
--   dmpremb_feed     reads claims, identities, referentials, version metadata;
--                    stores documents only through document_store(). Cannot
--                    read a document, its XML or the dossier's traces.
--   dmpremb_reader   the DMP side that displays documents: the current
--                    documents, nothing else.
--   dmpremb_analyst  the analytics schema (its views), nothing else.
--   dmpremb_ops      runs, batches, per-file counts, rejects without their raw
--                    values, SLA figures without any identifier.
-- The first migration that runs this file needs a superuser or a role with
-- CREATEROLE; every later migration sets itself to dmpremb_owner.
-- docs/security.md explains the choices.

SET LOCAL search_path TO dmpremb;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['dmpremb_owner', 'dmpremb_ingest', 'dmpremb_feed', 'dmpremb_reader',
                             'dmpremb_analyst', 'dmpremb_ops'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
    -- the migrating login must be able to hand objects over to the owner
    IF NOT pg_has_role(current_user, 'dmpremb_owner', 'MEMBER') THEN
        EXECUTE format('GRANT dmpremb_owner TO %I', current_user);
    END IF;
    -- later migrations, run as the owner, create schemas (analytics) and extensions
    EXECUTE format('GRANT CREATE ON DATABASE %I TO dmpremb_owner', current_database());
END $$;

-- Hand every object of the schema to the owner (sequences follow their table).
DO $$
DECLARE
    o record;
BEGIN
    EXECUTE 'ALTER SCHEMA dmpremb OWNER TO dmpremb_owner';
    FOR o IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'dmpremb' AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
        EXECUTE format('ALTER %s %s OWNER TO dmpremb_owner',
                       CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                       o.name);
    END LOOP;
    FOR o IN SELECT p.oid::regprocedure AS name FROM pg_proc p
               JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'dmpremb' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO dmpremb_owner', o.name);
    END LOOP;
END $$;

SET LOCAL ROLE dmpremb_owner;

-- Nothing by default: a function is executable only by the roles named below.
REVOKE ALL ON SCHEMA dmpremb FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA dmpremb FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE dmpremb_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT USAGE ON SCHEMA dmpremb TO dmpremb_ingest, dmpremb_feed, dmpremb_reader, dmpremb_ops;
GRANT SELECT ON schema_migration TO dmpremb_ingest, dmpremb_feed, dmpremb_ops;

-- ---- who ran what ------------------------------------------------------------
ALTER TABLE run ADD COLUMN login text NOT NULL DEFAULT session_user;
ALTER TABLE run ADD COLUMN role text NOT NULL DEFAULT current_user;
COMMENT ON COLUMN run.login IS 'The login that connected (session_user).';
COMMENT ON COLUMN run.role IS 'The role the command ran as (current_user after its SET ROLE).';

-- ---- the time of the first feed, for the 72-hour figures ---------------------
-- first_fed_at: the first feed since the dossier last became due (set by
-- document_store). A value earlier than due_at (a feed before a
-- reactivation, or a listed feed ahead of due_at) means "not fed since":
-- count a first feed only when first_fed_at >= due_at.
ALTER TABLE dossier ADD COLUMN first_fed_at timestamptz;
UPDATE dossier d SET first_fed_at = (SELECT min(v.generated_at) FROM document_version v
                                      WHERE v.ins_c = d.ins_c AND v.generated_at >= d.due_at)
 WHERE d.last_fed_at >= d.due_at;
ALTER TABLE dossier DROP CONSTRAINT dossier_deleted_tombstone;
ALTER TABLE dossier ADD CONSTRAINT dossier_deleted_tombstone
    CHECK (state <> 'deleted' OR (created_at IS NULL AND due_at IS NULL AND last_fed_at IS NULL
                                  AND first_fed_at IS NULL));

-- ---- writing documents: only through these functions ------------------------
-- A document as the feed renders it; document_store() takes an array of them.
CREATE TYPE document_in AS (ins_c text, set_id text, doc_id text, version int, xml text,
                            sha256 text, bytes int, section_rows int[]);

-- Stores rendered documents: the current document (only over an older
-- version), a version row (its primary key refuses a second copy of a
-- version), the trace the person sees in the dossier's history, and the
-- dossier's feed times. Returns how many of each were written; the caller
-- compares them with what it sent.
CREATE FUNCTION document_store(docs document_in[], period_low date, period_high date,
                               generated_at timestamptz, run_id bigint)
RETURNS TABLE (documents bigint, versions bigint, traces bigint, dossiers bigint)
LANGUAGE sql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
    WITH f AS (SELECT * FROM unnest(docs)),
    doc AS (
        INSERT INTO document AS d (ins_c, set_id, doc_id, version, xml, sha256, bytes, section_rows,
                                   period_low, period_high, generated_at, run_id)
        SELECT ins_c, set_id, doc_id, version, xml, sha256, bytes, section_rows,
               document_store.period_low, document_store.period_high, document_store.generated_at,
               document_store.run_id FROM f
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
        SELECT ins_c, version, set_id, doc_id, sha256, bytes, section_rows,
               document_store.period_low, document_store.period_high, document_store.generated_at,
               document_store.run_id FROM f
        RETURNING 1),
    tr AS (
        INSERT INTO trace (ins_c, at, author, action, version, run_id)
        SELECT ins_c, now(), 'Assurance Maladie',
               CASE WHEN version = 1 THEN 'a ajouté : Données de remboursement'
                    ELSE 'a modifié : Données de remboursement' END, version, document_store.run_id FROM f
        RETURNING 1),
    fed AS (
        UPDATE dossier d SET last_fed_at = document_store.generated_at,
               first_fed_at = CASE WHEN d.first_fed_at IS NULL OR d.first_fed_at < d.due_at
                                   THEN document_store.generated_at ELSE d.first_fed_at END
          FROM f WHERE d.ins_c = f.ins_c
        RETURNING 1)
    SELECT (SELECT count(*) FROM doc), (SELECT count(*) FROM ver), (SELECT count(*) FROM tr),
           (SELECT count(*) FROM fed)
$$;
COMMENT ON FUNCTION document_store IS 'The only way to write a document (dmpremb_feed): document, version row, trace, feed times.';

-- Destroys everything a deleted dossier had but its key: document, versions,
-- traces, claims, stays, identity, backfill work items. Only for dossiers
-- with a recorded SUPPRESSION event: the lifecycle applier (dmpremb_ingest)
-- cannot delete any other dossier's document through it.
CREATE FUNCTION dossier_destroy(ins_cs text[])
RETURNS TABLE (dossiers bigint, documents bigint, versions bigint, traces bigint, claims bigint,
               others bigint)
LANGUAGE sql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
    WITH gone AS (SELECT DISTINCT x AS ins_c FROM unnest(ins_cs) x
                   WHERE EXISTS (SELECT 1 FROM dossier_event e
                                  WHERE e.ins_c = x AND e.evenement = 'SUPPRESSION')),
    doc AS (DELETE FROM document x USING gone g WHERE x.ins_c = g.ins_c RETURNING 1),
    ver AS (DELETE FROM document_version x USING gone g WHERE x.ins_c = g.ins_c RETURNING 1),
    tr AS (DELETE FROM trace x USING gone g WHERE x.ins_c = g.ins_c RETURNING 1),
    cl AS (DELETE FROM claim_line x USING gone g WHERE x.ins_c = g.ins_c RETURNING 1),
    st AS (DELETE FROM hospital_stay x USING gone g WHERE x.ins_c = g.ins_c RETURNING 1),
    be AS (DELETE FROM beneficiary x USING gone g WHERE x.ins_c = g.ins_c RETURNING 1),
    bf AS (DELETE FROM backfill_item x USING gone g WHERE x.ins_c = g.ins_c RETURNING 1)
    SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM doc), (SELECT count(*) FROM ver),
           (SELECT count(*) FROM tr), (SELECT count(*) FROM cl) + (SELECT count(*) FROM st),
           (SELECT count(*) FROM be) + (SELECT count(*) FROM bf)
$$;
COMMENT ON FUNCTION dossier_destroy IS 'Destroys the data of dossiers deleted by a SUPPRESSION event (dmpremb_ingest).';

-- A new month of claims needs a partition, which only the owner may create.
ALTER FUNCTION claim_line_partition(date) SECURITY DEFINER SET search_path = dmpremb, pg_temp;

-- ---- what operators see of the dossiers: figures, never an identifier -------
-- A view runs with its owner's rights: dmpremb_ops reads these columns and
-- nothing else of dossier and beneficiary. The feed's predicates
-- (load/feed_io.h) apply to it as they are and still use the partial indexes.
CREATE VIEW dossier_sla AS
    SELECT d.state, d.opposition, d.created_at, d.due_at, d.last_fed_at, d.first_fed_at,
           EXISTS (SELECT 1 FROM beneficiary b WHERE b.ins_c = d.ins_c) AS identified
      FROM dossier d;
COMMENT ON VIEW dossier_sla IS 'Dossiers without their INS-C, for dmpremb status (dmpremb_ops); identified: a batch has named the person.';

-- ---- grants ------------------------------------------------------------------
GRANT USAGE ON SEQUENCE run_run_id_seq TO dmpremb_ingest, dmpremb_feed;
GRANT SELECT, INSERT, UPDATE ON run TO dmpremb_ingest, dmpremb_feed;

-- dmpremb_ingest: batches, claims, identities, referentials, lifecycle events
GRANT USAGE ON SEQUENCE batch_batch_id_seq TO dmpremb_ingest;
GRANT SELECT, INSERT, UPDATE ON batch TO dmpremb_ingest;
GRANT SELECT, INSERT, DELETE ON batch_file TO dmpremb_ingest;
-- a rejected line's raw value is written, never read back (owner only)
GRANT INSERT, DELETE ON reject TO dmpremb_ingest;
GRANT SELECT (batch_id, file_name, line_no, column_name, reason_code, reason) ON reject TO dmpremb_ingest;
GRANT SELECT, INSERT, UPDATE, DELETE ON beneficiary TO dmpremb_ingest;
GRANT SELECT, INSERT, UPDATE ON claim_line, hospital_stay, professional, establishment,
                                dossier, dossier_event TO dmpremb_ingest;
GRANT SELECT, INSERT, UPDATE, DELETE ON referential_file, ref_ir_act_cod, ref_ir_bio_r, ref_ir_ccam,
      ref_ir_cmd_v, ref_ir_ghs_v, ref_ir_nat_v, ref_ir_spe_v, ref_ms_gm9_v, ref_nt_lpp,
      ref_bdpm_cis, ref_bdpm_cip, ref_bdpm_compo TO dmpremb_ingest;
GRANT EXECUTE ON FUNCTION claim_line_partition(date), dossier_destroy(text[]) TO dmpremb_ingest;

-- dmpremb_feed: reads what a document is made of, writes through document_store
GRANT SELECT ON dossier, dossier_event, beneficiary, claim_line, hospital_stay, professional,
      establishment, document_version, referential_file, ref_ir_act_cod, ref_ir_bio_r, ref_ir_ccam,
      ref_ir_cmd_v, ref_ir_ghs_v, ref_ir_nat_v, ref_ir_spe_v, ref_ms_gm9_v, ref_nt_lpp, ref_ghs_label,
      ref_bdpm_cis, ref_bdpm_cip, ref_bdpm_compo TO dmpremb_feed;
-- SELECT ... FOR UPDATE (a feed takes its dossiers) needs UPDATE on one column:
-- updated_at, which says nothing about feeding.
GRANT UPDATE (updated_at) ON dossier TO dmpremb_feed;
GRANT SELECT, INSERT, UPDATE ON backfill_item TO dmpremb_feed;
GRANT EXECUTE ON FUNCTION document_store(document_in[], date, date, timestamptz, bigint) TO dmpremb_feed;

-- dmpremb_reader: the current documents
GRANT SELECT ON document TO dmpremb_reader;

-- dmpremb_ops: runs, batches, counts, rejects without raw values, SLA figures
GRANT SELECT ON run, batch, batch_file, referential_file, dossier_sla TO dmpremb_ops;
GRANT SELECT (batch_id, file_name, line_no, column_name, reason_code, reason) ON reject TO dmpremb_ops;
GRANT SELECT (event_at, evenement, received_at, run_id, applied_at, outcome) ON dossier_event TO dmpremb_ops;
GRANT SELECT (run_id, seq, done_at, outcome) ON backfill_item TO dmpremb_ops;
