-- sql/013_analytics_comments.sql — every column an analyst reads says what
-- it is: its unit, its window, how fresh it is (issue 18). The views'
-- own comments (005) say which question each answers; t0810 checks that
-- every column of every view of schema analytics has a comment.

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO analytics;

COMMENT ON COLUMN claim_volume.processing_month IS 'First day of the month of FLX_TRT_DTD (processing date; ENT_DAT for a stay). Live.';
COMMENT ON COLUMN claim_volume.care_month IS 'First day of the month of EXE_SOI_DTD (date of care; ENT_DAT for a stay).';
COMMENT ON COLUMN claim_volume.domain IS 'Extract file: pharmacie, actes, radiologie, biologie or hospitalisation.';
COMMENT ON COLUMN claim_volume.section IS 'Document section the lines go to; NULL: lines without a code, which no document shows.';
COMMENT ON COLUMN claim_volume.lines IS 'Claim lines (or stays) loaded: no duplicate, filtered or rejected line; never reduced by a deletion or a purge. Counted in the transaction that loads them.';

COMMENT ON COLUMN document_section.section_no IS 'Position of the section in the document (1 Médicaments ... 7 Biologie).';
COMMENT ON COLUMN document_section.section IS 'Section title as the document shows it.';
COMMENT ON COLUMN document_section.documents_with_rows IS 'Current documents (one per dossier) with at least one row in this section, as of the last feed or backfill.';
COMMENT ON COLUMN document_section.documents_empty IS 'Current documents where this section is empty ("Aucune donnée"), as of the last feed or backfill.';
COMMENT ON COLUMN document_section.rows_shown IS 'Rows this section shows over all current documents.';

COMMENT ON COLUMN document_size.bytes_from IS 'Lower bound of the size class, in bytes of XML (a power of 2), included.';
COMMENT ON COLUMN document_size.bytes_below IS 'Upper bound of the size class, in bytes of XML, excluded (2 x bytes_from).';
COMMENT ON COLUMN document_size.documents IS 'Current documents in this size class, as of the last feed or backfill.';
COMMENT ON COLUMN document_size.total_bytes IS 'Their XML bytes added up (before compression: about 10 times what is stored).';

COMMENT ON COLUMN dossier_feed.pseudonym IS 'Keyed HMAC-SHA256 of the dossier''s INS-C: follows a dossier over time, never names it; another database has other pseudonyms.';
COMMENT ON COLUMN dossier_feed.state IS 'Dossier state: unknown (no CREATION yet), open, closed or deceased (deleted dossiers are not listed). Live.';
COMMENT ON COLUMN dossier_feed.objection IS 'true: the person objects to the feeding; nothing is fed while it holds.';
COMMENT ON COLUMN dossier_feed.due_day IS 'Europe/Paris day the 72-hour clock last started: creation, reactivation or lifting of an objection.';
COMMENT ON COLUMN dossier_feed.hours_to_first_feed IS 'Hours from due_day''s instant to the first document stored since (one decimal); NULL: not fed since.';
COMMENT ON COLUMN dossier_feed.days_since_last_feed IS 'Whole days from the last stored document to now (when the view is read); NULL: never fed.';
COMMENT ON COLUMN dossier_feed.document_version IS 'Version number of the current document (1 for the first); NULL: no document.';
COMMENT ON COLUMN dossier_feed.document_bytes IS 'Size of the current document''s XML, in bytes; NULL: no document.';

COMMENT ON COLUMN first_feed_sla.day IS 'Europe/Paris day the 72-hour clock started (creation, reactivation or objection lifting); a dossier counts once, on its latest start.';
COMMENT ON COLUMN first_feed_sla.dossiers IS 'Dossiers whose clock started that day = fed_within_72h + fed_late + not_fed.';
COMMENT ON COLUMN first_feed_sla.fed_within_72h IS 'Of them, first fed 72 hours or less after the start.';
COMMENT ON COLUMN first_feed_sla.fed_late IS 'Of them, first fed more than 72 hours after the start.';
COMMENT ON COLUMN first_feed_sla.not_fed IS 'Of them, not fed since the start (at the refresh''s as_of).';
COMMENT ON COLUMN first_feed_sla.not_fed_overdue IS 'Not fed, open, no objection, and waiting over 72 hours at the refresh''s as_of: the promise broken.';
COMMENT ON COLUMN first_feed_sla.not_fed_stopped IS 'Not fed because closed, deceased or under objection before the first feed.';
COMMENT ON COLUMN first_feed_sla.median_hours IS 'Median hours from start to first feed over the fed dossiers of the day (one decimal).';
COMMENT ON COLUMN first_feed_sla.p95_hours IS '95th percentile of those hours (one decimal).';

COMMENT ON COLUMN freshness.relation IS 'A view of schema analytics.';
COMMENT ON COLUMN freshness.kind IS 'live (computed when read) or refreshed (materialised: as of its last refresh).';
COMMENT ON COLUMN freshness.refreshed_at IS 'When its last refresh began (it saw every commit before); NULL for a live view.';
COMMENT ON COLUMN freshness.as_of IS 'The instant its figures are computed for (a feed''s --as-of, else the refresh time).';
COMMENT ON COLUMN freshness.refresh_seconds IS 'Duration of its last refresh, in seconds.';

COMMENT ON COLUMN ingest_file.batch_id IS 'Batch number (dmpremb.batch). Live.';
COMMENT ON COLUMN ingest_file.batch_label IS 'Batch directory name as received.';
COMMENT ON COLUMN ingest_file.batch_status IS 'applied, or refused (a file above the reject ratio: nothing of the batch stored).';
COMMENT ON COLUMN ingest_file.forced IS 'true: applied above the reject ratio with --force.';
COMMENT ON COLUMN ingest_file.received_at IS 'When the batch was first seen by ingest.';
COMMENT ON COLUMN ingest_file.applied_at IS 'When it was applied; NULL when refused.';
COMMENT ON COLUMN ingest_file.file IS 'File name of the extract (pharmacie.csv ...).';
COMMENT ON COLUMN ingest_file.encoding IS 'UTF-8 or CP1252, as the manifest declared.';
COMMENT ON COLUMN ingest_file.bytes IS 'Size of the file in bytes.';
COMMENT ON COLUMN ingest_file.lines_read IS 'Data lines of the file = loaded + duplicate + filtered + rejected.';
COMMENT ON COLUMN ingest_file.loaded IS 'Lines stored.';
COMMENT ON COLUMN ingest_file.duplicate IS 'Lines already known with the same content (re-sent), not stored again.';
COMMENT ON COLUMN ingest_file.filtered IS 'Valid lines not shown by rule (ingest_reason gives the rules).';
COMMENT ON COLUMN ingest_file.rejected IS 'Invalid lines (ingest_reason gives the reason codes).';
COMMENT ON COLUMN ingest_file.reject_ratio IS 'rejected / lines_read (4 decimals); the batch is refused above --max-reject-ratio (default 0.01).';

COMMENT ON COLUMN ingest_reason.batch_id IS 'Batch number. Live.';
COMMENT ON COLUMN ingest_reason.file IS 'File name of the extract.';
COMMENT ON COLUMN ingest_reason.outcome IS 'filtered or rejected.';
COMMENT ON COLUMN ingest_reason.reason_code IS 'Filter rule or reject reason code (docs/validation.md).';
COMMENT ON COLUMN ingest_reason.lines IS 'Lines of the file with that outcome and code.';

COMMENT ON COLUMN refresh_compliance.as_of IS 'The instant of the figures (the refresh''s as-of). One row.';
COMMENT ON COLUMN refresh_compliance.open_dossiers IS 'Open dossiers without objection at as_of.';
COMMENT ON COLUMN refresh_compliance.fed_0_7_days_ago IS 'Of them, last fed 0 to 7 whole days before as_of: on time.';
COMMENT ON COLUMN refresh_compliance.fed_8_14_days_ago IS 'Last fed 8 to 14 days before: one weekly refresh missed.';
COMMENT ON COLUMN refresh_compliance.fed_over_14_days_ago IS 'Last fed more than 14 days before.';
COMMENT ON COLUMN refresh_compliance.never_fed IS 'Never fed.';

COMMENT ON COLUMN run_history.run_id IS 'Run number (dmpremb.run). Live.';
COMMENT ON COLUMN run_history.command IS 'The dmpremb command: ingest, dossiers-import, feed, backfill, purge, referentials...';
COMMENT ON COLUMN run_history.started_at IS 'When the run started.';
COMMENT ON COLUMN run_history.ended_at IS 'When it ended; NULL while running (or killed before it could close its row).';
COMMENT ON COLUMN run_history.seconds IS 'Duration in seconds (3 decimals).';
COMMENT ON COLUMN run_history.outcome IS 'running, ok, refused, failed or interrupted.';
COMMENT ON COLUMN run_history.exit_code IS 'Exit status of the command (docs/troubleshooting.md).';
COMMENT ON COLUMN run_history.counts IS 'The run''s numeric counts (lines, documents...), as a JSON object; no identifier.';
COMMENT ON COLUMN run_history.lines_read_per_second IS 'ingest and dossiers import: lines read per second of the run.';
COMMENT ON COLUMN run_history.documents_per_second IS 'feed and backfill: documents stored per second of the run.';

COMMENT ON COLUMN top_code.kind IS 'Kind of code: cip13, lpp, ccam, ngap, nabm or ghm.';
COMMENT ON COLUMN top_code.code IS 'The code as the document shows it.';
COMMENT ON COLUMN top_code.label IS 'Its label in the loaded referentials; NULL when unknown.';
COMMENT ON COLUMN top_code.atc IS 'Most frequent ATC class of the code''s pharmacy lines; NULL otherwise.';
COMMENT ON COLUMN top_code.atc_group IS 'First 3 characters of atc (the therapeutic group).';
COMMENT ON COLUMN top_code.lines IS 'Claim lines (or stays) with that code, care in the 24 months to the refresh''s as-of; NULL below 10 (statistical secrecy). As of the last ingest.';
COMMENT ON COLUMN top_code.rank_in_kind IS 'Rank by lines within the kind (1 = most frequent); NULL when lines is NULL.';
