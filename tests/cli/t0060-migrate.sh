#!/bin/sh
# tests/cli/t0060-migrate.sh — `dmpremb db migrate` and `db version` on one
# PostgreSQL: stepwise (--to), idempotent, safe when two run at once, each
# migration whole or not at all, and a migration whose text changed after it
# was applied refused. (On Citus: t1100.)
. "$TESTLIB"

PGDATABASE=t_migrate
export PGDATABASE
dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1
createdb "$PGDATABASE" || { echo "cannot create database $PGDATABASE"; exit 1; }
latest=$("$DMPREMB" db version 2>/dev/null | sed -n 's/.*this binary carries version \([0-9]*\).*/\1/p')
check "db version on a database never migrated says the binary's version ($latest)" test -n "$latest"
check_eq "... and version 0 for the database" "database schema version 0; this binary carries version $latest" \
	"$("$DMPREMB" db version)"

check "db migrate --to 3" "$DMPREMB" db migrate --to 3
check_grep "... says how many it applied" "schema at version 3 (3 migrations applied now)" "$TMP/out"
check_eq "... and records each one with its digest" "3 3" \
	"$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE sha256 ~ '^[0-9a-f]{64}$') FROM dmpremb.schema_migration")"

# two runs at once: the lock makes one wait for the other; both succeed, every
# migration is applied once
"$DMPREMB" db migrate >"$TMP/m1" 2>&1 &
p1=$!
"$DMPREMB" db migrate >"$TMP/m2" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check_eq "two db migrate at once both succeed" "0 0" "$r1 $r2"
check_eq "... every migration applied once" "$latest $latest" \
	"$(sql "SELECT count(*) || ' ' || count(DISTINCT version) FROM dmpremb.schema_migration")"
check_eq "... together $((latest - 3)) applied now" "$((latest - 3))" \
	"$(cat "$TMP/m1" "$TMP/m2" | sed -n 's/.*(\([0-9]*\) migrations\{0,1\} applied now).*/\1/p' | awk '{ s += $1 } END { print s }')"
check "a third run applies nothing" "$DMPREMB" db migrate
check_grep "... and says so" "schema at version $latest (0 migrations applied now)" "$TMP/out"

# a migration whose recorded digest differs: its text changed after it was applied
sql "UPDATE dmpremb.schema_migration SET sha256 = repeat('0', 64) WHERE version = 2" >/dev/null
check_exit 78 "a migration changed after it was applied is refused" "$DMPREMB" db migrate
check_grep "... naming it and what to do" "migration 002_.* was changed after it was applied; add a new migration instead" \
	"$TMP/err"

# whole or not at all: a migration that fails leaves nothing of itself
PGDATABASE=t_migrate_fail
dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1
createdb "$PGDATABASE"
"$DMPREMB" db migrate --to 1 >/dev/null 2>&1
# a table 002 creates, made beforehand: 002 fails part-way
first=$(sed -n 's/^CREATE TABLE \([a-z_]*\) *(.*/\1/p' "$TOP"/sql/002_*.sql | head -1)
check "002 creates a table ($first)" test -n "$first"
sql "CREATE TABLE dmpremb.$first (x int)" >/dev/null
check_exit 70 "a migration that fails exits 70" "$DMPREMB" db migrate
check_grep "... naming the migration" "migration 002_" "$TMP/err"
check_eq "... and none of it is recorded" 1 "$(sql "SELECT max(version) FROM dmpremb.schema_migration")"
check_eq "... nor applied (no other table of it exists)" 0 \
	"$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'dmpremb' AND tablename LIKE 'ref\\_%'
		AND tablename <> '$first'")"
finish
