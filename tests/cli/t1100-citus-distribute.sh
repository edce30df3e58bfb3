#!/bin/sh
# tests/cli/t1100-citus-distribute.sh — `dmpremb db migrate` and `dmpremb db
# distribute` on a real Citus cluster (a coordinator and two workers, started
# by test-lib.sh citus_cluster): what it refuses, what it makes of each table,
# that it is idempotent, that it leaves no row behind on the coordinator, that
# the group roles can reach the workers, and that a migration applied after
# distribution reaches every node.
. "$TESTLIB"

# --- refused on one PostgreSQL without Citus (the harness's single node)
new_db nocitus
check_exit 78 "db distribute refuses a database without Citus" "$DMPREMB" db distribute
check_grep "... saying what a Citus database needs" "this database has no Citus" "$TMP/err"
check_exit 64 "--shard-count belongs to db distribute" "$DMPREMB" db migrate --shard-count 8
check_exit 64 "--to belongs to db migrate" "$DMPREMB" db distribute --to 3

citus_cluster || { finish; exit; }

# --- a Citus database migrated one step short of distributable
PGDATABASE=t_citus_dist
export PGDATABASE
PGCLUSTER_PORT=${CITUS_PORT:-55440} "$TOP/tests/citus-cluster.sh" newdb "$CITUS_DIR" "$PGDATABASE" || { echo "cannot create the database"; exit 1; }
check "db migrate --to 9 on a Citus coordinator" "$DMPREMB" db migrate --to 9
check_eq "... stops at version 9" 9 "$(sql "SELECT max(version) FROM dmpremb.schema_migration")"
check_eq "... and keeps the schema on the coordinator (no table on a worker)" 0 \
	"$(sql "SELECT count(*) FROM pg_dist_partition")"
check_exit 78 "db distribute refuses a schema older than version 10" "$DMPREMB" db distribute
check_grep "... naming db migrate" "run 'dmpremb db migrate' first" "$TMP/err"
check_exit 78 "db distribute refuses a worker node" env PGPORT="${CITUS_WORKER_PORTS%% *}" "$DMPREMB" db distribute
check_grep "... saying to run it on the coordinator" "not the Citus coordinator" "$TMP/err"

check "db migrate --to 10" "$DMPREMB" db migrate --to 10
# rows written before distribution: Citus copies them to the shards
sql "INSERT INTO dmpremb.dossier (ins_c, state) SELECT lpad(i::text, 22, '7'), 'open' FROM generate_series(1, 50) i" >/dev/null
check "db distribute" "$DMPREMB" db distribute --shard-count 8
check_grep "... reports every table made" "8 shards: 15 reference and 10 distributed tables made now, 0 already" "$TMP/out"

# --- what each table became: the lists of docs/scale.md, "Distribution"
. "$TOP/tests/tools/distribution.sh"
sorted() { printf '%s\n' $1 | sort | tr '\n' ' '; }
citus_tables() {  # the Citus tables of method $1 (n: reference, h: hash), partitions aside
	sql "SELECT n.nspname || '.' || c.relname FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
	     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.partmethod = '$1' AND NOT c.relispartition" |
		sort | tr '\n' ' '
}
check_eq "the reference tables are the list's" "$(sorted "$REFERENCE")" "$(citus_tables n)"
check_eq "the distributed tables are the list's" "$(sorted "$DISTRIBUTED")" "$(citus_tables h)"
check_eq "15 reference tables: the referentials, professional, establishment, the pseudonym key" 15 \
	"$(sql "SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'n'")"
check_eq "10 tables distributed by ins_c in one co-location group of 8 shards" "10 1 ins_c 8" \
	"$(sql "SELECT count(*) || ' ' || count(DISTINCT colocation_id) || ' ' || min(distribution_column) || ' ' || max(shard_count)
	         FROM citus_tables WHERE citus_table_type = 'distributed'")"
check_eq "run, batch, reject and the analytics bookkeeping stay local to the coordinator" "" \
	"$(sql "SELECT string_agg(t, ' ') FROM unnest(ARRAY['dmpremb.run', 'dmpremb.batch', 'dmpremb.batch_file',
	         'dmpremb.reject', 'dmpremb.claim_stat', 'analytics_private.refreshed']) t
	         WHERE t::regclass IN (SELECT logicalrelid FROM pg_dist_partition)")"
check_eq "the rows written before distribution are on the shards" 50 "$(sql "SELECT count(*) FROM dmpremb.dossier")"
check_eq "... and no longer in the coordinator's own files (truncated after the copy)" 0 \
	"$(sql "SELECT pg_relation_size('dmpremb.dossier')")"

# --- idempotent
check "db distribute again" "$DMPREMB" db distribute
check_grep "... makes nothing, finds all 25 tables in place" "0 reference and 0 distributed tables made now, 25 already in place" "$TMP/out"
check_eq "... and keeps the shard count" 8 \
	"$(sql "SELECT shard_count FROM citus_tables WHERE table_name = 'dmpremb.dossier'::regclass")"

# --- the group roles reach the workers (Citus connects as the current role)
check_eq "every group role may log in on both workers" "" \
	"$(sql "SELECT string_agg(result, ' ') FROM run_command_on_workers(
	         \$\$SELECT string_agg(rolname, ',') FROM pg_roles WHERE rolname IN ('dmpremb_owner', 'dmpremb_ingest',
	           'dmpremb_feed', 'dmpremb_reader', 'dmpremb_analyst', 'dmpremb_ops') AND NOT rolcanlogin\$\$)
	         WHERE result <> ''")"
# --- a migration after distribution reaches every node (the probes below
# then run on the schema it made)
latest=$("$DMPREMB_UNDER_TEST" db version | sed -n 's/.*carries version \([0-9]*\).*/\1/p')
if [ "$latest" -gt 10 ]; then
	check "db migrate on the distributed database applies the later migrations" "$DMPREMB" db migrate
	check_eq "... up to the binary's version" "$latest" "$(sql "SELECT max(version) FROM dmpremb.schema_migration")"
else
	skip "a migration after distribution" "this binary carries no migration after 010"
fi
role_logins
check_eq "the feed role reads dossiers over its shards" ok "$(probe feed "SELECT count(*) FROM dossier")"
check_eq "the events role, made by 011 after distribution, reads the events' shards" ok \
	"$(probe events "SELECT count(*) FROM dossier_event")"
check_eq "the reader role may not read claims on the workers either" 42501 \
	"$(probe reader "SELECT count(*) FROM claim_line")"
check_eq "the reader role may not read a shard of beneficiary on a worker directly" 42501 \
	"$(PGPORT="${CITUS_WORKER_PORTS%% *}" probe reader \
	   "SELECT count(*) FROM $(sql "SELECT shard_name FROM citus_shards WHERE table_name = 'dmpremb.beneficiary'::regclass LIMIT 1")")"

finish
