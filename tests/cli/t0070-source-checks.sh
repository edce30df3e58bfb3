#!/bin/sh
# tests/cli/t0070-source-checks.sh — the source checks that `make test` runs
# first (make check-layers, make lint) pass on this tree, and each fails on a
# copy of it with one violation put in: a wrong-way include, a libpq call
# outside load/, a command calling load/ directly, an atoi, SQL printed into
# a fixed array. No database.
. "$TESTLIB"

layers="$TOP/tests/tools/check_layers.py"
lint="$TOP/tests/tools/checksrc.py"
check "check-layers passes on this tree" python3 "$layers" "$TOP"
check "lint passes on this tree" python3 "$lint" "$TOP"

# copy TAG: the C sources and the allow lists into $TMP/TAG
copy() {
	rm -rf "$TMP/$1"
	mkdir -p "$TMP/$1/tests/tools"
	for d in cli jobs transform ingest load lib; do cp -r "$TOP/$d" "$TMP/$1/"; done
	cp "$TOP/tests/tools/layers.allow" "$TOP/tests/tools/checksrc.allow" "$TMP/$1/tests/tools/"
}
# refused TOOL TAG DESC FILE LINE: LINE appended to FILE of a copy makes TOOL fail, naming FILE
refused() {
	copy "$2"
	printf '%s\n' "$5" >>"$TMP/$2/$4"
	python3 "$1" "$TMP/$2" >"$TMP/$2.out" 2>&1
	rc=$?
	check_eq "$3: refused" "1 1" "$rc $(grep -c "$4" "$TMP/$2.out")"
}
refused "$layers" inc "load/ including transform/" load/db.c '#include "transform/build.h"'
refused "$layers" pq "a libpq call in transform/" transform/build.c 'static void zz(void *c) { PQfinish(c); }'
refused "$layers" call "a command calling load/ directly" cli/cmd_status.c \
	'static int zz(void) { return db_exec(0, ""); }'
refused "$lint" atoi "atoi in lib/" lib/text.c 'static int zz(const char *s) { return atoi(s); }'
refused "$lint" sql "SQL printed into a fixed array" load/db.c 'static void zz(const char *t)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "SELECT %s", t);
}'
# feed_doc is declared once (load/feed_io.c FEED_DOC_COLUMNS: the table, the
# COPY, a row's fields); the database's check of the staged table, in the
# last migration that defines document_store_staged(), names the same
# columns with the same types
check "feed_doc: the columns the C declares are those the database checks" python3 -c '
import glob, re, sys
top = sys.argv[1]
c = open(top + "/load/feed_io.c").read()
cols = ["%s %s" % (n, t) for n, t in re.findall(r"X\((\w+), \"[^\"]*\", \"([^\"]*)\"\)", c)]
sql = None
for f in sorted(glob.glob(top + "/sql/[0-9]*.sql")):
    m = re.findall(r"staged_table_check\(.feed_doc., ARRAY\[(.*?)\]\)", open(f).read(), re.S)
    if m:
        sql = [x.strip().strip("\x27") for x in m[-1].split(",")]
assert len(cols) == 8, cols
assert cols == sql, (cols, sql)
' "$TOP"

# an allow list entry whose finding is gone must be removed (the lists shrink)
copy gone
echo 'cli/main.c -> load/db.h' >>"$TMP/gone/tests/tools/layers.allow"
check_exit 1 "a listed wrong-way use that no longer occurs fails the check" python3 "$layers" "$TMP/gone"
finish
