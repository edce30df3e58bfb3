-- sql/008_feed_refusal.sql — a dossier whose document the feed refused to store.
--
-- The feed does not store a document larger than --max-document-mb (every
-- buffer has a limit: docs/memory.md). Such a dossier stays due, so the next
-- run tries again; it must not go unnoticed. The feed records on the dossier
-- when it last refused it and why (the reason holds sizes, never an
-- identity); `dmpremb status` counts the dossiers refused since their last
-- stored document (feed_refused_at > last_fed_at, both generation times), and
-- the owner finds which they are with the query in docs/troubleshooting.md.
-- Nothing has to clear the mark: a document stored later moves last_fed_at
-- past it.

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

ALTER TABLE dossier ADD COLUMN feed_refused_at timestamptz,
                    ADD COLUMN feed_refusal text;
COMMENT ON COLUMN dossier.feed_refused_at IS 'Generation time of the last feed that refused to store this dossier''s document; a refusal still stands while it is later than last_fed_at.';
COMMENT ON COLUMN dossier.feed_refusal IS 'Why that feed refused it, e.g. "document above --max-document-mb 16 (100000 claim lines)"; sizes only.';

-- The feed writes these two columns and no other (it already may touch
-- updated_at to lock its dossiers).
GRANT UPDATE (feed_refused_at, feed_refusal) ON dossier TO dmpremb_feed;

-- dmpremb status (dmpremb_ops) counts refusals without seeing an INS-C.
CREATE OR REPLACE VIEW dossier_sla AS
    SELECT d.state, d.opposition, d.created_at, d.due_at, d.last_fed_at, d.first_fed_at,
           EXISTS (SELECT 1 FROM beneficiary b WHERE b.ins_c = d.ins_c) AS identified,
           d.feed_refused_at, d.feed_refusal
      FROM dossier d;
