# tests/test-lib.sh — helpers for the integration scripts tests/cli/tNNNN-*.sh.
#
# Sourced by each script, which runs with PGHOST/PGPORT/PGUSER of the cluster
# that tests/run-integration.sh started (PGUSER, the superuser, is for the
# test's own psql checks), $DMPREMB (the binary under test, through
# tests/tools/dmpremb-as-role: each command under a login of its role only),
# $FIXTURES, $SHARED (may not exist) and $TMP (a scratch directory).
#
#   new_db NAME            create a fresh database, migrate it, export PGDATABASE
#   citus_db NAME          the same on the Citus cluster (started on first use),
#                          distributed with 'db distribute'; PG* then point at its
#                          coordinator. Returns 1, after a loud SKIP line, when
#                          Citus is not installed ('make citus')
#   demo_fed AS_OF         the demo batch loaded, its dossiers imported and fed
#   probe, allowed, denied ROLE SQL   SQL under the test login of ROLE
#   check "desc" CMD...    run CMD; ok when it exits 0
#   check_exit N "desc" CMD...   ok when CMD exits with status N
#   check_eq "desc" WANT GOT     ok when equal (prints both otherwise)
#   sql "SELECT ..."       one value (psql -tA), in the current database
#   skip "desc" "why"      counted as skipped, said loudly
#   finish                 prints the script's tally; exit status 1 on failure
#
# Output never shows data rows of the fixtures' persons: only counts, codes of
# reasons, and positions.
set -u
export PGOPTIONS="-c search_path=dmpremb,public"

T_PASS=0
T_FAIL=0
T_SKIP=0
T_NAME=$(basename "$0" .sh)
# TEST_ON_CITUS=1: new_db makes a Citus database (citus_db), for the scripts
# that run on both (tests/cli/t1120-citus-roles.sh runs t0800 so)
[ "${TEST_ON_CITUS:-}" != 1 ] || T_NAME="$T_NAME@citus"

_tally() {
	if [ "$1" = ok ]; then
		T_PASS=$((T_PASS + 1)); echo "ok - $T_NAME: $2"
	else
		T_FAIL=$((T_FAIL + 1)); echo "not ok - $T_NAME: $2"
	fi
}

new_db() {
	if [ "${TEST_ON_CITUS:-}" = 1 ]; then
		citus_db "$@" || { finish; exit; }
		return
	fi
	PGDATABASE="t_$1"
	export PGDATABASE
	dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1
	createdb "$PGDATABASE" || { echo "cannot create database $PGDATABASE" >&2; exit 1; }
	"$DMPREMB" db migrate >"$TMP/migrate.out" 2>&1 || { cat "$TMP/migrate.out" >&2; exit 1; }
	role_logins
}

citus_db() {
	if ! citus_cluster; then
		return 1
	fi
	PGDATABASE="t_$1"
	export PGDATABASE
	PGCLUSTER_PORT=${CITUS_PORT:-55440} "$TOP/tests/citus-cluster.sh" newdb "$CITUS_DIR" "$PGDATABASE" ||
		{ echo "cannot create Citus database $PGDATABASE" >&2; exit 1; }
	"$DMPREMB" db migrate >"$TMP/migrate.out" 2>&1 || { cat "$TMP/migrate.out" >&2; exit 1; }
	"$DMPREMB" db distribute >"$TMP/distribute.out" 2>&1 || { cat "$TMP/distribute.out" >&2; exit 1; }
	role_logins
}

# citus_cluster: points PG* at the Citus coordinator, starting the cluster the
# first time; 1 (after a SKIP line) when Citus is not installed
citus_cluster() {
	if [ ! -f "$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)/citus.so" ]; then
		skip "Citus cluster" "Citus is not installed into PostgreSQL 15: run 'make citus' (make test does, from ../shared)"
		return 1
	fi
	if [ ! -f "$CITUS_DIR/env" ]; then
		PGCLUSTER_PORT=${CITUS_PORT:-55440} "$TOP/tests/citus-cluster.sh" start "$CITUS_DIR" >/dev/null ||
			{ echo "cannot start the Citus cluster" >&2; exit 1; }
	fi
	. "$CITUS_DIR/env"
	PGHOST=127.0.0.1
	export PGHOST PGPORT PGUSER
}

# role_logins: a login dmpremb_t_X holding only the role dmpremb_X, for each
# role (cluster-wide, made once); tests/tools/dmpremb-as-role runs every
# command under the login of its role.
role_logins() {
	psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL' || { echo "cannot create the role logins" >&2; exit 1; }
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['ingest', 'events', 'feed', 'reader', 'analyst', 'ops'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dmpremb_t_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'dmpremb_t_' || r);
      EXECUTE format('GRANT %I TO %I', 'dmpremb_' || r, 'dmpremb_t_' || r);
    END IF;
  END LOOP;
END $$;
SQL
}

# demo_fed AS_OF: the database of the role tests: referentials, the demo
# batch, the fixture's dossier events and one feed at AS_OF, each command
# under its role's login; the script stops when one fails.
demo_fed() {
	"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
		>"$TMP/setup" 2>&1 &&
	"$DMPREMB" ingest "$FIXTURES/batch-demo" --max-reject-ratio 0.5 >>"$TMP/setup" 2>&1 &&
	"$DMPREMB" dossiers import "$FIXTURES/dossiers.csv" >>"$TMP/setup" 2>&1 &&
	"$DMPREMB" feed --as-of "$1" >>"$TMP/setup" 2>&1 ||
		{ echo "setup failed"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }
}

# probe ROLE SQL: runs the psql script SQL (it may use \gset) under the test
# login dmpremb_t_ROLE, in schema dmpremb: prints "ok", or the SQLSTATE of
# the failure. Its output stays in $TMP/probe.out, its errors in
# $TMP/probe.err. probe_value ROLE SQL: the last line it printed (or its
# error). allowed / denied ROLE SQL: checks that it succeeds / fails with a
# permission error (42501).
probe() {
	printf 'SET search_path TO dmpremb;\n%s\n' "$2" |
		PGUSER=dmpremb_t_$1 psql -X -q -tA -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -f - \
		>"$TMP/probe.out" 2>"$TMP/probe.err" && { echo ok; return; }
	sed -n 's/.*ERROR: *\([0-9A-Z]\{5\}\).*/\1/p' "$TMP/probe.err" | head -1
}
probe_value() {
	probe "$1" "$2" >/dev/null
	cat "$TMP/probe.out" "$TMP/probe.err" | tail -1
}
allowed() { check_eq "$1 may: $2" ok "$(probe "$1" "$2")"; }
denied() { check_eq "$1 may not: $2" 42501 "$(probe "$1" "$2")"; }

check() {
	desc=$1; shift
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		_tally ok "$desc"
	else
		_tally fail "$desc (exit $?)"; sed 's/^/    | /' "$TMP/err" | head -20
	fi
}

check_exit() {
	want=$1; desc=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" = "$want" ]; then
		_tally ok "$desc"
	else
		_tally fail "$desc (exit $got, expected $want)"; sed 's/^/    | /' "$TMP/err" | head -20
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then
		_tally ok "$1"
	else
		_tally fail "$1"; printf '    | expected: %s\n    | got:      %s\n' "$2" "$3"
	fi
}

# check_grep "desc" PATTERN FILE: ok when FILE has a line matching PATTERN
check_grep() {
	if grep -q -- "$2" "$3"; then
		_tally ok "$1"
	else
		_tally fail "$1"; echo "    | no line matches: $2"; sed 's/^/    | /' "$3" | head -10
	fi
}

sql() {
	psql -X -q -tA -v ON_ERROR_STOP=1 -c "$1"
}

skip() {
	T_SKIP=$((T_SKIP + 1))
	echo "SKIP - $T_NAME: $1: $2"
}

finish() {
	echo "# $T_NAME: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" = 0 ]
}

# table_sums [EXCLUDED_COLUMNS_SQL [ROW_SQL]]: "table md5" per data table of
# schema dmpremb (not run bookkeeping), over its rows as JSON (j) without the
# columns the SQL condition on pg_attribute a selects ("false": none), each
# row first rewritten by ROW_SQL (default: j itself). Prints no row. A
# table whose sum comes out empty is a broken probe: it says so and fails,
# so that no comparison built on it can pass by comparing nothing.
table_sums() {
	psql -X -q -tA -F ' ' -v ON_ERROR_STOP=1 -v excluded="${1:-false}" -v row="${2:-j}" <<'SQL' | awk '
		NF != 2 { print "table_sums: no sum for " $1 > "/dev/stderr"; bad = 1 } { print }
		END { exit bad }'
SELECT c.relname,
       (xpath('/table/row/d/text()', query_to_xml(format(
         'SELECT coalesce(md5(string_agg(j, ''|'' ORDER BY j)), ''-'') AS d'
         ' FROM (SELECT ' || :'row' || ' AS j FROM (SELECT (to_jsonb(x) - %L::text[])::text AS j'
         ' FROM dmpremb.%I x) x) y',
         (SELECT coalesce(array_agg(a.attname::text), '{}') FROM pg_attribute a
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND (:excluded)),
         c.relname), false, false, '')))[1]::text
FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
WHERE s.nspname = 'dmpremb' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname NOT IN ('run', 'schema_migration')
ORDER BY 1
SQL
}

# db_digest: one md5 over every data table's full content, to assert that a
# refused or repeated command changed nothing ("broken" if the probe is).
db_digest() {
	{ table_sums || echo "broken $$ $(date +%s%N)"; } | md5sum | cut -c1-32
}

# db_content: table_sums without the columns that differ between an
# interrupted-then-resumed history and an uninterrupted one by design:
# timestamps, transaction ids (destruction_pending.xact), and the run, batch
# and trace numbers drawn from sequences (a rolled-back transaction still
# uses them), also where a reject's reason quotes one ("already loaded by
# batch 7"). Crash tests compare it with an uninterrupted run's.
db_content() {
	table_sums "a.atttypid IN ('timestamptz'::regtype, 'xid8'::regtype) OR a.attname IN ('run_id', 'batch_id', 'trace_no')" \
		"regexp_replace(j, 'by batch [0-9]+', 'by batch N', 'g')"
}

# batch_counts LABEL: "file<TAB>read<TAB>loaded<TAB>filtered<TAB>rejected<TAB>duplicate" lines,
# in the order of the EXPECTED.tsv files (header included).
batch_counts() {
	echo "file	read	loaded	filtered	rejected	duplicate"
	psql -X -q -tA -F '	' -c "SELECT f.file_name, lines_read, loaded, filtered, rejected, duplicate
	  FROM dmpremb.batch_file f JOIN dmpremb.batch b USING (batch_id) WHERE b.label = '$1'
	  ORDER BY array_position(ARRAY['beneficiaires.csv','pharmacie.csv','hospitalisation.csv',
	    'actes.csv','radiologie.csv','biologie.csv','professionnels.csv','etablissements.csv'], f.file_name)"
}

# doc_xml INS_C FILE: the stored document of a dossier, byte for byte, into FILE
doc_xml() {
	psql -X -q -tA -v ON_ERROR_STOP=1 \
		-c "SELECT encode(convert_to(xml, 'UTF8'), 'base64') FROM dmpremb.document WHERE ins_c = '$1'" |
		base64 -d >"$2"
}

# export_docs DIR: every stored document into DIR/NNNN.xml (numbered, so that
# no identifier appears in file names or in a validator's output)
export_docs() {
	mkdir -p "$1"
	psql -X -q -tA -v ON_ERROR_STOP=1 -c "SELECT ins_c FROM dmpremb.document ORDER BY ins_c" |
	{
		n=0
		while read -r ic; do
			n=$((n + 1))
			doc_xml "$ic" "$1/$(printf '%04d' $n).xml"
		done
	}
}

# cda_validate "desc" FILES...: ok when ../shared/cda-kit/cda-validate finds
# every file XSD-valid with zero findings in the six schematrons (skipped,
# loudly, without ../shared). The validator's report stays in $TMP/validate.out.
cda_validate() {
	desc=$1; shift
	if [ ! -x "$SHARED/cda-kit/cda-validate" ]; then
		skip "$desc" "$SHARED/cda-kit/cda-validate not found"
		return
	fi
	if "$SHARED/cda-kit/cda-validate" "$@" >"$TMP/validate.out" 2>&1; then
		_tally ok "$desc ($(grep -c ': xsd ok, schematron failed-asserts 0 ' "$TMP/validate.out") documents)"
	else
		_tally fail "$desc"
		grep -v ': xsd ok, schematron failed-asserts 0 ' "$TMP/validate.out" | sed 's/^/    | /' | head -20
	fi
}
