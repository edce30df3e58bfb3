#!/bin/sh
# t0340-ingest-citus: issue 17's ingest guarantees on a distributed Citus
# database (claim tables distributed by INS-C), with hostile batches of
# tests/hostile/: the same claim identity, or the same ETA_NUM + RSA_NUM stay,
# under another person in a later batch is a conflict (the probe on the
# identity alone reaches every shard), and processing dates outside the window
# are rejects; the coordinator's pg_statistic keeps no NIR, INS-C or name of
# them (t0330 on one PostgreSQL). t0400 runs the same cases on one PostgreSQL.
. "$TESTLIB"
hostile="$TOP/tests/hostile"
TEST_ON_CITUS=1 new_db ingest_citus

check_exit 0 "the base batch loads" "$DMPREMB" ingest "$hostile/base"
check_eq "... its 11 claim lines and its stay" "11 1" \
	"$(sql "SELECT (SELECT count(*) FROM claim_line) || ' ' || (SELECT count(*) FROM hospital_stay)")"

check_exit 0 "a claim line and the stay re-sent under another person: applied" \
	"$DMPREMB" ingest "$hostile/identity-other-person" --max-reject-ratio 1
check_eq "... both are conflicts naming the first batch and another person" \
	"hospitalisation.csv conflict|pharmacie.csv conflict" \
	"$(sql "SELECT string_agg(r.file_name || ' ' || r.reason_code, '|' ORDER BY r.file_name)
	        FROM reject r JOIN batch b USING (batch_id)
	        WHERE b.label = 'identity-other-person' AND r.reason LIKE '% by batch 1 for another person'")"
check_eq "... and no second line was stored" "11 1" \
	"$(sql "SELECT (SELECT count(*) FROM claim_line) || ' ' || (SELECT count(*) FROM hospital_stay)")"

check_exit 0 "processing dates out of the window: applied" \
	"$DMPREMB" ingest "$hostile/processing-out-of-window" --max-reject-ratio 1
check_eq "... the two lines out of the window are rejects, the first day of the window loads" "2 12" \
	"$(sql "SELECT (SELECT count(*) FROM reject WHERE reason_code = 'processing_out_of_window')
	        || ' ' || (SELECT count(*) FROM claim_line)")"

# the merge's statistics: no identifier in pg_statistic's file, dead rows included
{ awk -F';' 'NR > 1 {print $1; print $4}' "$hostile/base/beneficiaires.csv"
  sql "SELECT ins_c FROM beneficiary"; } | sort -u >"$TMP/secrets"
sql "CHECKPOINT" >/dev/null
file="$(sql "SELECT current_setting('data_directory') || '/' || pg_relation_filepath('pg_catalog.pg_statistic')")"
check "the coordinator's pg_statistic file can be read" test -r "$file"
check_eq "... and holds no NIR, INS-C or birth name of the batches ($(wc -l <"$TMP/secrets") looked for)" 0 \
	"$(grep -a -c -F -f "$TMP/secrets" "$file")"
finish
