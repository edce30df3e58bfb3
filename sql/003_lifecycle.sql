-- sql/003_lifecycle.sql — dossier lifecycle applied, due-ness, backfill work lists.
--
-- A dossier's state is the fold of its events (transform/lifecycle.h):
-- 'unknown' until a CREATION is known. due_at is the instant of the last
-- event that made the dossier due now (CREATION, REACTIVATION,
-- LEVEE_OPPOSITION); last_fed_at the generation time of its latest document.
--   first feed pending:  open, no objection, last_fed_at IS NULL OR < due_at
--   refresh due:         open, no objection, fed since due_at, last_fed_at
--                        at least --refresh-days ago
-- The two partial indexes below serve exactly these two predicates, so that
-- picking the most urgent dossiers among forty million reads only due rows.

SET LOCAL search_path TO dmpremb;

ALTER TABLE dossier DROP CONSTRAINT dossier_state_check;
ALTER TABLE dossier ADD CONSTRAINT dossier_state_check
    CHECK (state IN ('unknown', 'open', 'closed', 'deceased', 'deleted'));
ALTER TABLE dossier ALTER COLUMN state SET DEFAULT 'unknown';
ALTER TABLE dossier ADD COLUMN due_at timestamptz;
ALTER TABLE dossier ADD COLUMN deleted_at timestamptz;
UPDATE dossier SET due_at = coalesce(reactivated_at, created_at);
ALTER TABLE dossier DROP COLUMN reactivated_at;
-- a deleted dossier keeps only what refuses future feeding: its key and state
ALTER TABLE dossier ADD CONSTRAINT dossier_deleted_tombstone
    CHECK (state <> 'deleted' OR (created_at IS NULL AND due_at IS NULL AND last_fed_at IS NULL));

CREATE INDEX dossier_first_due ON dossier (due_at)
    WHERE state = 'open' AND NOT opposition AND (last_fed_at IS NULL OR last_fed_at < due_at);
CREATE INDEX dossier_refresh_due ON dossier (last_fed_at)
    WHERE state = 'open' AND NOT opposition;

-- events not folded yet (normally none: import folds in its transaction)
CREATE INDEX dossier_event_pending ON dossier_event (ins_c) WHERE applied_at IS NULL;

-- A backfill's work list, kept so that an interrupted backfill resumes where
-- it stopped (--resume RUN_ID): done is set in the transaction that stores
-- the dossier's document, so a dossier is never fed twice by one backfill.
CREATE TABLE backfill_item (
    run_id   bigint NOT NULL,
    seq      bigint NOT NULL,
    ins_c    text NOT NULL,
    done_at  timestamptz,
    outcome  text,
    PRIMARY KEY (ins_c, run_id)
);
CREATE UNIQUE INDEX backfill_item_seq ON backfill_item (run_id, seq);
