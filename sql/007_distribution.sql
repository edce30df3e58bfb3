-- sql/007_distribution.sql — the schema keeps the rules of a Citus cluster.
--
-- Spread over several nodes, the dossier-scoped tables are distributed by
-- ins_c and co-located; the referentials are reference tables, replicated to
-- every node; runs, batches and bookkeeping stay on the coordinator
-- (docs/scale.md, "Distribution"; tests/cli/t1000-citus-ready.sh checks the
-- catalog against that list). Citus refuses a primary key, a unique
-- constraint or a unique index of a distributed table that does not contain
-- its distribution column: a shard cannot check uniqueness across shards.
--
-- backfill_item had one: the unique index (run_id, seq). It serves the
-- backfill's keyset walk over its list (WHERE run_id = $1 AND seq > $2
-- ORDER BY seq, load/feed_io.c); its uniqueness checked nothing the writer
-- does not already guarantee: the list is written once, in one INSERT,
-- seq = row_number() over the run's INS-Cs (cli/cmd_backfill.c), and the
-- primary key (ins_c, run_id) still refuses a dossier listed twice in a run.
-- It becomes a plain index on the same columns, which serves the same walk.
-- purge_backfill_lists() (006) still picks a slice of items by (run_id,
-- seq): each pair is one item, by the same construction; were one repeated,
-- the slice would only be larger, never reach into another list.

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

DROP INDEX backfill_item_seq;
CREATE INDEX backfill_item_seq ON backfill_item (run_id, seq);
COMMENT ON INDEX backfill_item_seq IS 'The backfill''s walk over its list in seq order; not unique: a distributed table''s unique keys contain ins_c (the primary key (ins_c, run_id) is the item''s key).';
