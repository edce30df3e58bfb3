#!/bin/sh
# tests/cli/t0820-purge.sh — `dmpremb purge`, the retention rules of
# docs/retention.md. Generated batches two years apart, dossiers closed,
# deceased and reactivated at chosen instants, feeds and backfills at chosen
# as-ofs, then purges with --as-of time travel. Before each purge the test
# states what must remain, from the rules written here with literal dates
# (never from the purge's own SQL), and compares table by table afterwards:
# partitions (the boundary month both ways), claim lines, stays, version rows,
# rejects, backfill lists; documents and traces untouched. Also: dry run,
# idempotence, the run row, a kill and a re-run, the purge lock, the lock
# timeout, a later sweep, and what each role may do. Output shows counts,
# partition names and SQLSTATEs only.
. "$TESTLIB"
new_db purge
setup() {
	"$@" >>"$TMP/setup" 2>&1 || { echo "setup failed: $*"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }
}

# --- data: an old batch (processed 2022-05 .. 2024-05), a recent one
# (2024-08 .. 2026-09), and the fixture batches for their rejects
setup "$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm"
setup "$FIXTURES/gen" --persons 60 --seed 821 --referentials "$FIXTURES/referentials" --out "$TMP/old" \
	--as-of 2024-05-20 --events "$TMP/old.ev" --mean-lines 15
setup "$FIXTURES/gen" --persons 60 --seed 822 --referentials "$FIXTURES/referentials" --out "$TMP/new" \
	--as-of 2026-08-25 --events "$TMP/new.ev" --mean-lines 15
setup "$DMPREMB" ingest "$TMP/old"
setup "$DMPREMB" ingest "$TMP/new"
setup "$DMPREMB" ingest "$FIXTURES/batch-demo" --max-reject-ratio 0.5
setup "$DMPREMB" ingest "$FIXTURES/batch-late" --max-reject-ratio 0.5

# the test's own tables (schema public: not in db_digest)
sql "CREATE TABLE public.t_new (ins_c text PRIMARY KEY); CREATE TABLE public.t_gone (ins_c text PRIMARY KEY);
     CREATE TABLE public.t_pick (role text PRIMARY KEY, ins_c text NOT NULL)" >/dev/null
cut -d';' -f1 "$TMP/new.ev" | tail -n +2 >"$TMP/new.list"
psql -X -q -c "\\copy public.t_new FROM '$TMP/new.list'"
# the recent persons with the most claim lines play the roles
sql "INSERT INTO public.t_pick SELECT (ARRAY['c0','c1','c2','c3','d1','d2','r1','o1'])[n], ins_c FROM (
       SELECT ins_c, row_number() OVER (ORDER BY count(*) DESC, ins_c) AS n FROM claim_line
        WHERE ins_c IN (SELECT ins_c FROM public.t_new) GROUP BY ins_c) x WHERE n <= 8" >/dev/null
pick() { sql "SELECT ins_c FROM public.t_pick WHERE role = '$1'"; }
c0=$(pick c0) c1=$(pick c1) c2=$(pick c2) c3=$(pick c3) d1=$(pick d1) d2=$(pick d2) r1=$(pick r1) o1=$(pick o1)

# stays around the first cutoff (2024-06-01) for an open dossier, and in
# 2026 for c1 (closed long ago), c3 (closed within the grace) and r1
sql "INSERT INTO hospital_stay (ins_c, eta_num, rsa_num, ent_dat, sor_dat, grg_ghm, content_hash, batch_id) VALUES
  ('$o1', '750000001', 'T0820S1', '2024-05-10', '2024-05-31', '05M09W', 0, 0),
  ('$o1', '750000001', 'T0820S2', '2024-05-20', '2024-06-01', '05M09W', 0, 0),
  ('$o1', '750000001', 'T0820S3', '2024-05-15', NULL, '05M09W', 0, 0),
  ('$o1', '750000001', 'T0820S4', '2024-06-01', NULL, '05M09W', 0, 0),
  ('$o1', '750000001', 'T0820S5', '2024-05-25', '2024-06-20', '05M09W', 0, 0),
  ('$c1', '750000001', 'T0820S6', '2026-01-10', '2026-01-15', '05M09W', 0, 0),
  ('$c3', '750000001', 'T0820S7', '2026-07-01', '2026-07-05', '05M09W', 0, 0),
  ('$r1', '750000001', 'T0820S8', '2026-04-01', '2026-04-02', '05M09W', 0, 0)" >/dev/null

# --- the dossiers' lives, fed as time goes by
events() { # events FILE LINE...: an events file
	f=$1; shift
	echo 'INS_C;EVENEMENT;HORODATAGE' >"$f"
	for l in "$@"; do echo "$l" >>"$f"; done
}
sed '1d; s/;CREATION;.*/;CREATION;2024-09-01T09:00:00+02:00/' "$TMP/new.ev" >"$TMP/create.body"
sed '1d; s/;CREATION;.*/;CREATION;2022-06-01T09:00:00+02:00/' "$TMP/old.ev" >>"$TMP/create.body"
{ echo 'INS_C;EVENEMENT;HORODATAGE'; cat "$TMP/create.body"; } >"$TMP/create.csv"
setup "$DMPREMB" dossiers import "$TMP/create.csv"
setup "$DMPREMB" feed --as-of 2025-06-01T10:00:00+02:00
events "$TMP/e1.csv" "$c0;FERMETURE;2025-07-01T10:00:00+02:00"
setup "$DMPREMB" dossiers import "$TMP/e1.csv"
setup "$DMPREMB" feed --as-of 2025-09-01T10:00:00+02:00
setup "$DMPREMB" feed --as-of 2026-01-05T10:00:00+01:00
events "$TMP/e2.csv" "$c1;FERMETURE;2026-03-01T10:00:00+01:00" "$c2;FERMETURE;2026-03-01T10:00:00+01:00" \
	"$r1;FERMETURE;2026-01-10T10:00:00+01:00" "$r1;REACTIVATION;2026-02-01T10:00:00+01:00" \
	"$c3;FERMETURE;2026-08-01T10:00:00+02:00"
setup "$DMPREMB" dossiers import "$TMP/e2.csv"
setup "$DMPREMB" feed --as-of 2026-08-20T10:00:00+02:00
events "$TMP/e3.csv" "$d1;DECES;2026-08-25T10:00:00+02:00" "$d2;DECES;2026-08-25T10:00:00+02:00"
setup "$DMPREMB" dossiers import "$TMP/e3.csv"
check_eq "the dossiers' states" "closed closed closed closed deceased deceased open open" \
	"$(sql "SELECT string_agg(d.state, ' ' ORDER BY p.role) FROM public.t_pick p JOIN dossier d USING (ins_c)")"

# backfills: X finished long ago; Y killed, resumed (by Y2) recently
sql "SELECT ins_c FROM dossier WHERE state = 'open' AND ins_c IN (SELECT ins_c FROM public.t_new)
      AND ins_c NOT IN (SELECT ins_c FROM public.t_pick) ORDER BY ins_c LIMIT 3" >"$TMP/x.list"
sql "SELECT ins_c FROM dossier WHERE state = 'open' AND ins_c IN (SELECT ins_c FROM public.t_new)
      AND ins_c NOT IN (SELECT ins_c FROM public.t_pick) ORDER BY ins_c OFFSET 3 LIMIT 4" >"$TMP/y.list"
setup "$DMPREMB" backfill --ins-c "$TMP/x.list" --as-of 2026-08-21T10:00:00+02:00
X=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
DMPREMB_KILL_AT=feed-chunk:1 "$DMPREMB" backfill --ins-c "$TMP/y.list" --chunk 2 \
	--as-of 2026-08-22T10:00:00+02:00 >>"$TMP/setup" 2>&1
Y=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
setup "$DMPREMB" backfill --resume "$Y" --chunk 2 --as-of 2026-08-22T11:00:00+02:00
Y2=$(sql "SELECT max(run_id) FROM run WHERE command = 'backfill'")
check_eq "backfill lists: X has 3 items, Y 4, Y2 none (it resumed Y)" "3 4 0" \
	"$(sql "SELECT count(*) FILTER (WHERE run_id = $X) || ' ' || count(*) FILTER (WHERE run_id = $Y)
	        || ' ' || count(*) FILTER (WHERE run_id = $Y2) FROM backfill_item")"
# when things happened (run and batch times are the clock's: set them)
sql "UPDATE run SET started_at = '2026-07-20T09:00:00+02:00', ended_at = '2026-07-20T10:00:00+02:00'
      WHERE run_id IN ($X, $Y);
     UPDATE run SET started_at = '2026-08-25T09:00:00+02:00', ended_at = '2026-08-25T10:00:00+02:00'
      WHERE run_id = $Y2;
     UPDATE batch SET received_at = CASE label WHEN 'batch-demo' THEN timestamptz '2026-05-01T08:00:00+02:00'
       WHEN 'batch-late' THEN timestamptz '2026-06-10T08:00:00+02:00' ELSE timestamptz '2026-08-26T08:00:00+02:00' END" \
	>/dev/null

# claim_stat (made by the analytics migration; a stand-in when it is not there)
if [ "$(sql "SELECT to_regclass('dmpremb.claim_stat') IS NULL")" = t ]; then
	sql "CREATE TABLE dmpremb.claim_stat (flx_month date NOT NULL, lines bigint NOT NULL);
	     ALTER TABLE dmpremb.claim_stat OWNER TO dmpremb_owner;
	     INSERT INTO dmpremb.claim_stat VALUES ('2024-04-01', 1), ('2024-05-01', 2), ('2024-06-01', 3), ('2024-09-01', 4)" \
		>/dev/null
fi

# --- helpers: what is there (actual) and what must remain (expected)
digest() { sql "SELECT coalesce(md5(string_agg(x, ',' ORDER BY x)), 'empty') FROM ($1) q(x)"; }
parts_sql="SELECT c.relname::text FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
            WHERE i.inhparent = 'dmpremb.claim_line'::regclass"
lines_sql="SELECT ins_c || line_key FROM claim_line l"
stays_sql="SELECT ins_c || eta_num || rsa_num FROM hospital_stay s"
versions_sql="SELECT ins_c || ':' || version FROM document_version v"
rejects_sql="SELECT batch_id || file_name || line_no FROM reject r JOIN batch b USING (batch_id)"
backfill_sql="SELECT run_id || ':' || seq FROM backfill_item i"
kept_sql="SELECT md5(d::text) FROM document d UNION ALL SELECT md5(t::text) FROM trace t
          UNION ALL SELECT md5(f::text) FROM batch_file f UNION ALL SELECT md5(o::text) FROM dossier o"
# expect KEEP_FROM STAY_CUT VERSION_CUT REJECT_CUT GONE_LISTS [EXTRA]: what must
# remain after a purge: lines processed from KEEP_FROM on (the first kept
# month) except those of the dossiers in public.t_gone (and EXTRA, a
# condition on l); stays ending on or after STAY_CUT except t_gone's; version
# rows generated from VERSION_CUT on, or current; rejects of batches received
# from REJECT_CUT on; backfill items of other lists than GONE_LISTS
expect() {
	e_parts=$(digest "$parts_sql AND c.relname >= 'claim_line_$(echo "$1" | cut -c1-4,6-7)'")
	e_lines=$(digest "$lines_sql WHERE flx_trt_dtd >= '$1' AND ins_c NOT IN (SELECT ins_c FROM public.t_gone) ${6:-}")
	e_stays=$(digest "$stays_sql WHERE coalesce(sor_dat, ent_dat) >= '$2' AND ins_c NOT IN (SELECT ins_c FROM public.t_gone)")
	e_versions=$(digest "$versions_sql WHERE generated_at >= '$3'
	                     OR version = (SELECT max(version) FROM document_version w WHERE w.ins_c = v.ins_c)")
	e_rejects=$(digest "$rejects_sql WHERE b.received_at >= '$4'")
	e_backfill=$(digest "$backfill_sql WHERE run_id NOT IN ($5)")
	e_kept=$(digest "$kept_sql")
	e_gone_versions=$(sql "SELECT count(*) FROM document_version v WHERE generated_at < '$3'
	                       AND version < (SELECT max(version) FROM document_version w WHERE w.ins_c = v.ins_c)")
}
# compare WHEN: the tables against the expectation
compare() {
	check_eq "$1: exactly the partitions after the cutoff's month remain" "$e_parts" "$(digest "$parts_sql")"
	check_eq "$1: claim lines = those of kept partitions, minus the purged dossiers'" "$e_lines" "$(digest "$lines_sql")"
	check_eq "$1: stays = those ending on or after the cutoff, minus the purged dossiers'" "$e_stays" "$(digest "$stays_sql")"
	check_eq "$1: version rows = recent ones and each dossier's current one" "$e_versions" "$(digest "$versions_sql")"
	check_eq "$1: rejects = those of recent batches" "$e_rejects" "$(digest "$rejects_sql")"
	check_eq "$1: backfill items = those of recently active lists" "$e_backfill" "$(digest "$backfill_sql")"
	check_eq "$1: documents, traces, batch counts and dossiers untouched" "$e_kept" "$(digest "$kept_sql")"
}
run_counts() { # run_counts RUN_ID KEY...: the values of the run's counts
	q=""
	for k in "$@"; do q="$q || ' ' || (counts->>'$k')"; done
	sql "SELECT ''$q FROM run WHERE run_id = $RUN" | sed 's/^ //'
}
keep() { cat "$TMP/out" "$TMP/err" >>"$TMP/all-output"; }

# --- before the first purge: the partitions of both batches, the boundary one
check "the old batch has a partition for 2024-05 (the boundary month)" \
	test "$(sql "SELECT count(*) FROM claim_line WHERE flx_trt_dtd BETWEEN '2024-05-01' AND '2024-05-31'")" -gt 0
P1=2026-09-01T00:30:00+02:00    # a Paris day: 2026-09-01, cutoff 2024-06-01 (in UTC still 31 August)
printf '%s\n' "$c0" "$c1" "$c2" "$d1" "$d2" >"$TMP/gone1"
psql -X -q -c "\\copy public.t_gone FROM '$TMP/gone1'"
expect 2024-06-01 2024-06-01 2025-09-01T00:30:00+02:00 2026-06-03T00:30:00+02:00 "$X"
gone_parts=$(sql "SELECT count(*) FROM ($parts_sql AND c.relname < 'claim_line_202406') x")
gone_closed_lines=$(sql "SELECT count(*) FROM claim_line WHERE flx_trt_dtd >= '2024-06-01'
                          AND ins_c IN (SELECT ins_c FROM public.t_gone)")
gone_closed_stays=$(sql "SELECT count(*) FROM hospital_stay WHERE coalesce(sor_dat, ent_dat) >= '2024-06-01'
                          AND ins_c IN (SELECT ins_c FROM public.t_gone)")
gone_old_stays=$(sql "SELECT count(*) FROM hospital_stay WHERE coalesce(sor_dat, ent_dat) < '2024-06-01'")
gone_rejects=$(sql "SELECT count(*) FROM ($rejects_sql WHERE b.received_at < '2026-06-03T00:30:00+02:00') x")
check "the test removes something of each kind" test "$gone_parts" -gt 0 -a "$gone_closed_lines" -gt 0 \
	-a "$gone_closed_stays" -gt 0 -a "$e_gone_versions" -gt 0 -a "$gone_rejects" -gt 0
check_eq "claim lines of the closed-within-grace and reactivated dossiers, before" "t" \
	"$(sql "SELECT count(*) FILTER (WHERE ins_c = '$c3') > 0 AND count(*) FILTER (WHERE ins_c = '$r1') > 0 FROM claim_line")"
c3_lines=$(sql "SELECT count(*) FROM claim_line WHERE ins_c = '$c3'")

# --- dry runs: change nothing; one minute before the Paris day the boundary
# month stays, at the day it goes
before=$(db_digest)
check_exit 0 "dry run at 2026-08-31 23:30 Paris" "$DMPREMB" purge --dry-run --as-of 2026-08-31T23:30:00+02:00
keep
check_grep "its cutoff is 2024-05-31" "^cutoff 2024-05-31:" "$TMP/out"
check_eq "it keeps the boundary month 2024-05 (processed in part on or after the cutoff)" "claim_line_202404" \
	"$(awk '/^  claim_line_/ {print $1}' "$TMP/out" | tail -1)"
check_exit 0 "dry run at the first purge's as-of" "$DMPREMB" purge --dry-run --as-of "$P1"
keep
check_eq "it lists every partition of a month before the cutoff, with its rows" \
	"$(sql "SELECT string_agg('claim_line_' || to_char(m, 'YYYYMM') || ' ' || n, ' ' ORDER BY m)
	        FROM (SELECT date_trunc('month', flx_trt_dtd) AS m, count(*) AS n FROM claim_line
	        WHERE flx_trt_dtd < '2024-06-01' GROUP BY 1) x")" \
	"$(awk '/^  claim_line_/ {printf "%s%s %s", sep, $1, $5; sep = " "}' "$TMP/out")"
check_grep "and counts the closed dossiers' claim lines" "^  their claim lines  *$gone_closed_lines$" "$TMP/out"
check_grep "the version rows" "^document version rows  *$e_gone_versions " "$TMP/out"
check_grep "the rejects" "^rejected lines  *$gone_rejects " "$TMP/out"
check_grep "the backfill items" "^backfill list items  *3 " "$TMP/out"
check_eq "the dry runs changed nothing" "$before" "$(db_digest)"
check_eq "and recorded no run" "0" "$(sql "SELECT count(*) FROM run WHERE command = 'purge'")"

# --- a DROP waits for no long transaction: lock timeout, exit 75, nothing dropped
# hold SQL WAIT_SQL: runs SQL in a background session (application name
# t0820-holder) until release, once WAIT_SQL counts something
hold() {
	PGAPPNAME=t0820-holder psql -X -q -c "$1" >/dev/null 2>&1 &
	i=0
	while [ "$(sql "$2")" = 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
release() { # the backend, not only the client: pg_sleep would keep its locks
	sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 't0820-holder'" >/dev/null
	wait
}
hold "BEGIN; LOCK TABLE dmpremb.claim_line IN ACCESS SHARE MODE; SELECT pg_sleep(60); COMMIT" \
	"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	  WHERE c.relname = 'claim_line' AND l.granted AND l.pid <> pg_backend_pid()"
parts_before=$(digest "$parts_sql")
stat_old=$(sql "SELECT count(*) FROM claim_stat WHERE flx_month < '2024-06-01'")
check_exit 75 "with claim_line held by another transaction, purge --lock-timeout 1 exits 75" \
	"$DMPREMB" purge --as-of "$P1" --lock-timeout 1
keep
check_grep "and says what it could not drop" "partition(s) not dropped: claim_line was in use .* the rest was done" \
	"$TMP/err"
release
busy_run=$(sql "SELECT max(run_id) FROM run WHERE command = 'purge'")
check_eq "no partition was dropped" "$parts_before" "$(digest "$parts_sql")"
check "claim_stat has rows of the months to drop" test "$stat_old" -gt 0
check_eq "their claim_stat rows wait for them" "$stat_old" \
	"$(sql "SELECT count(*) FROM claim_stat WHERE flx_month < '2024-06-01'")"
check_eq "the other steps were done: the closed dossiers' claim lines are gone" "0" \
	"$(sql "SELECT count(*) FROM claim_line WHERE ins_c IN (SELECT ins_c FROM public.t_gone)")"
before=$(db_digest)

# --- one purge at a time
hold "SELECT pg_advisory_lock(7368210933), pg_sleep(60)" \
	"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
check_exit 75 "a purge while another holds the purge lock exits 75" "$DMPREMB" purge --as-of "$P1"
keep
check_grep "saying so" "another purge is running" "$TMP/err"
release
check_eq "it did nothing" "$before" "$(db_digest)"

# --- killed after three slices (partition drops), then run again
DMPREMB_KILL_AT=purge-slice:3 "$DMPREMB" purge --as-of "$P1" --slice 1 >"$TMP/out" 2>"$TMP/err"
check_eq "purge killed after its third slice" 137 "$?"
keep
killed=$(sql "SELECT max(run_id) FROM run WHERE command = 'purge'")
check_eq "three partitions were dropped, for good" "$((gone_parts - 3))" \
	"$(sql "SELECT count(*) FROM ($parts_sql AND c.relname < 'claim_line_202406') x")"
check_exit 0 "the purge run again" "$DMPREMB" purge --as-of "$P1" --slice 2
keep
RUN=$(sql "SELECT max(run_id) FROM run WHERE command = 'purge'")
compare "first purge"
cp "$TMP/err" "$TMP/purge.err"; purge_run=$RUN
check_eq "the closed and reactivated dossiers within their grace keep their claim lines" "t" \
	"$(sql "SELECT count(*) FILTER (WHERE ins_c = '$c3') = $c3_lines AND count(*) FILTER (WHERE ins_c = '$r1') > 0
	        FROM claim_line")"
check_eq "the closed and deceased dossiers keep their documents" "5" \
	"$(sql "SELECT count(*) FROM document WHERE ins_c IN (SELECT ins_c FROM public.t_gone)")"
check_eq "the killed run is closed as interrupted" "interrupted" "$(sql "SELECT outcome FROM run WHERE run_id = $killed")"
check_eq "the run row: ok, the partitions the killed run had left" "ok $((gone_parts - 3))" \
	"$(sql "SELECT outcome FROM run WHERE run_id = $RUN") $(run_counts partitions_dropped)"
RUN=$busy_run
check_eq "the run that timed out on the DROP: failed, exit 75, with what it removed" \
	"failed 75 0 5 5 $gone_closed_lines $gone_closed_stays $e_gone_versions $gone_rejects 3 $gone_old_stays" \
	"$(sql "SELECT outcome || ' ' || exit_code FROM run WHERE run_id = $RUN") $(run_counts partitions_dropped \
	   closed_dossiers closed_first_purges closed_claim_lines closed_stays version_rows rejects backfill_items old_stays)"
check_eq "a dossier closed before its second feed keeps its only version row, old but current" "1" \
	"$(sql "SELECT count(*) FROM document_version WHERE ins_c = '$c0' AND generated_at < '2025-09-01T00:30:00+02:00'")"
check_eq "claim_stat: no row of a month before the cutoff's" "0" \
	"$(sql "SELECT count(*) FROM claim_stat WHERE flx_month < '2024-06-01'")"
check_eq "claim_stat: the months from the cutoff's on are kept" "$(sql "SELECT count(*) FROM claim_stat")" \
	"$(sql "SELECT count(*) FROM claim_stat WHERE flx_month >= '2024-06-01'")"
check_grep "the summary names the dropped partitions" "^  claim_line_202405 " "$TMP/out"
check_grep "the purge refreshed the analysts' top codes (claim_stat lost months)" "analytics.refresh .*what=claims views=1 " "$TMP/err"
check "its purge.done line carries the run row's counts, key by key" python3 "$TOP/tests/tools/done_line.py" \
	"$TMP/purge.err" purge.done "$purge_run" "$(sql "SELECT counts FROM run WHERE run_id = $purge_run")"

# --- a second purge removes nothing
after=$(db_digest)
check_exit 0 "a second purge at the same as-of" "$DMPREMB" purge --as-of "$P1"
keep
RUN=$(sql "SELECT max(run_id) FROM run WHERE command = 'purge'")
check_eq "it removed nothing" "$after" "$(db_digest)"
check_eq "and its run row says so" "0 0 0 0 0 0 0 0" \
	"$(run_counts partitions_dropped claim_stat_rows old_stays closed_claim_lines closed_stays version_rows rejects \
	   backfill_items)"

# --- later: lines arrive for purged dossiers; a second purge sweeps the
# recent partitions of those already purged, and purges whole the dossier
# whose grace has run out since
sql "SELECT claim_line_partition('2026-09-05'), claim_line_partition('2026-02-10');
     INSERT INTO claim_line (ins_c, line_key, flx_trt_dtd, exe_soi_dtd, domain, act_qsn, content_hash, batch_id) VALUES
  ('$c1', '08200000-0000-8000-8000-000000000001', '2026-09-05', '2026-08-30', 'P', 1, 0, 0),
  ('$c1', '08200000-0000-8000-8000-000000000002', '2026-02-10', '2026-02-01', 'P', 1, 0, 0),
  ('$c3', '08200000-0000-8000-8000-000000000003', '2026-09-05', '2026-08-30', 'P', 1, 0, 0),
  ('$c3', '08200000-0000-8000-8000-000000000004', '2026-02-10', '2026-02-01', 'P', 1, 0, 0),
  ('$o1', '08200000-0000-8000-8000-000000000005', '2026-09-05', '2026-08-30', 'P', 1, 0, 0)" >/dev/null
sql "TRUNCATE public.t_gone; INSERT INTO public.t_gone VALUES ('$c3')" >/dev/null
P2=2026-11-05T10:00:00+01:00
expect 2024-08-01 2024-08-05 2025-11-05T10:00:00+01:00 2026-08-07T10:00:00+02:00 "$X, $Y" \
	"AND line_key <> '08200000-0000-8000-8000-000000000001'"
check_exit 0 "a purge two months later" "$DMPREMB" purge --as-of "$P2"
keep
RUN=$(sql "SELECT max(run_id) FROM run WHERE command = 'purge'")
compare "second purge"
check_eq "an already purged dossier: its late line of a recent month is swept" "0" \
	"$(sql "SELECT count(*) FROM claim_line WHERE line_key = '08200000-0000-8000-8000-000000000001'")"
check_eq "one of a month before the sweep's margin waits for its partition to go (the cheap sweep)" "1" \
	"$(sql "SELECT count(*) FROM claim_line WHERE line_key = '08200000-0000-8000-8000-000000000002'")"
check_eq "the dossier closed within the grace at the first purge, past it now: all its lines go" "0" \
	"$(sql "SELECT count(*) FROM claim_line WHERE ins_c = '$c3'")"
check_eq "the run row: 6 closed or deceased dossiers, one purged for the first time" "6 1" \
	"$(run_counts closed_dossiers closed_first_purges)"
check_eq "the open dossier keeps its new line" "1" \
	"$(sql "SELECT count(*) FROM claim_line WHERE line_key = '08200000-0000-8000-8000-000000000005'")"

# --- where a slice stops is no identifier (issue 17, B5): the functions hand
# dmpremb_ingest a sealed position, which it passes back as it is. At P2,
# after the purge there, a slice of old version rows deletes nothing (each
# is its dossier's current one) and still says where it stopped.
row=$(probe_value ingest "SELECT * FROM dmpremb.purge_versions('$P2', 12, NULL, 1, false)")
key=${row#*|}
check_eq "purge_versions: a slice that deleted nothing, and the key to go on, sealed (hex)" "0 yes" \
	"${row%%|*} $(printf '%s' "$key" | grep -Eq '^[0-9a-f]{32,}$' && echo yes)"
check_eq "... no version row's INS-C in what it returns, even in part" 0 \
	"$(sql "SELECT count(*) FROM document_version WHERE strpos('$row', ins_c) > 0 OR strpos('$row', left(ins_c, 11)) > 0")"
check_eq "... and the next slice starts from it" ok \
	"$(probe ingest "SELECT next_key FROM dmpremb.purge_versions('$P2', 12, '$key', 1, false)")"
row=$(probe_value ingest "SELECT * FROM dmpremb.purge_closed_claims('$P2', 90, 3, NULL, 1, true)")
key=${row%%|*}
check "purge_closed_claims: the key after one dossier is sealed (hex)" \
	sh -c "printf '%s' '$key' | grep -Eq '^[0-9a-f]{32,}$'"
check_eq "... no INS-C of a dossier in what it returns" 0 \
	"$(sql "SELECT count(*) FROM dossier WHERE strpos('$row', ins_c) > 0")"
check_eq "... and the next slice starts from it" ok \
	"$(probe ingest "SELECT * FROM dmpremb.purge_closed_claims('$P2', 90, 3, '$key', 1, true)")"
check_eq "a key made up by the caller is refused (22023)" 22023 \
	"$(probe ingest "SELECT * FROM dmpremb.purge_versions('$P2', 12, '00112233445566778899aabbccddeeff', 1, true)")"

# --- roles: purge's work is done by the functions, not by the role's rights
sqlstate() { # sqlstate ROLE SQL: the SQLSTATE of SQL run as ROLE, or ok
	psql -X -q -v VERBOSITY=verbose -c "SET ROLE $1" -c "$2" >/dev/null 2>"$TMP/psql.err"
	st=$(sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' "$TMP/psql.err" | head -1)
	echo "${st:-ok}"
}
part=$(sql "SELECT min(relname) FROM ($parts_sql) x(relname)")
check_eq "dmpremb_ingest cannot DROP a partition (42501)" 42501 \
	"$(sqlstate dmpremb_ingest "DROP TABLE dmpremb.$part")"
check_eq "dmpremb_ingest cannot DELETE FROM document_version (42501)" 42501 \
	"$(sqlstate dmpremb_ingest "DELETE FROM dmpremb.document_version")"
check_eq "dmpremb_ingest may run the purge functions" ok \
	"$(sqlstate dmpremb_ingest "SELECT dmpremb.purge_old_stays(now(), 3, 10, true),
	   dmpremb.purge_versions(now(), 12, NULL, 10, true), dmpremb.purge_rejects(now(), 90, 10, true)")"
calls="purge_cutoff(now(), 3)
purge_partitions(now(), 3)
purge_drop_partition('$part', now(), 3)
purge_old_stays(now(), 3, 10, false)
purge_claim_stat(now(), 3, false)
purge_closed_claims(now(), 90, 3, NULL, 10, false)
purge_versions(now(), 12, NULL, 10, false)
purge_rejects(now(), 90, 10, false)
purge_backfill_lists(now(), 30, 10, false)"
for role in dmpremb_feed dmpremb_analyst dmpremb_ops; do
	got=$(echo "$calls" | while IFS= read -r call; do sqlstate "$role" "SELECT * FROM dmpremb.$call"; done | sort | uniq -c |
		awk '{printf "%s%s x%s", sep, $2, $1; sep = " "}')
	check_eq "$role cannot execute any of the 9 purge functions (42501)" "42501 x9" "$got"
done
check_eq "the partition is still there" "$part" "$(sql "SELECT relname FROM pg_class WHERE relname = '$part'")"

# --- usage
check_exit 0 "purge --help" "$DMPREMB" purge --help
for o in --as-of --dry-run --margin-months --closed-grace-days --version-months --reject-days --backfill-days \
	--slice --lock-timeout Role:; do
	check_grep "--help describes $o" "^ *$o" "$TMP/out"
done
check_exit 64 "an as-of in the future is refused" "$DMPREMB" purge --as-of 2099-01-01T00:00:00+01:00
check_grep "with a reason" "in the future" "$TMP/err"
check_exit 64 "a bad as-of is refused" "$DMPREMB" purge --as-of yesterday-ish
check_exit 64 "a negative margin is refused" "$DMPREMB" purge --margin-months -1
check_exit 64 "an unknown option is refused" "$DMPREMB" purge --everything

# --- never an identifier in what purge printed
sql "SELECT ins_c FROM dossier UNION SELECT ins_c FROM beneficiary" >"$TMP/secrets"
check "the leak check has identifiers to look for" test "$(wc -l <"$TMP/secrets")" -ge 100
check_eq "no INS-C in any output of purge" 0 "$(grep -c -F -f "$TMP/secrets" "$TMP/all-output")"
finish
