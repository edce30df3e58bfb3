#!/bin/sh
# t0960-outage: PostgreSQL stopped in the middle of ingest, feed and backfill;
# SIGTERM and SIGINT in the middle of ingest, dossiers import, feed and
# backfill; the database's disk full during an ingest. Each time: the exit
# code and the message say what happened, nothing is half-written, and the
# re-run (after the restart, or once space is freed) leaves the database equal
# to an uninterrupted run's (tests/tools/scenario.sh, db_content).
#
# The command is frozen at a deterministic point (DMPREMB_KILL_AT=point:n:STOP)
# while the test stops the server or sends the signal, then resumed (SIGCONT).
# Runs on a cluster of its own, which it stops and starts.
. "$TESTLIB"
# one lane: the checks below count chunks in the order they are committed
SCENARIO_FEED_JOBS=1
. "$TOP/tests/tools/scenario.sh"

PG2="$TMP/pg"
pg2_port=$((PGPORT + 67))   # beside the harness's cluster: never another run's
PGCLUSTER_PORT=$pg2_port "$TOP/tests/pgcluster.sh" start "$PG2" >/dev/null || { echo "cannot start a cluster"; exit 1; }
. "$PG2/env"
TINY="$TMP/tiny"
cleanup() {
	"$TOP/tests/pgcluster.sh" stop "$PG2" >/dev/null 2>&1
	mountpoint -q "$TINY" 2>/dev/null && umount "$TINY"
}
trap cleanup EXIT
pg_stop() { "$TOP/tests/pgcluster.sh" stop "$PG2" >/dev/null 2>&1; }
pg_start() { PGCLUSTER_PORT=$pg2_port "$TOP/tests/pgcluster.sh" start "$PG2" >/dev/null; }

scenario_reference

# frozen POINT CMD...: starts CMD in the background, frozen at POINT:STOP;
# $job is the background job, $pid the frozen dmpremb process (the job
# itself, or its child when CMD is a shell function)
frozen() {
	point=$1; shift
	DMPREMB_KILL_AT=$point:STOP "$@" >"$TMP/out" 2>"$TMP/err" &
	job=$!
	i=0
	while :; do
		for pid in $job $(pgrep -P "$job"); do
			ps -o stat= -p "$pid" 2>/dev/null | grep -q '^T' && return 0
		done
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$job" 2>/dev/null; then
			_tally fail "the command did not reach $point"; wait "$job"; return 1
		fi
		sleep 0.1
	done
}
# resume: SIGCONT, then the command's exit status in $rc
resume() { kill -CONT "$pid"; wait "$job"; rc=$?; }
send() { kill -"$1" "$pid"; }

# no_secret: the command's messages quote no INS-C or NIR (no 13-digit number)
no_secret() {
	if grep -Eq '[0-9]{13}' "$TMP/err"; then _tally fail "  the messages quote no identifier"
	else _tally ok "  the messages quote no identifier"; fi
}

# interrupt K POINT WHAT ACTION...: stage K (from the state scenario_from
# made) frozen at POINT, ACTION run, resumed: it must exit 75, no_secret
interrupt() {
	k=$1; point=$2; what=$3; shift 3
	frozen "$point" stage "$k" || return 1
	"$@"
	resume
	check_eq "$(stage_name "$k"): $what at $point: exit 75" 75 "$rc"
	no_secret
}

# --- PostgreSQL stopped in the middle of a command, then started again
# outage K POINT: stage K frozen at POINT, server stopped, command resumed
outage() {
	k=$1
	scenario_from "$k"
	before=$(db_digest)
	versions=$(sql "SELECT count(*) FROM document_version")
	interrupt "$k" "$2" "server stopped" pg_stop || return
	check_grep "  the message says the connection was lost and what to do" \
		"connection to the database lost.*run the command again" "$TMP/err"
	pg_start
	case $2 in
	feed-before-store:2)  # the first chunk was committed before the stop, not the second
		check_eq "  the chunk committed before the stop is stored, nothing of the next" "3" \
			"$(($(sql "SELECT count(*) FROM document_version") - versions))" ;;
	*)
		check_eq "  nothing of the interrupted transaction is in the database" "$before" "$(db_digest)" ;;
	esac
	recover "$k" >"$TMP/out" 2>"$TMP/err"
	check_eq "  after the restart the re-run succeeds" "$(cat "$TMP/exit.$k")" "$?"
	same "  and the database equals the uninterrupted run's" "$TMP/ref.$k"
}
outage 2 ingest-chunk:3
outage 2 ingest-before-merge:1
outage 4 feed-before-store:2
outage 7 feed-before-store:2

# a command started while the server is down: 75, said plainly
PGDATABASE=$SCENARIO_REF
pg_stop
check_exit 75 "a feed started while the server is down exits 75" "$DMPREMB" feed --as-of "$A3"
check_grep "  saying it cannot connect" "cannot connect to the database" "$TMP/err"
pg_start

# --- SIGTERM / SIGINT: the current transaction is finished or rolled back,
# the command says what was done and exits 75
# signalled K POINT SIG: stage K frozen at POINT, sent SIG, resumed
signalled() {
	k=$1
	scenario_from "$k"
	interrupt "$k" "$2" "SIG$3" send "$3"
}

signalled 2 ingest-chunk:3 TERM
check_grep "  ingest says the batch was rolled back" "interrupted.*rolled back" "$TMP/err"
check_eq "  no batch was applied" "0 0" "$(sql "SELECT count(*) FROM batch WHERE status = 'applied'") $(sql "SELECT count(*) FROM claim_line")"
check_exit 0 "  the re-run applies it" stage 2
same "  and the database equals the uninterrupted run's" "$TMP/ref.2"

# a signal while the server runs one long statement: the statement is
# cancelled (PQcancel), not waited for. Another session holds claim_line
# locked, so the batch's merge waits on it until the signal comes; the ingest
# must end while that lock is still held.
scenario_from 2
psql -qX -c "BEGIN" -c "LOCK TABLE dmpremb.claim_line IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(900)" \
	>/dev/null 2>&1 &
locker=$!
stage 2 >"$TMP/out" 2>"$TMP/err" &
job=$!
waiting=no
i=0
while [ $i -lt 600 ] && kill -0 "$job" 2>/dev/null; do
	if [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND application_name LIKE 'dmpremb%' AND wait_event_type = 'Lock'")" -gt 0 ]; then
		waiting=yes; break
	fi
	i=$((i + 1)); sleep 0.1
done
check_eq "ingest reaches a statement that waits on the locked claim_line" yes "$waiting"
kill -INT $(pgrep -P "$job") "$job" 2>/dev/null
i=0
while [ $i -lt 600 ] && kill -0 "$job" 2>/dev/null; do i=$((i + 1)); sleep 0.1; done
if kill -0 "$job" 2>/dev/null; then
	_tally fail "  SIGINT ends the ingest while the statement still waits (still running 60 s later)"
	kill -KILL $(pgrep -P "$job") 2>/dev/null
	wait "$job"
else
	wait "$job"; rc=$?
	check_eq "  SIGINT cancels the waiting statement: exit 75" 75 "$rc"
	kill -0 "$locker" 2>/dev/null && held=yes || held=no
	check_grep "  the message says the batch was rolled back" "interrupted while .* (statement cancelled): batch rolled back, nothing of it written; run the same ingest again" "$TMP/err"
	check_grep "  the log says rolled back, with nothing loaded" "ingest.done .*status=interrupted rolled_back=true read=[1-9][0-9]* loaded=0 filtered=0 rejected=0 duplicate=0" "$TMP/err"
	check_grep "  and it showed the step it was in" 'ingest.step .*step=[12] steps=4 what=' "$TMP/err"
	no_secret
	check_eq "  ... while the other session still holds its lock" yes "$held"
fi
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(900)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$locker" 2>/dev/null
check_eq "  no batch was applied" "0 0" "$(sql "SELECT count(*) FROM batch") $(sql "SELECT count(*) FROM claim_line")"
check_exit 0 "  the re-run applies it" stage 2
same "  and the database equals the uninterrupted run's" "$TMP/ref.2"

signalled 3 dossiers-before-commit:1 INT
check_grep "  the import says nothing was imported" "interrupted before commit: nothing imported" "$TMP/err"
check_eq "  no event was stored" "0" "$(sql "SELECT count(*) FROM dossier_event")"
recover 3 >"$TMP/out" 2>&1
same "  the re-run gives the uninterrupted run's database" "$TMP/ref.3"

# the chunk being stored when the signal came is finished, then it stops
signalled 4 feed-before-store:2 INT
check_grep "  feed says how many documents it stored and that the rest is still due" \
	"interrupted after 6 documents; what is left is still due" "$TMP/err"
check_eq "  the two chunks begun are stored, nothing more" "6" "$(sql "SELECT count(*) FROM document")"
check_eq "  the run row is closed as interrupted" "interrupted" \
	"$(sql "SELECT outcome FROM run WHERE command = 'feed' ORDER BY run_id DESC LIMIT 1")"
recover 4 >"$TMP/out" 2>&1
same "  the re-run gives the uninterrupted run's database" "$TMP/ref.4"

signalled 7 feed-chunk:2 TERM
list=$(sql "SELECT max(run_id) FROM backfill_item")
check_grep "  backfill says how to finish" "interrupted after 6 documents: run 'dmpremb backfill --resume $list'" "$TMP/err"
recover 7 >"$TMP/out" 2>&1
same "  --resume gives the uninterrupted run's database" "$TMP/ref.7"

# --- the database's disk full in the middle of an ingest
# The database lives in a tablespace on a small tmpfs (needs root and the
# right to mount, as in CI); WAL stays on the cluster's own disk.
scenario_drop
if [ "$(id -u)" != 0 ] || ! mkdir -p "$TINY" || ! mount -t tmpfs -o size=64m tmpfs "$TINY" 2>/dev/null; then
	skip "disk full" "cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN)"
	finish; exit
fi
chown postgres "$TINY"
big="$TMP/big"
"$FIXTURES/gen" --persons 150 --seed 7 --referentials "$FIXTURES/referentials" --out "$big" >/dev/null 2>&1
lines=$(awk -F';' 'NR > 1 && $1 ~ /^(pharmacie|actes|radiologie|biologie)/ {s += $2} END {print s}' "$big/manifest.csv")
# the reference, on the normal disk
new_db disk_ref
stage 1 >"$TMP/out" 2>&1
check_exit 0 "a generated batch of $lines claim lines ingests on a normal disk" "$DMPREMB" ingest "$big"
db_content >"$TMP/ref.disk"
# the same on the small disk, which is then shrunk to what it holds plus 1 MB
sql "CREATE TABLESPACE tiny LOCATION '$TINY'" >/dev/null
PGDATABASE=t_disk
createdb -D tiny "$PGDATABASE" && "$DMPREMB" db migrate >"$TMP/out" 2>&1 && stage 1 >"$TMP/out" 2>&1
sql "CHECKPOINT" >/dev/null
used=$(du -sk "$TINY" | cut -f1)
mount -o remount,size=$((used + 1024))k "$TINY"
before=$(db_digest)
check_exit 75 "the same ingest with the database's disk full exits 75" "$DMPREMB" ingest "$big"
check_grep "  the message names the cause and what to do" \
	"SQLSTATE 53100.*out of disk space.*free the resource, then run the command again" "$TMP/err"
no_secret
mount -o remount,size=256m "$TINY"
check_eq "  nothing of the batch is in the database" "$before" "$(db_digest)"
check_eq "  the database answers and holds no claim line" "0" "$(sql "SELECT count(*) FROM claim_line")"
check_exit 0 "  once space is freed, the re-run applies the batch" "$DMPREMB" ingest "$big"
same "  and the database equals the one filled on a normal disk" "$TMP/ref.disk"
PGDATABASE=t_disk_ref
dropdb --force t_disk
sql "DROP TABLESPACE tiny" >/dev/null
finish
