#!/bin/sh
# t0330-ingest-statistics: the statistics the ingest and the feed gather for
# the planner hold no identifier (issue 17 B4). ANALYZE copies a column's
# most common values and histogram bounds into pg_statistic; the merge's
# temporary tables hold the batch's NIRs, INS-Cs and names, so it must name
# the columns it analyses. The temporary tables' rows of pg_statistic go
# when the tables are dropped, but the bytes stay in its data file until a
# VACUUM: the test reads that file (after a CHECKPOINT), and the live
# pg_stats, for every NIR, INS-C and birth name of the demo batch. Only
# counts are printed.
. "$TESTLIB"
new_db ingest_statistics
demo="$FIXTURES/batch-demo"

# the values of column COL of a ';' file (the demo's are unquoted)
field() {
	awk -F';' -v c="$1" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) k = i; next} k {print $k}' "$2"
}

demo_fed 2026-11-16T12:00:00+01:00
{ field BEN_NIR "$demo/beneficiaires.csv"; field BEN_NOM_NAI "$demo/beneficiaires.csv"
  sql "SELECT ins_c FROM dmpremb.beneficiary"; } | tr -d '"' | awk 'length($0) >= 5' | sort -u >"$TMP/secrets"
check "the demo gives identifiers to look for ($(wc -l <"$TMP/secrets"))" test "$(wc -l <"$TMP/secrets")" -ge 40

sql "SELECT concat_ws(' ', most_common_vals::text, histogram_bounds::text) FROM pg_stats" >"$TMP/stats"
check_eq "pg_stats holds no NIR, INS-C or name of the batch" 0 "$(grep -c -F -f "$TMP/secrets" "$TMP/stats")"

sql "CHECKPOINT" >/dev/null
file="$(sql "SELECT current_setting('data_directory') || '/' || pg_relation_filepath('pg_catalog.pg_statistic')")"
check "pg_statistic's data file can be read" test -r "$file"
check_eq "pg_statistic's data file holds no NIR, INS-C or name of the batch, not even in dead rows" 0 \
	"$(grep -a -c -F -f "$TMP/secrets" "$file")"
finish
