# tests/tools/scenario.sh — the seven-command scenario of the crash and outage
# tests (t0950, t0960), sourced after test-lib.sh.
#
#   scenario_reference        runs it straight in a new database; keeps a
#                             template database t_crash_sK after each stage K
#                             and its db_content in $TMP/ref.K, its exit in $TMP/exit.K
#   scenario_from K           PGDATABASE=t_crash_case, a copy of the state before stage K
#   stage K / recover K       stage K; what an operator runs after it failed
#   scenario_rest K           the stages after K
#   same "desc" REF           one check: db_content now equals the file REF (names
#                             the tables that differ; leaves it in $TMP/got)
#   wait_gone                 until no other session is on the database
#   scenario_drop             drops the template and case databases
#
# The feeds run with --jobs $SCENARIO_FEED_JOBS (default 2: two lanes, each on
# its own connection, jobs/feed.h); t0960 sets 1, whose checks count the
# chunks in the order one lane commits them.
SCENARIO_FEED_JOBS=${SCENARIO_FEED_JOBS:-2}
A1=2026-11-20T10:00:00+01:00
A2=2026-11-28T10:00:00+01:00
A3=2026-12-06T10:00:00+01:00
LAST=7

stage_name() {
	case $1 in
	1) echo "referentials load" ;; 2) echo "ingest batch-demo" ;; 3) echo "dossiers import" ;;
	4) echo "feed" ;; 5) echo "ingest batch-late" ;; 6) echo "second feed" ;; 7) echo "backfill --all" ;;
	esac
}

stage() {
	case $1 in
	1) "$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" \
		--bdpm "$FIXTURES/referentials/bdpm" ;;
	2) "$DMPREMB" ingest "$FIXTURES/batch-demo" --force ;;
	3) "$DMPREMB" dossiers import "$FIXTURES/dossiers.csv" ;;
	4) "$DMPREMB" feed --as-of "$A1" --chunk 3 --jobs "$SCENARIO_FEED_JOBS" ;;
	5) "$DMPREMB" ingest "$FIXTURES/batch-late" --force ;;
	6) "$DMPREMB" feed --as-of "$A2" --chunk 3 --jobs "$SCENARIO_FEED_JOBS" ;;
	7) "$DMPREMB" backfill --all --as-of "$A3" --chunk 3 ;;
	esac
}

# the same command, or for a backfill whose list was written, --resume of it
recover() {
	if [ "$1" = 7 ]; then
		run=$(sql "SELECT max(run_id) FROM backfill_item")
		if [ -n "$run" ]; then
			"$DMPREMB" backfill --resume "$run" --as-of "$A3" --chunk 3
			return
		fi
	fi
	stage "$1"
}

# (a session of a killed command still holding row locks would make the
# re-run skip those dossiers, which is right, but the re-run would then not
# finish the job in one go)
wait_gone() {
	i=0
	while [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
	                AND pid <> pg_backend_pid()")" != 0 ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

same() {
	db_content >"$TMP/got"
	if cmp -s "$2" "$TMP/got"; then
		_tally ok "$1"
	else
		_tally fail "$1"
		join "$2" "$TMP/got" | awk '$2 != $3 {print "    | table differs: " $1}'
		join -v1 -v2 "$2" "$TMP/got" | sed 's/^/    | table on one side only: /'
	fi
}

scenario_reference() {
	new_db crash_ref
	SCENARIO_REF=$PGDATABASE
	_snap 0
	for k in $(seq 1 $LAST); do
		stage $k >"$TMP/out" 2>&1
		echo $? >"$TMP/exit.$k"
		db_content >"$TMP/ref.$k"
		_snap $k
	done
}

_snap() {
	dropdb --if-exists --force "t_crash_s$1" 2>/dev/null && createdb -T "$SCENARIO_REF" "t_crash_s$1"
}

scenario_from() {
	PGDATABASE=t_crash_case
	dropdb --if-exists --force "$PGDATABASE" 2>/dev/null && createdb -T "t_crash_s$(($1 - 1))" "$PGDATABASE"
}

scenario_rest() {
	j=$(($1 + 1))
	while [ $j -le $LAST ]; do
		stage $j >"$TMP/out" 2>&1 || echo "    | stage $j exited $?"
		j=$((j + 1))
	done
}

scenario_drop() {
	PGDATABASE=$SCENARIO_REF
	for k in $(seq 0 $LAST); do dropdb --if-exists --force "t_crash_s$k" 2>/dev/null; done
	dropdb --if-exists --force t_crash_case 2>/dev/null
}
