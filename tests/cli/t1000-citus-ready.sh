#!/bin/sh
# tests/cli/t1000-citus-ready.sh — the schema can be spread over several nodes
# with Citus as it is (docs/scale.md, "Distribution"), read from the catalog.
#
# Every table of the schemas dmpremb_owner owns is in exactly one of the three
# lists below; a new table fails this test until someone decides where it
# goes. The probe (probe.sql, written below) reads pg_class, pg_attribute,
# pg_constraint and pg_index and prints one line per broken rule:
#   - every table is in one list, and every listed table exists;
#   - a distributed table has a NOT NULL text column ins_c, and only
#     distributed tables carry one (dossier data is never replicated nor left
#     on the coordinator);
#   - every primary key, unique constraint, unique index and exclusion
#     constraint (ins_c WITH =) of a distributed table has ins_c among its key
#     columns (Citus refuses the others: a shard cannot check uniqueness
#     across shards);
#   - a foreign key stays within its class (local to local, reference to
#     reference) or goes from a distributed table to a reference table, or
#     from a distributed table to another on ins_c = ins_c (co-located);
#   - an identity column of a distributed or reference table is bigint, and
#     none is on a partitioned distributed table (Citus 13 at least).
# The rules are Citus's documented limits, read from a single node's catalog
# (t1100 checks what 'db distribute' makes of the lists on a real cluster).
# The probe is then run on scratch tables that break each rule, in a
# throwaway database, and must flag exactly those: it checks itself.
. "$TESTLIB"
new_db citus

# --- the classification (a partition takes its parent's class) -------------
# DISTRIBUTED, REFERENCE, LOCAL: also what t1100 checks 'db distribute' made
. "$TOP/tests/tools/distribution.sh"

cat >"$TMP/probe.sql" <<'SQL'
-- variables: schemas, dist, ref, local (names separated by white space)
WITH lists AS (
    SELECT x AS name, 'distributed' AS cls FROM regexp_split_to_table(trim(:'dist'), '\s+') x
    UNION ALL SELECT x, 'reference' FROM regexp_split_to_table(trim(:'ref'), '\s+') x
    UNION ALL SELECT x, 'local' FROM regexp_split_to_table(trim(:'local'), '\s+') x),
tabs AS (   -- tables, partitions, materialised and foreign tables; extensions' aside
    SELECT c.oid, n.nspname || '.' || c.relname AS name, c.relkind, c.relispartition,
           coalesce(pg_partition_root(c.oid), c.oid) AS root
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY (regexp_split_to_array(trim(:'schemas'), '\s+'))
       AND c.relkind IN ('r', 'p', 'm', 'f')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')),
t AS (      -- with its class (a partition: its root's; two classes: 'a,b') and its ins_c
    SELECT s.oid, s.name, s.relkind, s.relispartition,
           (SELECT string_agg(DISTINCT l.cls, ',' ORDER BY l.cls) FROM tabs r JOIN lists l ON l.name = r.name
             WHERE r.oid = s.root) AS cls,
           a.attnum AS insc, a.atttypid AS insc_type, a.attnotnull AS insc_notnull
      FROM tabs s
      LEFT JOIN pg_attribute a ON a.attrelid = s.oid AND a.attname = 'ins_c' AND NOT a.attisdropped),
fk AS (     -- foreign keys as declared (not the copies on partitions)
    SELECT k.conname, k.conkey, k.confkey, c.name AS child, c.cls AS ccls, c.insc AS cinsc,
           pn.nspname || '.' || pc.relname AS parent, coalesce(p.cls, 'unclassified') AS pcls, p.insc AS pinsc
      FROM pg_constraint k JOIN t c ON c.oid = k.conrelid LEFT JOIN t p ON p.oid = k.confrelid
      JOIN pg_class pc ON pc.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
     WHERE k.contype = 'f' AND k.conparentid = 0)
SELECT v FROM (
    SELECT name || ': in no list (distributed by ins_c, reference or local)' AS v
      FROM t WHERE cls IS NULL AND NOT relispartition
    UNION ALL
    SELECT name || ': in two lists (' || cls || ')' FROM t WHERE cls LIKE '%,%' AND NOT relispartition
    UNION ALL
    SELECT l.name || ': listed as ' || l.cls || ' but not in the catalog' FROM lists l
     WHERE l.name <> '' AND NOT EXISTS (SELECT 1 FROM tabs r WHERE r.name = l.name AND NOT r.relispartition)
    UNION ALL
    SELECT name || ': distributed without an ins_c column' FROM t WHERE cls = 'distributed' AND insc IS NULL
    UNION ALL
    SELECT name || ': ins_c is ' || format_type(insc_type, NULL) || ', not text (co-location needs one type)'
      FROM t WHERE cls = 'distributed' AND insc_type <> 'text'::regtype
    UNION ALL
    SELECT name || ': ins_c may be NULL' FROM t WHERE cls = 'distributed' AND NOT insc_notnull
    UNION ALL
    SELECT name || ': carries ins_c but is ' || cls || ' (dossier data is distributed)'
      FROM t WHERE insc IS NOT NULL AND cls IN ('reference', 'local') AND NOT relispartition
    UNION ALL
    SELECT t.name || ': ' || CASE k.contype WHEN 'p' THEN 'primary key ' ELSE 'unique constraint ' END
           || k.conname || ' without ins_c'
      FROM t JOIN pg_constraint k ON k.conrelid = t.oid
     WHERE t.cls = 'distributed' AND k.contype IN ('p', 'u') AND k.conparentid = 0
       AND NOT coalesce(t.insc = ANY (k.conkey), false)
    UNION ALL
    SELECT t.name || ': exclusion constraint ' || k.conname || ' without ins_c WITH ='
      FROM t JOIN pg_constraint k ON k.conrelid = t.oid
     WHERE t.cls = 'distributed' AND k.contype = 'x' AND k.conparentid = 0
       AND NOT EXISTS (SELECT 1 FROM unnest(k.conkey, k.conexclop) e (att, op) JOIN pg_operator o ON o.oid = e.op
                        WHERE e.att = t.insc AND o.oprname = '=')
    UNION ALL
    -- unique indexes behind no constraint, the partitions' copies aside
    SELECT t.name || ': unique index ' || ic.relname || ' without ins_c'
      FROM t JOIN pg_index i ON i.indrelid = t.oid JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE t.cls = 'distributed' AND i.indisunique
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = t.oid AND k.conindid = i.indexrelid
                          AND k.contype IN ('p', 'u', 'x'))
       AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
       AND NOT coalesce(t.insc = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]), false)
    UNION ALL
    SELECT child || ': foreign key ' || conname || ' to ' || parent || ' does not map ins_c to ins_c'
      FROM fk WHERE ccls = 'distributed' AND pcls = 'distributed'
       AND NOT EXISTS (SELECT 1 FROM unnest(conkey, confkey) m (c, p) WHERE m.c = cinsc AND m.p = pinsc)
    UNION ALL
    SELECT child || ': foreign key ' || conname || ' to ' || parent || ': ' || coalesce(ccls, 'unclassified')
           || ' to ' || pcls
      FROM fk WHERE NOT (ccls = pcls OR (ccls = 'distributed' AND pcls = 'reference'))
                 OR ccls IS NULL OR pcls = 'unclassified'
    UNION ALL
    SELECT t.name || ': identity column ' || a.attname || ' is ' || format_type(a.atttypid, NULL)
           || ', not bigint'
      FROM t JOIN pg_attribute a ON a.attrelid = t.oid
     WHERE t.cls IN ('distributed', 'reference') AND NOT t.relispartition AND a.attidentity <> ''
       AND NOT a.attisdropped AND a.atttypid <> 'bigint'::regtype
    UNION ALL
    SELECT t.name || ': identity column ' || a.attname || ' on a partitioned distributed table'
      FROM t JOIN pg_attribute a ON a.attrelid = t.oid
     WHERE t.cls = 'distributed' AND t.relkind = 'p' AND a.attidentity <> '' AND NOT a.attisdropped
) x ORDER BY 1;
SQL

# probe DB SCHEMAS DIST REF LOCAL [SQL]: the probe's lines (none: all rules
# hold), in one transaction rolled back, after SQL if given; "probe failed"
# if the probe itself did not run
probe() {
	printf 'BEGIN;\n%s\n\\i %s\nROLLBACK;\n' "${6:-}" "$TMP/probe.sql" |
		psql -X -q -tA -v ON_ERROR_STOP=1 -d "$1" -v schemas="$2" -v dist="$3" -v ref="$4" -v local="$5" \
			2>"$TMP/probe.err" || { echo "probe failed"; sed 's/^/    | /' "$TMP/probe.err"; }
}

# --- the schema of this build ---------------------------------------------
schemas=$(sql "SELECT string_agg(nspname, ' ' ORDER BY nspname) FROM pg_namespace
                WHERE nspowner = 'dmpremb_owner'::regrole")
check_eq "the schemas dmpremb_owner owns (a new one needs a decision here)" \
	"analytics analytics_private dmpremb" "$schemas"
probe "$PGDATABASE" "$schemas" "$DISTRIBUTED" "$REFERENCE" "$LOCAL" >"$TMP/violations"
check_eq "every table is classified and keeps the rules of its class" "" "$(cat "$TMP/violations")"
check_eq "the lists name $(echo $DISTRIBUTED | wc -w) distributed, $(echo $REFERENCE | wc -w) reference, $(echo $LOCAL | wc -w) local tables, each once" \
	"$(echo $DISTRIBUTED $REFERENCE $LOCAL | wc -w)" \
	"$(echo $DISTRIBUTED $REFERENCE $LOCAL | tr ' ' '\n' | sort -u | wc -l)"
check_eq "the partitions of claim_line are distributed with it (none left out)" "" \
	"$(probe "$PGDATABASE" "$schemas" "$DISTRIBUTED" "$REFERENCE" "$LOCAL" \
		"DO \$\$ BEGIN PERFORM dmpremb.claim_line_partition('2031-05-17'); END \$\$;")"
check_eq "backfill_item: (run_id, seq) is indexed, not unique" "f" \
	"$(sql "SELECT indisunique FROM pg_index WHERE indexrelid = 'dmpremb.backfill_item_seq'::regclass")"
# the regression this migration fixed, put back for a moment: flagged
check_eq "a unique index like the old backfill_item_seq is flagged" \
	"dmpremb.backfill_item: unique index backfill_item_run_seq without ins_c" \
	"$(probe "$PGDATABASE" "$schemas" "$DISTRIBUTED" "$REFERENCE" "$LOCAL" \
		"CREATE UNIQUE INDEX backfill_item_run_seq ON dmpremb.backfill_item (run_id, seq);")"
check_eq "a new table in schema dmpremb is flagged until it is classified" \
	"dmpremb.new_table: in no list (distributed by ins_c, reference or local)" \
	"$(probe "$PGDATABASE" "$schemas" "$DISTRIBUTED" "$REFERENCE" "$LOCAL" \
		"CREATE TABLE dmpremb.new_table (ins_c text PRIMARY KEY);")"

# --- the probe checks itself: scratch tables that break each rule ----------
scratch=t_citus_scratch
dropdb --if-exists "$scratch" >/dev/null 2>&1
createdb "$scratch" || { echo "cannot create database $scratch"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d "$scratch" >"$TMP/scratch.out" 2>&1 <<'SQL' || { sed 's/^/    | /' "$TMP/scratch.out"; exit 1; }
CREATE SCHEMA s;
SET search_path TO s;
-- parents, one per class, and tables that keep every rule
CREATE TABLE d_parent (ins_c text NOT NULL, id int NOT NULL, PRIMARY KEY (ins_c, id));
CREATE TABLE r_parent (code text PRIMARY KEY);
CREATE TABLE l_parent (id int PRIMARY KEY);
CREATE TABLE good (ins_c text NOT NULL, id int NOT NULL, code text REFERENCES r_parent,
                   run_id bigint, seq bigint, n bigint GENERATED ALWAYS AS IDENTITY,
                   PRIMARY KEY (ins_c, id), UNIQUE (id, ins_c), EXCLUDE USING btree (ins_c WITH =, id WITH =),
                   FOREIGN KEY (ins_c, id) REFERENCES d_parent (ins_c, id));
CREATE INDEX good_seq ON good (run_id, seq);
CREATE UNIQUE INDEX good_uniq ON good (seq, ins_c) WHERE seq > 0;
CREATE TABLE good_ref (code text PRIMARY KEY REFERENCES r_parent, n bigint GENERATED BY DEFAULT AS IDENTITY);
CREATE TABLE good_local (id int PRIMARY KEY REFERENCES l_parent, n int GENERATED ALWAYS AS IDENTITY);
CREATE TABLE part (ins_c text NOT NULL, d date NOT NULL, PRIMARY KEY (ins_c, d)) PARTITION BY RANGE (d);
CREATE TABLE part_2026 PARTITION OF part FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM good;
CREATE UNIQUE INDEX ON mv (n);
-- one broken rule each
CREATE TABLE unlisted (ins_c text PRIMARY KEY);
CREATE TABLE twice (code text PRIMARY KEY);
CREATE TABLE no_insc (id int);
CREATE TABLE insc_int (ins_c bigint NOT NULL);
CREATE TABLE insc_null (ins_c text);
CREATE TABLE ref_insc (ins_c text PRIMARY KEY);
CREATE TABLE local_insc (ins_c text);
CREATE TABLE pk_off (ins_c text NOT NULL, id int PRIMARY KEY);
CREATE TABLE uniq_off (ins_c text NOT NULL, id int, CONSTRAINT uniq_off_id UNIQUE (id));
CREATE TABLE uidx_off (ins_c text NOT NULL, run_id bigint, seq bigint);
CREATE UNIQUE INDEX uidx_off_seq ON uidx_off (run_id, seq);
CREATE UNIQUE INDEX uidx_off_incl ON uidx_off (seq) INCLUDE (ins_c);
CREATE UNIQUE INDEX uidx_off_expr ON uidx_off (lower(ins_c), seq);
CREATE TABLE excl_off (ins_c text NOT NULL, id int, CONSTRAINT excl_off_id EXCLUDE USING btree (id WITH =));
CREATE UNIQUE INDEX part_2026_d ON part_2026 (d);
CREATE TABLE fk_dist_local (ins_c text NOT NULL, id int CONSTRAINT fk_dl REFERENCES l_parent);
CREATE TABLE fk_dist_dist (ins_c text NOT NULL, owner text, id int,
                           CONSTRAINT fk_dd FOREIGN KEY (owner, id) REFERENCES d_parent (ins_c, id));
CREATE TABLE fk_ref_dist (code text PRIMARY KEY, person text, id int,
                          CONSTRAINT fk_rd FOREIGN KEY (person, id) REFERENCES d_parent (ins_c, id));
CREATE TABLE fk_ref_local (code text PRIMARY KEY, id int CONSTRAINT fk_rl REFERENCES l_parent);
CREATE TABLE fk_local_ref (id int, code text CONSTRAINT fk_lr REFERENCES r_parent);
CREATE TABLE fk_local_dist (id int, person text,
                            CONSTRAINT fk_ld FOREIGN KEY (person, id) REFERENCES d_parent (ins_c, id));
CREATE TABLE outside (id int PRIMARY KEY);
CREATE TABLE fk_outside (ins_c text NOT NULL, id int CONSTRAINT fk_o REFERENCES outside);
ALTER TABLE outside SET SCHEMA public;
CREATE TABLE ident_int (ins_c text NOT NULL, n int GENERATED ALWAYS AS IDENTITY);
CREATE TABLE ident_part (ins_c text NOT NULL, d date NOT NULL, n bigint GENERATED ALWAYS AS IDENTITY)
    PARTITION BY RANGE (d);
SQL
S_DIST="s.d_parent s.good s.part s.twice s.no_insc s.insc_int s.insc_null s.pk_off s.uniq_off s.uidx_off
	s.excl_off s.fk_dist_local s.fk_dist_dist s.fk_outside s.ident_int s.ident_part s.gone"
S_REF="s.r_parent s.good_ref s.twice s.ref_insc s.fk_ref_dist s.fk_ref_local"
S_LOCAL="s.l_parent s.good_local s.mv s.local_insc s.fk_local_ref s.fk_local_dist"
probe "$scratch" s "$S_DIST" "$S_REF" "$S_LOCAL" >"$TMP/scratch.got"
cat >"$TMP/scratch.want" <<'EOF'
s.excl_off: exclusion constraint excl_off_id without ins_c WITH =
s.fk_dist_dist: foreign key fk_dd to s.d_parent does not map ins_c to ins_c
s.fk_dist_local: foreign key fk_dl to s.l_parent: distributed to local
s.fk_local_dist: foreign key fk_ld to s.d_parent: local to distributed
s.fk_local_ref: foreign key fk_lr to s.r_parent: local to reference
s.fk_outside: foreign key fk_o to public.outside: distributed to unclassified
s.fk_ref_dist: foreign key fk_rd to s.d_parent: reference to distributed
s.fk_ref_local: foreign key fk_rl to s.l_parent: reference to local
s.gone: listed as distributed but not in the catalog
s.ident_int: identity column n is integer, not bigint
s.ident_part: identity column n on a partitioned distributed table
s.insc_int: ins_c is bigint, not text (co-location needs one type)
s.insc_null: ins_c may be NULL
s.local_insc: carries ins_c but is local (dossier data is distributed)
s.no_insc: distributed without an ins_c column
s.part_2026: unique index part_2026_d without ins_c
s.pk_off: primary key pk_off_pkey without ins_c
s.ref_insc: carries ins_c but is reference (dossier data is distributed)
s.twice: in two lists (distributed,reference)
s.uidx_off: unique index uidx_off_expr without ins_c
s.uidx_off: unique index uidx_off_incl without ins_c
s.uidx_off: unique index uidx_off_seq without ins_c
s.uniq_off: unique constraint uniq_off_id without ins_c
s.unlisted: in no list (distributed by ins_c, reference or local)
EOF
if diff -u "$TMP/scratch.want" "$TMP/scratch.got" >"$TMP/scratch.diff"; then
	_tally ok "the probe flags each broken rule of the scratch tables, and nothing else ($(wc -l <"$TMP/scratch.want") lines)"
else
	_tally fail "the probe flags each broken rule of the scratch tables, and nothing else"
	sed 's/^/    | /' "$TMP/scratch.diff"
fi
dropdb "$scratch"
finish
