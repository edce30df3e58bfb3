#!/bin/sh
# bench/sql_feed_check.sh — does the pure-SQL feed (bench/sql_feed.sql) build
# the documents `dmpremb feed` builds? The benchmark compares the two; this
# checks the comparison is between the same work.
#
#   bench/sql_feed_check.sh [PERSONS]       (default 300: a minute or two)
#
# In a private cluster (tests/pgcluster.sh, PGCLUSTER_PORT 55471): the
# referentials ($SHARED/referentials, SHARED defaulting to ../shared, else
# fixtures/referentials), a fixtures/gen batch of PERSONS persons with a
# CREATION each, a few closures, objections and a death among them, and
# fixtures/batch-demo with fixtures/dossiers.csv (unknown codes, missing
# names, reversals, stays, deleted and reactivated dossiers, dossiers created
# after the as-of). Then two rounds, each `dmpremb feed` and
# bench.sql_feed() at the same as-of:
#   1. 2026-11-15 12:00 +01, the first feeds (version 1);
#   2. 2026-11-16 12:00 +01 with --refresh-days 1, the refreshes (version 2,
#      relatedDocument) and the dossiers created on the 16th (version 1).
# After each round it compares, dossier by dossier, the C document
# (dmpremb.document) with the SQL one (bench.sql_document). In SQL, by XPath:
# the same dossiers and versions; per section as many table rows and entries
# as the C document's section_rows; the same sums of quantities; the same
# header (patient, times, versions). In Python: the same (code, label) pairs,
# and the whole trees, equal but for the generated ids, so every cell (H,
# dates, codes, labels, quantities, people, places) and every coded value.
# Prints counts only (never an identifier, a name or a code)
# and the time each feed took (informational), then PASS or FAIL; exits 1 on
# a difference. KEEP_TMP=1 keeps the work directory (cluster stopped).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
persons=${1:-300}
make -s bin/dmpremb
. bench/lib.sh
bench_refs
bench_cluster "${PGCLUSTER_PORT:-55471}" dmpremb-sqlfeed
export PGDATABASE=dmpremb_sqlfeed
createdb "$PGDATABASE"
# psql's own messages can quote a document: they go to a file, never out
q() { psql -X -q -v ON_ERROR_STOP=1 "$@" 2>>"$work/psql.log"; }
step() {   # step WHAT COMMAND...: runs it quietly, stops on failure
	what=$1; shift
	"$@" >>"$work/setup.log" 2>&1 || { echo "FAIL: $what (exit $?)"; exit 1; }
}

step "migrate" bin/dmpremb db migrate
step "referentials" bin/dmpremb referentials load --snds "$refs/snds" --bdpm "$refs/bdpm"
step "fixtures/gen" fixtures/gen --persons "$persons" --seed 42 --referentials "$refs" --out "$work/batch" \
	--as-of 2026-11-15 --events "$work/events"
step "ingest" bin/dmpremb ingest "$work/batch" --quiet
# the demo batch holds rejects on purpose: applied as make demo applies it
step "ingest batch-demo" bin/dmpremb ingest fixtures/batch-demo --max-reject-ratio 0.5 --quiet
step "dossier events" bin/dmpremb dossiers import "$work/events"
step "demo dossier events" bin/dmpremb dossiers import fixtures/dossiers.csv
awk -F';' 'NR == 1 {print; next}
	NR <= 4 {print $1 ";FERMETURE;2026-11-15T10:00:00+01:00"}
	NR <= 6 {print $1 ";OPPOSITION;2026-11-15T10:00:00+01:00"}
	NR == 7 {print $1 ";DECES;2026-11-15T10:00:00+01:00"}' "$work/events" >"$work/lifecycle"
step "lifecycle events" bin/dmpremb dossiers import "$work/lifecycle"
step "bench/sql_feed.sql" q -f bench/sql_feed.sql
q -c "VACUUM ANALYZE" >/dev/null

secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
fail=0
check() {   # check LABEL OK(0/1) TEXT
	if [ "$2" = 1 ]; then printf '  ok    %-15s %s\n' "$1" "$3"; else printf '  DIFF  %-15s %s\n' "$1" "$3"; fail=1; fi
}
eq() { [ "$1" = "$2" ] && echo 1 || echo 0; }

# The comparison in SQL: one line of counts. Each document is read once, by
# one XMLTABLE whose rows are its sections (PostgreSQL parses at some tens
# of MB/s: one pass per document keeps the check to a minute or two).
compare_sql() {
	cat <<'SQL'
SET work_mem = '256MB';
CREATE TEMP TABLE pair AS
  SELECT coalesce(d.ins_c, s.ins_c) AS ins_c, d.version AS c_version, s.version AS q_version, d.section_rows,
         d.xml AS c, s.xml AS q
    FROM dmpremb.document d FULL JOIN bench.sql_document s ON s.ins_c = d.ins_c;
-- section number (1..7, as section_rows) from the section's LOINC codes
CREATE TEMP TABLE sec (code text PRIMARY KEY, k int);
INSERT INTO sec VALUES ('10160-0/', 1), ('11369-6/', 2), ('46264-8/', 3), ('46240-8/', 4),
                       ('29554-3/67803-7', 5), ('29554-3/18726-0', 6), ('29554-3/26436-6', 7);
-- per document and section: table rows, entries, the sum of quantities, and
-- the document's header (the same on its seven rows)
CREATE TEMP TABLE part AS
  SELECT s.ins_c, s.side, sec.k, t.n_rows, t.n_entries, t.qty, t.head
    FROM (SELECT ins_c, 'c' AS side, c AS x FROM pair WHERE c IS NOT NULL
          UNION ALL SELECT ins_c, 'q', q FROM pair WHERE q IS NOT NULL) s,
         XMLTABLE(XMLNAMESPACES('urn:hl7-org:v3' AS h),
                  '/h:ClinicalDocument/h:component/h:structuredBody/h:component/h:section'
                  PASSING XMLPARSE(DOCUMENT s.x) COLUMNS
                  code text PATH 'concat(h:code/@code, "/", h:code/h:translation/@code)',
                  n_rows int PATH 'count(h:text/h:table/h:tbody/h:tr)',
                  n_entries int PATH 'count(h:entry)',
                  qty bigint PATH 'sum(h:entry//h:quantity/@value)',
                  head text PATH 'concat(/*/h:title, "|", /*/h:effectiveTime/@value, "|", /*/h:versionNumber/@value, "|",
                      /*/h:recordTarget/*/h:id[1]/@root, ":", /*/h:recordTarget/*/h:id[1]/@extension, "|",
                      /*/h:recordTarget/*/h:id[2]/@root, ":", /*/h:recordTarget/*/h:id[2]/@extension, "|",
                      /*/h:recordTarget//h:name/h:family[@qualifier="BR"], "|", /*/h:recordTarget//h:name/h:given[not(@qualifier)], "|",
                      /*/h:recordTarget//h:name/h:given[@qualifier="BR"], "|", /*/h:recordTarget//h:name/h:family[@qualifier="CL"], "|",
                      /*/h:recordTarget//h:name/h:given[@qualifier="CL"], "|", count(/*/h:recordTarget//h:name/*), "|",
                      /*/h:recordTarget//h:administrativeGenderCode/@code, "|", /*/h:recordTarget//h:birthTime/@value, "|",
                      /*/h:recordTarget//h:county, "|", /*/h:recordTarget//h:county/@nullFlavor, "|",
                      /*/h:author/h:time/@value, "|", /*/h:author/h:assignedAuthor/h:id/@extension, "|",
                      /*/h:custodian//h:id/@extension, "|", /*/h:legalAuthenticator/h:time/@value, "|",
                      /*/h:documentationOf//h:low/@value, "|", /*/h:documentationOf//h:high/@value, "|",
                      count(/*/h:relatedDocument), "|", /*/h:relatedDocument/@typeCode, "|",
                      /*/h:relatedDocument//h:versionNumber/@value)') t
    JOIN sec ON sec.code = t.code;
WITH s AS (   -- all seven sections of every dossier both feeds stored
  SELECT p.ins_c, k.k, p.section_rows[k.k] AS declared, c.n_rows AS c_rows, q.n_rows AS q_rows,
         c.n_entries AS c_entries, q.n_entries AS q_entries, c.qty AS c_qty, q.qty AS q_qty, c.head AS c_head,
         q.head AS q_head
    FROM pair p CROSS JOIN generate_series(1, 7) AS k(k)
    LEFT JOIN part c ON c.ins_c = p.ins_c AND c.side = 'c' AND c.k = k.k
    LEFT JOIN part q ON q.ins_c = p.ins_c AND q.side = 'q' AND q.k = k.k
   WHERE p.c IS NOT NULL AND p.q IS NOT NULL)
SELECT (SELECT count(c) FROM pair), (SELECT count(q) FROM pair),
       (SELECT count(*) FROM pair WHERE c IS NOT NULL AND q IS NOT NULL),
       (SELECT count(*) FROM pair WHERE c_version = q_version),
       count(*),
       count(*) FILTER (WHERE c_rows = declared AND q_rows = declared
                          AND c_entries = greatest(declared, 1) AND q_entries = c_entries),
       coalesce(sum(c_rows), 0), coalesce(sum(q_rows), 0), coalesce(sum(c_entries), 0), coalesce(sum(q_entries), 0),
       coalesce(sum(c_qty), 0), coalesce(sum(q_qty), 0),
       count(DISTINCT ins_c), count(DISTINCT ins_c) FILTER (WHERE c_head = q_head AND k = 1)
  FROM s;
SQL
}

# In Python, which reads a document faster: the whole trees, equal but for
# the generated ids (id and setId roots without extension; text that is only
# whitespace is layout), table rows, coded values and (code, label) pairs.
compare_py() {
	q -c "COPY (SELECT d.xml, s.xml FROM dmpremb.document d JOIN bench.sql_document s USING (ins_c)
	           ORDER BY d.ins_c) TO STDOUT WITH (FORMAT csv)" | python3 -c '
import csv, sys
import xml.etree.ElementTree as ET
csv.field_size_limit(1 << 30)
H = "{urn:hl7-org:v3}"
def attrs(e):
    a = dict(e.attrib)
    if e.tag in (H + "id", H + "setId") and "extension" not in a:
        a.pop("root", None)
    return a
def text(t):
    return "" if t is None or t.strip() == "" else t
def same(a, b):
    return (a.tag == b.tag and attrs(a) == attrs(b) and text(a.text) == text(b.text)
            and text(a.tail) == text(b.tail) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b)))
def facts(doc):
    rows = sum(1 for _ in doc.iter(H + "tr")) - sum(1 for _ in doc.iter(H + "thead"))
    coded = [(e.get("code"), e.get("displayName")) for e in doc.iter() if e.get("code") is not None]
    return rows, len(coded), set(coded)
n = ok = rows_c = rows_q = coded_c = coded_q = pairs = pairs_same = 0
for c, s in csv.reader(sys.stdin):
    dc, dq = ET.fromstring(c.encode()), ET.fromstring(s.encode())
    n += 1
    ok += same(dc, dq)
    fc, fq = facts(dc), facts(dq)
    rows_c += fc[0]; rows_q += fq[0]; coded_c += fc[1]; coded_q += fq[1]
    pairs += len(fc[2]); pairs_same += fc[2] == fq[2]
print(n, ok, rows_c, rows_q, coded_c, coded_q, pairs, pairs_same)
'
}

round_() {   # round_ N AS_OF [feed options]
	r=$1 as_of=$2; shift 2
	t0=$(now)
	bin/dmpremb feed --as-of "$as_of" "$@" --quiet >>"$work/setup.log" 2>&1 || { echo "FAIL: dmpremb feed (exit $?)"; exit 1; }
	t1=$(now)
	n_sql=$(q -At -c "SELECT bench.sql_feed('$as_of'::timestamptz)") || { echo "FAIL: bench.sql_feed()"; exit 1; }
	t2=$(now)
	n_c=$(q -At -c "SELECT count(*) FROM dmpremb.document_version WHERE generated_at = '$as_of'::timestamptz")
	line=$(compare_sql | q -At -F ' ') || { echo "FAIL: the comparison's SQL failed"; exit 1; }
	py=$(compare_py) || { echo "FAIL: the tree comparison failed"; exit 1; }
	set -- $line
	c_docs=$1 q_docs=$2 both=$3 same_ver=$4 secs_n=$5 secs_ok=$6 c_rows=$7 q_rows=$8 c_ent=$9
	shift 9
	q_ent=$1 c_qty=$2 q_qty=$3 head_n=$4 head_ok=$5
	set -- $py
	tree_n=$1 tree_ok=$2 py_rows_c=$3 py_rows_q=$4 coded_c=$5 coded_q=$6 pairs=$7 pairs_ok=$8
	echo "round $r: as of $as_of"
	printf '  %-15s dmpremb feed %6s s (%s documents), bench.sql_feed() %6s s (%s documents)\n' "time" \
		"$(secs "$t0" "$t1")" "$n_c" "$(secs "$t1" "$t2")" "$n_sql"
	check "stored" "$(eq "$n_c" "$n_sql")" "this round: C $n_c, SQL $n_sql"
	check "documents" "$( [ "$c_docs" = "$q_docs" ] && [ "$both" = "$c_docs" ] && echo 1 || echo 0)" \
		"C $c_docs, SQL $q_docs, same dossiers $both"
	check "versions" "$(eq "$same_ver" "$both")" "$same_ver of $both dossiers at the same version"
	check "sections" "$(eq "$secs_ok" "$secs_n")" \
		"$secs_ok of $secs_n with as many rows and entries as the C document's section_rows (XPath)"
	check "rows, entries" "$( [ "$c_rows" = "$q_rows" ] && [ "$c_ent" = "$q_ent" ] && echo 1 || echo 0)" \
		"rows C $c_rows, SQL $q_rows; entries C $c_ent, SQL $q_ent"
	check "quantities" "$(eq "$c_qty" "$q_qty")" "sum C $c_qty, SQL $q_qty"
	check "headers" "$(eq "$head_ok" "$head_n")" "$head_ok of $head_n the same (patient, times, versions)"
	check "codes, labels" "$( [ "$pairs_ok" = "$tree_n" ] && [ "$coded_c" = "$coded_q" ] && echo 1 || echo 0)" \
		"$pairs_ok of $tree_n documents with the same (code, label) pairs ($pairs in all); coded elements C $coded_c, SQL $coded_q"
	check "whole documents" "$( [ "$tree_ok" = "$tree_n" ] && [ "$tree_n" = "$both" ] \
		&& [ "$py_rows_c" = "$py_rows_q" ] && echo 1 || echo 0)" \
		"$tree_ok of $tree_n identical but for their generated ids (Python)"
}

echo "bench/sql_feed_check.sh: $persons generated persons + fixtures/batch-demo"
round_ 1 2026-11-15T12:00:00+01:00
round_ 2 2026-11-16T12:00:00+01:00 --refresh-days 1
traces=$(q -At -c "SELECT count(*) = (SELECT sum(version) FROM bench.sql_document) FROM bench.sql_trace")
check "traces" "$(eq "$traces" t)" "one bench.sql_trace row per stored version"
if [ "$fail" = 0 ]; then
	echo "PASS: bench.sql_feed() stores the documents dmpremb feed stores"
else
	echo "FAIL: the SQL feed's documents differ from dmpremb feed's (KEEP_TMP=1 keeps them)"
	exit 1
fi
