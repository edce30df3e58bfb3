-- sql/016_render_audit_destruction.sql — who rendered which dossier, and the
-- physical destruction of what a deletion leaves on disk (issue 17 B3, B4).
--
-- 1. render_audit. 'dmpremb render' (the feed role) prints a whole document:
-- the feeding channel must not become a reading channel. The database records
-- every render, before the document is printed, through
-- render_audit_record() (definer): the login (session_user, which no caller
-- chooses), the time, the dossier under a pseudonym (HMAC-SHA256 of the INS-C
-- under a key derived from the analytics' key, so that it joins no analytics
-- row), the dossier's state and the operator's reason. It refuses — records
-- the attempt as refused and returns the state — a dossier the feed would not
-- feed (closed, deceased, deleted, under objection, not created yet, none)
-- unless a reason is given. The table is the owner's: ops may read it, nobody
-- else; no role may write it but through the function, and a trigger refuses
-- UPDATE, DELETE and TRUNCATE even to the owner (who may drop the trigger:
-- docs/security.md says so). It stays on the coordinator on Citus.
--
-- 2. destruction_pending. dossier_destroy() deletes a dossier's rows; their
-- bytes stay in the relations' files until VACUUM (and in the pages' free
-- space after it: docs/retention.md, "Physical destruction"). It now records
-- which relations it deleted from (the claim partitions by month) and in
-- which transaction, and 'dmpremb dossiers vacuum' (run as the owner)
-- vacuums exactly those, rewrites the identity tables, then clears the rows
-- whose transaction had committed before its VACUUM began (a deletion still
-- in progress then is vacuumed by the next run).

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

-- ---- functions first (Citus: before the tables they touch) -----------------
-- The audit pseudonym of an INS-C: owner only (pgcrypto wherever 005 put it;
-- one EXECUTE per function, for Citus).
DO $$
DECLARE
    crypto text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname = 'pgcrypto');
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION dmpremb.render_audit_pseudonym(ins_c text) RETURNS text
        LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $b$
        DECLARE k bytea;
        BEGIN
            SELECT %1$I.hmac('dmpremb render audit', x.hmac_key, 'sha256') INTO k
              FROM analytics_private.pseudonym_key x;
            RETURN encode(%1$I.hmac(convert_to(ins_c, 'UTF8'), k, 'sha256'), 'hex');
        END $b$
    $f$, crypto);
END $$;
REVOKE ALL ON FUNCTION render_audit_pseudonym(text) FROM PUBLIC;
COMMENT ON FUNCTION render_audit_pseudonym(text) IS 'The pseudonym of an INS-C in render_audit (owner only: who rendered this person''s dossier?).';

CREATE FUNCTION render_audit_frozen() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'render_audit is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
REVOKE ALL ON FUNCTION render_audit_frozen() FROM PUBLIC;

-- ---- 1. the render audit ----------------------------------------------------
CREATE TABLE render_audit (
    audit_no     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rendered_at  timestamptz NOT NULL,
    login        text NOT NULL,
    as_role      text NOT NULL,
    pseudonym    text NOT NULL,
    dossier_state text NOT NULL CHECK (dossier_state IN ('open', 'objection', 'closed', 'deceased', 'deleted',
                                                         'unknown', 'no_dossier')),
    outcome      text NOT NULL CHECK (outcome IN ('rendered', 'refused')),
    reason       text
);
COMMENT ON TABLE render_audit IS 'Every dmpremb render, written by render_audit_record() only: who (login, role), when, which dossier (pseudonym), its state, the reason given; refused attempts too. Append-only.';
COMMENT ON COLUMN render_audit.pseudonym IS 'HMAC-SHA256 of the INS-C under a key of its own (render_audit_pseudonym(), owner only): no INS-C here.';
COMMENT ON COLUMN render_audit.reason IS 'The operator''s --reason: required when the feed would not feed the dossier. Never logged.';
REVOKE ALL ON render_audit FROM PUBLIC;
GRANT SELECT ON render_audit TO dmpremb_ops;
CREATE TRIGGER render_audit_no_change BEFORE UPDATE OR DELETE ON render_audit
    FOR EACH ROW EXECUTE FUNCTION render_audit_frozen();
CREATE TRIGGER render_audit_no_truncate BEFORE TRUNCATE ON render_audit
    FOR EACH STATEMENT EXECUTE FUNCTION render_audit_frozen();

-- Records one render of the dossier ins_c; returns 'ok' when the caller may
-- print it, else why not: 'objection', 'closed', 'deceased', 'deleted',
-- 'unknown' (no CREATION yet), 'no_dossier' (the feed would not feed it; the
-- attempt is recorded as refused), 'bad_ins_c', 'bad_reason' (over 500
-- characters or a control character; nothing recorded). A refusal is a
-- return value, not an error: nothing reaches the server log.
CREATE FUNCTION render_audit_record(ins_c text, reason text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    t constant timestamptz := now();
    as_role constant text := current_setting('role');
    why constant text := nullif(btrim(render_audit_record.reason), '');
    st text;
    opp boolean;
    state_code text;
    done text;
BEGIN
    IF render_audit_record.ins_c IS NULL OR render_audit_record.ins_c !~ '^[0-9]{22}$' THEN
        RETURN 'bad_ins_c';
    END IF;
    IF why IS NOT NULL AND (char_length(why) > 500 OR why ~ '[[:cntrl:]]') THEN
        RETURN 'bad_reason';
    END IF;
    SELECT d.state, d.opposition INTO st, opp FROM dossier d WHERE d.ins_c = render_audit_record.ins_c;
    state_code := CASE WHEN st IS NULL THEN 'no_dossier'
                       WHEN st = 'open' AND opp THEN 'objection'
                       ELSE st END;
    done := CASE WHEN state_code = 'open' OR why IS NOT NULL THEN 'rendered' ELSE 'refused' END;
    INSERT INTO render_audit (rendered_at, login, as_role, pseudonym, dossier_state, outcome, reason)
    VALUES (t, session_user, CASE WHEN as_role = 'none' THEN session_user ELSE as_role END,
            render_audit_pseudonym(render_audit_record.ins_c), state_code, done, why);
    RETURN CASE WHEN done = 'rendered' THEN 'ok' ELSE state_code END;
END $$;
REVOKE ALL ON FUNCTION render_audit_record(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION render_audit_record(text, text) TO dmpremb_feed;

-- ---- 2. what a deletion leaves to destroy ----------------------------------
CREATE TABLE destruction_pending (
    relation  regclass PRIMARY KEY,
    rewrite   boolean NOT NULL,
    since     timestamptz NOT NULL,
    xact      xid8 NOT NULL
);
COMMENT ON TABLE destruction_pending IS 'Relations a dossier deletion deleted rows from, not vacuumed since: dmpremb dossiers vacuum works through them (rewrite: VACUUM FULL, the identity tables).';
COMMENT ON COLUMN destruction_pending.xact IS 'The transaction of the last deletion recorded: the row is cleared only by a VACUUM that began after it committed.';
REVOKE ALL ON destruction_pending FROM PUBLIC;
GRANT SELECT ON destruction_pending TO dmpremb_ops;

-- 010's dossier_destroy(), which now also records the relations it deleted
-- from: the claim partitions of the months the dossier's claims were
-- processed in (read before the DELETE: Citus plans no modifying CTE over a
-- distributed table here), the others by name. beneficiary and the
-- pseudonyms (which the import's analytics refresh deletes next) hold the
-- identity: they are rewritten, not only vacuumed.
CREATE OR REPLACE FUNCTION dossier_destroy(ins_cs text[])
RETURNS TABLE (dossiers bigint, documents bigint, versions bigint, traces bigint, claims bigint,
               others bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dmpremb, pg_temp AS $$
DECLARE
    gone text[];
    months date[];
    t constant timestamptz := clock_timestamp();
    n bigint;
BEGIN
    SELECT array_agg(DISTINCT e.ins_c) INTO gone FROM dossier_event e
     WHERE e.ins_c = ANY (ins_cs) AND e.evenement = 'SUPPRESSION';
    dossiers := coalesce(cardinality(gone), 0);
    documents := 0; versions := 0; traces := 0; claims := 0; others := 0;
    IF dossiers > 0 THEN
        SELECT array_agg(DISTINCT date_trunc('month', x.flx_trt_dtd)::date) INTO months
          FROM claim_line x WHERE x.ins_c = ANY (gone);
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
        INSERT INTO destruction_pending (relation, rewrite, since, xact)
        SELECT DISTINCT r.rel, r.rewrite, t, pg_current_xact_id() FROM (
            VALUES ('dmpremb.document'::regclass, false), ('dmpremb.document_version'::regclass, false),
                   ('dmpremb.trace'::regclass, false), ('dmpremb.hospital_stay'::regclass, false),
                   ('dmpremb.backfill_item'::regclass, false), ('dmpremb.dossier'::regclass, false),
                   ('dmpremb.beneficiary'::regclass, true),
                   ('analytics_private.dossier_pseudonym'::regclass, true)
            UNION ALL
            SELECT coalesce(to_regclass(format('dmpremb.claim_line_%s', to_char(m, 'YYYYMM'))),
                            'dmpremb.claim_line'::regclass), false
              FROM unnest(coalesce(months, '{}')) m) r (rel, rewrite)
        ON CONFLICT (relation) DO UPDATE SET since = EXCLUDED.since, xact = EXCLUDED.xact;
    END IF;
    RETURN NEXT;
END $$;
