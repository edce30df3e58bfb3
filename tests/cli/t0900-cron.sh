#!/bin/sh
# t0900-cron: cron/dmpremb-run, the scheduled runs. The lock (a second run
# exits 75 at once and says which run holds it); the inbox (complete batches
# to done/ or failed/, incomplete ones left, never a name overwritten); the
# dossier events inbox; retries on exit 75, and a run stopped by exit 69; a
# batch failing with 75 run after run given up to failed/ (an outage counts
# against none); done/ and failed/ made 0750 and aged out after
# DMPREMB_KEEP_DAYS; the node_exporter metrics, checked against the database;
# usage errors. Output shows counts only: never an INS-C, a NIR or a name.
. "$TESTLIB"
RUN="$TOP/cron/dmpremb-run"
demo="$FIXTURES/batch-demo"
# settings come from the env files below, not from whoever runs the tests
unset DMPREMB_BIN DMPREMB_DB DMPREMB_INBOX DMPREMB_DONE DMPREMB_FAILED DMPREMB_EVENTS_INBOX \
	DMPREMB_EVENTS_DONE DMPREMB_EVENTS_FAILED DMPREMB_INGEST_OPTS DMPREMB_FEED_OPTS \
	DMPREMB_PURGE_OPTS DMPREMB_RETRIES DMPREMB_RETRY_DELAY DMPREMB_LOCK DMPREMB_METRICS_FILE \
	DMPREMB_MAX_TRIES DMPREMB_KEEP_DAYS

# keep_output: after a run, its stderr in $TMP/run.err (check and check_exit
# overwrite $TMP/err), and every output for the leak check at the end
keep_output() {
	cp "$TMP/err" "$TMP/run.err"
	cat "$TMP/out" "$TMP/err" >>"$TMP/all-output"
}

# A fake dmpremb: with FAKE_INGEST_STUCK=NAME the ingest of a batch named NAME,
# or the import of an events file named NAME, exits 75 every time; with FAKE_INGEST_FAILS=N its first N `ingest` exit
# FAKE_INGEST_EXIT (75); with FAKE_INGEST_WAIT=FILE `ingest` waits for FILE
# (60 s at most) and exits 0; with FAKE_STATUS=1 `status` prints a gauge and
# exits 1 (a promise broken). Everything else goes to the real dmpremb.
fake="$TMP/fake-dmpremb"
count="$TMP/fake-ingest.count"
cat >"$fake" <<EOF
#!/bin/sh
case "\$1" in
ingest)
	if [ -n "\${FAKE_INGEST_STUCK:-}" ] && [ "\${2##*/}" = "\$FAKE_INGEST_STUCK" ]; then
		echo "fake dmpremb: the ingest of \$FAKE_INGEST_STUCK exits 75 every time" >&2
		exit 75
	fi
	n=\$((\$(cat "$count" 2>/dev/null || echo 0) + 1))
	echo "\$n" >"$count"
	if [ "\$n" -le "\${FAKE_INGEST_FAILS:-0}" ]; then
		echo "fake dmpremb: ingest attempt \$n exits \${FAKE_INGEST_EXIT:-75}" >&2
		exit "\${FAKE_INGEST_EXIT:-75}"
	fi
	if [ -n "\${FAKE_INGEST_WAIT:-}" ]; then
		i=0
		while [ ! -e "\$FAKE_INGEST_WAIT" ] && [ "\$i" -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
		exit 0
	fi ;;
dossiers)
	if [ -n "\${FAKE_INGEST_STUCK:-}" ] && [ "\${3##*/}" = "\$FAKE_INGEST_STUCK" ]; then
		echo "fake dmpremb: the import of \$FAKE_INGEST_STUCK exits 75 every time" >&2
		exit 75
	fi ;;
status)
	if [ -n "\${FAKE_STATUS:-}" ]; then
		printf '# HELP dmpremb_first_feeds_overdue Open dossiers past their first feed deadline.\n'
		printf '# TYPE dmpremb_first_feeds_overdue gauge\ndmpremb_first_feeds_overdue 2\n'
		exit 1
	fi ;;
esac
exec "$DMPREMB" "\$@"
EOF
chmod +x "$fake"

# layout NAME: $TMP/NAME/{batches,events}/inbox and the env file $TMP/NAME/env
layout() {
	d="$TMP/$1"
	rm -rf "$d"
	mkdir -p "$d/batches/inbox" "$d/events/inbox"
	rm -f "$count"
	cat >"$d/env" <<EOF
# dmpremb-run settings of t0900 ($1)
DMPREMB_BIN=$DMPREMB
DMPREMB_INBOX=$d/batches/inbox
DMPREMB_EVENTS_INBOX="$d/events/inbox"
DMPREMB_INGEST_OPTS="--max-reject-ratio 0.5"

DMPREMB_FEED_OPTS='--as-of 2026-11-15T10:00:00+01:00'
DMPREMB_RETRY_DELAY=0
DMPREMB_LOCK=$d/lock
DMPREMB_METRICS_FILE=$d/metrics/dmpremb.prom
EOF
	prom="$d/metrics/dmpremb.prom"
}

# metric NAME_AND_LABELS: the value of one sample of $prom
metric() {
	grep -F "$1 " "$prom" | grep -v '^#' | awk '{print $NF}'
}

# prom_ok FILE: every sample line is `name{labels} value`, after a TYPE line
# for its name
prom_ok() {
	awk '
	/^# TYPE / { typed[$3] = 1; next }
	/^#/ || /^$/ { next }
	{
		if ($0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*([{][a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*[}])? -?[0-9][0-9.eE+-]*$/) {
			print "line " NR " is not name{labels} value"; bad = 1
		}
		name = $0; sub(/[{ ].*/, "", name)
		if (!(name in typed)) { print "line " NR ": no # TYPE for " name; bad = 1 }
		samples++
	}
	END { if (samples == 0) { print "no samples"; bad = 1 }; exit bad }' "$1"
}

# promtool_ok DESC FILE: `promtool check metrics` (Debian's package prometheus,
# which make deps installs) finds nothing in FILE: names, units (seconds, not
# hours), types, help. A loud SKIP where promtool is missing.
promtool_ok() {
	if command -v promtool >/dev/null 2>&1; then
		check "$1" sh -c 'promtool check metrics <"$1"' sh "$2"
	else
		skip "$1" "promtool not found (Debian package prometheus; make deps installs it)"
	fi
}

# applied NAME: the sum of column NAME of batch_file over the applied batches
applied() {
	sql "SELECT coalesce(sum(f.$1), 0) FROM batch_file f JOIN batch b USING (batch_id) WHERE b.status = 'applied'"
}

# --- 1. the lock: a second run exits 75 at once, saying which run holds it
layout lock
cp -r "$demo" "$d/batches/inbox/batch-demo"
FAKE_INGEST_WAIT="$d/release" DMPREMB_BIN="$fake" "$RUN" --env "$d/env" ingest >"$d/holder.out" 2>"$d/holder.err" &
holder=$!
i=0
while ! grep -q "^pid=$holder " "$d/lock" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the running wrapper wrote its pid, job and start time into the lock file" \
	grep -q "^pid=$holder job=ingest started=20" "$d/lock"
check_exit 75 "a second wrapper exits 75 while the first holds the lock" "$RUN" --env "$d/env" hourly
keep_output
check "it returned at once: the first run is still waiting in its ingest" kill -0 "$holder"
check_grep "it says another run holds the lock" \
	'event=lock.busy .*reason="another dmpremb-run holds the lock; this run does nothing"' "$TMP/run.err"
check_grep "it names the holder's pid, job and start time" \
	"holder_pid=$holder holder_job=ingest holder_started=20" "$TMP/run.err"
check "the refused run touched nothing: the batch is still in the inbox" test -d "$d/batches/inbox/batch-demo"
check "the refused run wrote no metrics" test ! -e "$prom"
touch "$d/release"
wait "$holder"
check_eq "the first run ends normally once its ingest returns" 0 "$?"
cp "$d/holder.out" "$TMP/out"; cp "$d/holder.err" "$TMP/err"; keep_output
check "and moves the batch to done/" test -d "$d/batches/done/batch-demo"
check_exit 0 "with the lock free again, the next run runs" "$RUN" --env "$d/env" ingest
keep_output

# --- 2. the inbox and the events inbox, with the real dmpremb and database
new_db cron
layout hourly
cp -r "$demo" "$d/batches/inbox/batch-demo"
cp -r "$demo" "$d/batches/inbox/broken"
sed -i '$d' "$d/batches/inbox/broken/biologie.csv"              # a line short of its manifest
mkdir "$d/batches/inbox/incoming"                                 # transfer going on: no manifest yet
cp "$demo/pharmacie.csv" "$d/batches/inbox/incoming/"
cp "$FIXTURES/dossiers.csv" "$d/events/inbox/dossiers.csv"
printf 'INS_C;EVENEMENT;HORODATAGE\n0000;NAISSANCE;hier\n' >"$d/events/inbox/bad-events.csv"
printf 'INS_C;EVENEMENT;HORODATAGE\n' >"$d/events/inbox/upload.csv.part"   # being written
check_exit 65 "hourly: exit 65 (a batch and an events file were refused, the rest done)" \
	"$RUN" --env "$d/env" hourly
keep_output
check "the complete batch moved to done/" test -f "$d/batches/done/batch-demo/manifest.csv"
check "and left the inbox" test ! -e "$d/batches/inbox/batch-demo"
check_eq "the batch is applied in the database" "applied" "$(sql "SELECT status FROM batch WHERE label = 'batch-demo'")"
check "the batch a line short moved to failed/" test -d "$d/batches/failed/broken"
check_grep "with dmpremb's messages beside it in failed/broken.log" "biologie.csv" "$d/batches/failed/broken.log"
check_grep "logged as batch.failed with dmpremb's exit status" "event=batch.failed batch=broken exit=65 " "$TMP/run.err"
check "the batch without manifest stays in the inbox" test -f "$d/batches/inbox/incoming/pharmacie.csv"
check_grep "and is logged as incomplete" "event=batch.incomplete batch=incoming " "$TMP/run.err"
check "the events file moved to done/" test -f "$d/events/done/dossiers.csv"
check_eq "its events are recorded" "$(($(wc -l <"$FIXTURES/dossiers.csv") - 1))" "$(sql "SELECT count(*) FROM dossier_event")"
check "the bad events file moved to failed/, with its log" test -f "$d/events/failed/bad-events.csv.log"
check "a file being uploaded (not *.csv) is left alone" test -f "$d/events/inbox/upload.csv.part"
check_grep "feed ran after the ingest" "event=feed.done documents=" "$TMP/run.err"

check "the metrics file parses (name{labels} value, with # TYPE)" prom_ok "$prom"
check_eq "the metrics file is readable by node_exporter" 644 "$(stat -c %a "$prom")"
check_eq "no temporary file left beside it" 1 "$(ls -A "$d/metrics" | wc -l)"
for k in read loaded filtered rejected duplicate; do
	case $k in
	read) m='dmpremb_run_lines_read{task="hourly"}'; col=lines_read ;;
	*) m="dmpremb_run_lines{task=\"hourly\",outcome=\"$k\"}"; col=$k ;;
	esac
	check_eq "metrics: lines $k = batch_file's sum over applied batches" "$(applied $col)" "$(metric "$m")"
done
check "the fixture does have rejected lines to count" test "$(applied rejected)" -gt 0
check_eq "metrics: documents fed = document versions stored" "$(sql "SELECT count(*) FROM document_version")" \
	"$(metric 'dmpremb_run_documents_fed{task="hourly"}')"
check_eq "metrics: batches done" 1 "$(metric 'dmpremb_run_batches{task="hourly",outcome="done"}')"
check_eq "metrics: batches failed" 1 "$(metric 'dmpremb_run_batches{task="hourly",outcome="failed"}')"
check_eq "metrics: batches incomplete" 1 "$(metric 'dmpremb_run_batches{task="hourly",outcome="incomplete"}')"
check_eq "metrics: events files done" 1 "$(metric 'dmpremb_run_event_files{task="hourly",outcome="done"}')"
check_eq "metrics: events files failed" 1 "$(metric 'dmpremb_run_event_files{task="hourly",outcome="failed"}')"
check_eq "metrics: exit code" 65 "$(metric 'dmpremb_run_exit_code{task="hourly"}')"
check_eq "metrics: what waits in failed/ (one batch, one event file)" "1 1" \
	"$(metric 'dmpremb_failed_waiting{kind="batches"}') $(metric 'dmpremb_failed_waiting{kind="event_files"}')"
check_eq "metrics: no success timestamp after a run that did not end with 0" "" \
	"$(metric 'dmpremb_run_last_success_timestamp_seconds{task="hourly"}')"
check_grep "the file has dmpremb status's gauges, ages in whole seconds" \
	"^dmpremb_first_feed_oldest_overdue_seconds [0-9]*$" "$prom"
promtool_ok "promtool check metrics finds nothing in it, dmpremb status's gauges included" "$prom"

# the same batch again: already applied, moved beside the first without overwriting it
cp -r "$demo" "$d/batches/inbox/batch-demo"
check_exit 0 "a second hourly run with only the same batch again: exit 0" "$RUN" --env "$d/env" hourly
keep_output
check "the second copy is in done/ under another name" test -f "$d/batches/done/batch-demo.2/manifest.csv"
check "the first copy is still whole" cmp -s "$demo/manifest.csv" "$d/batches/done/batch-demo/manifest.csv"
check_eq "metrics: no line read (batch already applied)" 0 "$(metric 'dmpremb_run_lines_read{task="hourly"}')"
check_eq "metrics: nothing fed again for the same --as-of" 0 "$(metric 'dmpremb_run_documents_fed{task="hourly"}')"
check_eq "metrics: exit code 0" 0 "$(metric 'dmpremb_run_exit_code{task="hourly"}')"
check_eq "metrics: the next run no longer counts the refused batch as failed by itself..." 0 \
	"$(metric 'dmpremb_run_batches{task="hourly",outcome="failed"}')"
check_eq "... but the batch and the event file still waiting in failed/ stay visible" "1 1" \
	"$(metric 'dmpremb_failed_waiting{kind="batches"}') $(metric 'dmpremb_failed_waiting{kind="event_files"}')"
check_eq "metrics: success timestamp = end timestamp" \
	"$(metric 'dmpremb_run_last_end_timestamp_seconds{task="hourly"}')" \
	"$(metric 'dmpremb_run_last_success_timestamp_seconds{task="hourly"}')"

# weekly: the purge, with DMPREMB_PURGE_OPTS; the hourly job's samples stay in the file
purges=$(sql "SELECT count(*) FROM run WHERE command = 'purge' AND outcome = 'ok'")
check_exit 0 "weekly: the purge runs, exit 0" env DMPREMB_PURGE_OPTS="--reject-days 400" "$RUN" --env "$d/env" weekly
keep_output
check_grep "it logs purge.done" "event=purge.done" "$TMP/run.err"
sql "SELECT options FROM run WHERE command = 'purge' ORDER BY run_id DESC LIMIT 1" >"$TMP/purge.opts"
check_grep "dmpremb purge got DMPREMB_PURGE_OPTS" '"reject_days": 400' "$TMP/purge.opts"
check_eq "one purge run recorded, ok" "$((purges + 1))" "$(sql "SELECT count(*) FROM run WHERE command = 'purge' AND outcome = 'ok'")"
check_exit 78 "weekly with DMPREMB_PURGE_OPTS that purge refuses: exit 78" \
	env DMPREMB_PURGE_OPTS="--reject-days 0" "$RUN" --env "$d/env" weekly
keep_output
check_grep "logged as purge.failed" "event=purge.failed exit=78" "$TMP/run.err"
check_exit 0 "weekly again: exit 0" "$RUN" --env "$d/env" weekly
keep_output
check_eq "the weekly job has its samples" 0 "$(metric 'dmpremb_run_exit_code{task="weekly"}')"
check_eq "and the hourly job's are kept" 0 "$(metric 'dmpremb_run_exit_code{task="hourly"}')"

# vacuum and vacuum-full: dmpremb dossiers vacuum under DMPREMB_VACUUM_DB's
# login (a member of dmpremb_owner: here the test cluster's superuser), never
# under the batch login; without it, a configuration error
check_exit 78 "vacuum without DMPREMB_VACUUM_DB: exit 78" "$RUN" --env "$d/env" vacuum
keep_output
check_grep "... saying which login it needs" "event=config.error .*DMPREMB_VACUUM_DB is not set" "$TMP/run.err"
victim=$(sql "SELECT min(ins_c) FROM dossier WHERE state = 'open' AND last_fed_at IS NOT NULL")
printf 'INS_C;EVENEMENT;HORODATAGE\n%s;SUPPRESSION;2026-11-15T11:00:00+01:00\n' "$victim" >"$d/events/inbox/z-delete.csv"
check_exit 0 "an hourly run imports a deletion" "$RUN" --env "$d/env" hourly
keep_output
check "... which leaves relations to vacuum" test "$(sql "SELECT count(*) FROM destruction_pending")" -gt 0
check_exit 0 "vacuum as the owner's login: exit 0" env DMPREMB_VACUUM_DB="user=$PGUSER" "$RUN" --env "$d/env" vacuum
keep_output
check_grep "it logs vacuum.done" "event=vacuum.done full=0" "$TMP/run.err"
check_eq "... and nothing waits for a vacuum any more" 0 "$(sql "SELECT count(*) FROM destruction_pending")"
check_exit 0 "vacuum-full: exit 0" env DMPREMB_VACUUM_DB="user=$PGUSER" "$RUN" --env "$d/env" vacuum-full
keep_output
check_grep "it logs vacuum.done full=1" "event=vacuum.done full=1" "$TMP/run.err"
check_eq "the vacuum jobs have their samples" "0 0" \
	"$(metric 'dmpremb_run_exit_code{task="vacuum"}') $(metric 'dmpremb_run_exit_code{task="vacuum-full"}')"
check_exit 0 "vacuum --dry-run says what it would do" env DMPREMB_VACUUM_DB="user=$PGUSER" "$RUN" --env "$d/env" --dry-run vacuum
keep_output
check_grep "... vacuum.would-run" "event=vacuum.would-run" "$TMP/run.err"
check "the file still parses" prom_ok "$prom"

# the state gauges of `dmpremb status --prometheus`, appended; its exit 1 is no failure
check_exit 0 "feed with a status command that exits 1: exit 0" env DMPREMB_BIN="$fake" FAKE_STATUS=1 \
	"$RUN" --env "$d/env" feed
keep_output
check_eq "the status gauges are appended" 2 "$(metric dmpremb_first_feeds_overdue)"
check "the file with them parses" prom_ok "$prom"
promtool_ok "... and promtool finds nothing in it" "$prom"

# identifiers to look for in every output, taken from the files (never printed)
awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
	{print $c["BEN_NIR"]; print $c["BEN_NOM_NAI"]; print $c["BEN_PRN"]}' "$demo/beneficiaires.csv" |
	tr -d '"' | sort -u >"$TMP/secrets"
sql "SELECT ins_c FROM beneficiary UNION SELECT ins_c FROM dossier" >>"$TMP/secrets"
sed -i '/^$/d' "$TMP/secrets"
cat "$d"/batches/failed/*.log "$d"/events/failed/*.log "$prom" >>"$TMP/all-output"

# --- 3. retries on exit 75; a run stopped by exit 69
new_db cron_retry
layout retry
cp -r "$demo" "$d/batches/inbox/batch-demo"
check_exit 0 "ingest fails twice with 75, then succeeds: exit 0" env DMPREMB_BIN="$fake" FAKE_INGEST_FAILS=2 \
	"$RUN" --env "$d/env" ingest
keep_output
check_eq "two retries logged" 2 "$(grep -c 'event=retry step=ingest batch=batch-demo exit=75 attempt=' "$TMP/run.err")"
check_grep "the last one is attempt 3 of 4" "attempt=3 of=4" "$TMP/run.err"
check "the batch ends in done/" test -d "$d/batches/done/batch-demo"
check_eq "and applied" "applied" "$(sql "SELECT status FROM batch WHERE label = 'batch-demo'")"
check_eq "metrics: 2 retries" 2 "$(metric 'dmpremb_run_retries{task="ingest"}')"
check_eq "metrics: lines read after the retries" "$(applied lines_read)" "$(metric 'dmpremb_run_lines_read{task="ingest"}')"

layout retry-out
cp -r "$FIXTURES/batch-cp1252" "$d/batches/inbox/batch-cp1252"
check_exit 75 "75 more often than DMPREMB_RETRIES: exit 75" \
	env DMPREMB_BIN="$fake" FAKE_INGEST_FAILS=99 DMPREMB_RETRIES=2 "$RUN" --env "$d/env" ingest
keep_output
check_eq "three attempts (one and two retries)" 3 "$(cat "$count")"
check "the batch stays in the inbox for the next run" test -f "$d/batches/inbox/batch-cp1252/manifest.csv"
check_grep "logged as left" "event=batch.left batch=batch-cp1252 exit=75" "$TMP/run.err"
check_eq "metrics: one batch left" 1 "$(metric 'dmpremb_run_batches{task="ingest",outcome="left"}')"

# --- 3b. a batch that fails temporarily run after run is given up, and the
# batches behind it and the feed go on; a run in which the database does not
# answer (an outage) counts against no batch
new_db cron_tries
layout tries
cp -r "$FIXTURES/batch-cp1252" "$d/batches/inbox/a-stuck"
cp -r "$demo" "$d/batches/inbox/b-demo"
printf 'DMPREMB_MAX_TRIES=3\nDMPREMB_RETRIES=0\n' >>"$d/env"
tries="$d/batches/inbox/.dmpremb-tries/a-stuck"
for k in 1 2; do
	check_exit 75 "run $k: the batch's ingest exits 75 while the database answers: exit 75" \
		env DMPREMB_BIN="$fake" FAKE_INGEST_STUCK=a-stuck "$RUN" --env "$d/env" hourly
	keep_output
	check_grep "... counted against the batch: try $k of 3" \
		"event=batch.left batch=a-stuck exit=75 tries=$k of=3 reason=\"failed temporarily while the database answers" "$TMP/run.err"
	check "... it stays in the inbox, and the batch behind it waits (order kept)" \
		test -d "$d/batches/inbox/a-stuck" -a -d "$d/batches/inbox/b-demo"
	check_grep "... the feed is skipped" "event=feed.skipped" "$TMP/run.err"
done
check_eq "the count is a number and a time, nothing of the batch" 1 "$(grep -cE '^2 [0-9T:-]+Z$' "$tries")"
check_exit 75 "an outage (no server where DMPREMB_DB points): exit 75" \
	env DMPREMB_DB="port=1" "$RUN" --env "$d/env" hourly
keep_output
check_grep "... counted against no batch" \
	'event=batch.left batch=a-stuck exit=75 reason="the database does not answer either: not counted against it"' "$TMP/run.err"
check_eq "... the count stays at 2" 2 "$(cut -d' ' -f1 "$tries")"
check_exit 65 "run 3 with the database answering: the batch is given up, exit 65" \
	env DMPREMB_BIN="$fake" FAKE_INGEST_STUCK=a-stuck "$RUN" --env "$d/env" hourly
keep_output
check "the stuck batch is in failed/" test -f "$d/batches/failed/a-stuck/manifest.csv"
check_grep "its log says why" "exited 75 (temporary failure) in 3 runs in a row" "$d/batches/failed/a-stuck.log"
check_grep "logged as given up" "event=batch.given-up batch=a-stuck exit=75 tries=3 moved_to=" "$TMP/run.err"
check "the batch behind it went on, to done/" test -d "$d/batches/done/b-demo"
check_eq "... and is applied" applied "$(sql "SELECT status FROM batch WHERE label = 'b-demo'")"
check_grep "the feed ran" "event=feed.done" "$TMP/run.err"
check "the count left with the batch" test ! -e "$tries"
check_eq "metrics: one batch given up" 1 "$(metric 'dmpremb_run_batches{task="hourly",outcome="given_up"}')"
check_eq "metrics: and waiting in failed/" 1 "$(metric 'dmpremb_failed_waiting{kind="batches"}')"
promtool_ok "promtool check metrics finds nothing in them" "$prom"
cat "$d/batches/failed/a-stuck.log" >>"$TMP/all-output"
cp "$FIXTURES/dossiers.csv" "$d/events/inbox/stuck.csv"
check_exit 65 "an events file whose import exits 75, with DMPREMB_MAX_TRIES=1: given up at once, exit 65" \
	env DMPREMB_BIN="$fake" FAKE_INGEST_STUCK=stuck.csv DMPREMB_MAX_TRIES=1 "$RUN" --env "$d/env" hourly
keep_output
check "... it is in events/failed/, with its log" test -f "$d/events/failed/stuck.csv" -a -f "$d/events/failed/stuck.csv.log"
check_grep "... logged as given up" "event=events.given-up file=stuck.csv exit=75 tries=1 " "$TMP/run.err"
check_grep "... and the feed ran" "event=feed.done" "$TMP/run.err"
check_eq "metrics: one events file given up" 1 "$(metric 'dmpremb_run_event_files{task="hourly",outcome="given_up"}')"

layout stop
cp -r "$FIXTURES/batch-cp1252" "$d/batches/inbox/a"
cp -r "$FIXTURES/batch-late" "$d/batches/inbox/b"
check_exit 69 "database unavailable (69): the run stops with 69" \
	env DMPREMB_BIN="$fake" FAKE_INGEST_FAILS=99 FAKE_INGEST_EXIT=69 "$RUN" --env "$d/env" hourly
keep_output
check_eq "one ingest attempt only: no retry, no second batch" 1 "$(cat "$count")"
check "both batches stay in the inbox" test -d "$d/batches/inbox/a" -a -d "$d/batches/inbox/b"
check "nothing in failed/" test ! -e "$d/batches/failed"
check_grep "feed is skipped" "event=feed.skipped" "$TMP/run.err"


# --- 4. usage and settings
check_exit 0 "--help exits 0" "$RUN" --help
check_grep "--help shows the usage" "usage: dmpremb-run" "$TMP/out"
check_exit 64 "an unknown job exits 64" "$RUN" --env "$d/env" daily
check_grep "and names it" "unknown job 'daily'" "$TMP/err"
check_exit 64 "no job exits 64" "$RUN" --env "$d/env"
check_exit 64 "an unknown option exits 64" "$RUN" --bogus hourly
check_exit 78 "a missing env file exits 78" "$RUN" --env "$TMP/nonexistent.env" hourly
keep_output
check_exit 78 "a missing inbox exits 78" env DMPREMB_INBOX="$TMP/nonexistent" "$RUN" --env "$d/env" ingest
keep_output
# a batch directory whose name holds a line break and an ESC cannot forge a log line
evil=$(printf 'x\nerror event=FORGED \033[31m')
mkdir -p "$d/batches/inbox/$evil"
check_exit 0 "a batch directory named with a line break and an ESC" "$RUN" --env "$d/env" --dry-run ingest
check_eq "... forges no log line, sends no raw ESC" "0 0" \
	"$(grep -c '^error event=FORGED' "$TMP/err") $(grep -c "$(printf '\033')" "$TMP/err")"
check_grep "... and is logged escaped" 'x\\\\x0aerror event=FORGED \\\\x1b\[31m' "$TMP/err"
rm -rf "$d/batches/inbox/$evil"
keep_output
# a key repeated in the env file: the last value holds, as in systemd's EnvironmentFile
{ echo "DMPREMB_INBOX=$TMP/nonexistent"; cat "$d/env"; } >"$d/env.repeated"
check_exit 0 "a key repeated in the env file takes its last value (the earlier inbox is missing)" \
	"$RUN" --env "$d/env.repeated" --dry-run ingest
keep_output
{ cat "$d/env"; echo "DMPREMB_INBOX=$TMP/nonexistent"; } >"$d/env.repeated"
check_exit 78 "... the last one, even when it is the wrong one" "$RUN" --env "$d/env.repeated" --dry-run ingest
keep_output
check_exit 0 "--dry-run runs nothing" "$RUN" --env "$d/env" --dry-run hourly
keep_output
check_grep "and says what it would do" "event=batch.would-ingest batch=a" "$TMP/run.err"

# --- 5. done/ and failed/: private (0750), aged out after DMPREMB_KEEP_DAYS
layout keep
b="$d/batches" e="$d/events"
mkdir -p "$b/done/old" "$b/done/recent" "$b/failed/old" "$e/done"
for f in "$b/done/old/pharmacie.csv" "$b/failed/old/pharmacie.csv" "$b/failed/old.log" "$e/done/old.csv"; do
	echo x >"$f"
done
touch -d '31 days ago' "$b/done/old" "$b/failed/old" "$b/failed/old.log" "$e/done/old.csv"
touch -d '29 days ago' "$b/done/recent"
chmod 755 "$b/done"
cp -r "$demo" "$b/inbox/fresh"          # applied already: to done/
touch -d '60 days ago' "$b/inbox/fresh"  # its own date is old: its age counts from the move
printf 'INS_C;EVENEMENT;HORODATAGE\n0000;NAISSANCE;hier\n' >"$e/inbox/bad.csv"   # refused: events/failed/ made
check_exit 0 "--dry-run says what it would remove, and removes nothing" "$RUN" --env "$d/env" --dry-run hourly
keep_output
check_grep "... retention.would-remove, a count" "event=retention.would-remove dir=$b/done entries=1 days=30" "$TMP/run.err"
check "... the old entry is still there" test -d "$b/done/old"
check_exit 65 "an hourly run under umask 022, with 30 days kept (the default): exit 65 (bad events file)" \
	sh -c 'umask 022; exec "$@"' sh "$RUN" --env "$d/env" hourly
keep_output
check "entries moved to done/ over 30 days ago are removed" test ! -e "$b/done/old"
check "... and in failed/, with their NAME.log" test ! -e "$b/failed/old" -a ! -e "$b/failed/old.log"
check "... and an events file in events/done/" test ! -e "$e/done/old.csv"
check "an entry of 29 days is kept" test -d "$b/done/recent"
check "a batch moved to done/ now is kept, whatever its own date" test -f "$b/done/fresh/manifest.csv"
check "... it is dated by its move" test "$(stat -c %Y "$b/done/fresh")" -gt "$(($(date +%s) - 86400))"
check_grep "removals are logged as counts" "event=retention.removed dir=$b/failed entries=2 days=30" "$TMP/run.err"
check_eq "events/failed/, made by this run, is 0750 whatever the umask" 750 "$(stat -c %a "$e/failed")"
check_eq "done/, found 0755, is made 0750" 750 "$(stat -c %a "$b/done")"
check_grep "... and says so" "event=dir.mode-fixed dir=$b/done was=755 now=750" "$TMP/run.err"
mkdir "$b/done/old"
touch -d '400 days ago' "$b/done/old"
check_exit 0 "DMPREMB_KEEP_DAYS=0 keeps everything" env DMPREMB_KEEP_DAYS=0 "$RUN" --env "$d/env" ingest
keep_output
check "... an entry of 400 days is still there" test -d "$b/done/old"
check_exit 0 "DMPREMB_KEEP_DAYS=500 keeps it too" env DMPREMB_KEEP_DAYS=500 "$RUN" --env "$d/env" ingest
check "... still there" test -d "$b/done/old"
check_exit 0 "DMPREMB_KEEP_DAYS=365 removes it, at a run of any job" env DMPREMB_KEEP_DAYS=365 "$RUN" --env "$d/env" feed
keep_output
check "... gone" test ! -e "$b/done/old"
check "... the batch moved there at the run before is kept" test -d "$b/done/fresh"
check_exit 78 "DMPREMB_KEEP_DAYS that is not a number of days: exit 78" env DMPREMB_KEEP_DAYS=30d "$RUN" --env "$d/env" ingest
keep_output
mkdir "$b/inbox/waiting"
touch -d '3 days ago' "$b/inbox/waiting"
check_exit 78 "a done/ that is the inbox itself: exit 78" \
	env DMPREMB_DONE="$b/inbox" DMPREMB_KEEP_DAYS=1 "$RUN" --env "$d/env" ingest
keep_output
check_grep "... saying why" 'reason="a done/ or failed/ directory is an inbox or /"' "$TMP/run.err"
check "... and nothing of the inbox is removed" test -d "$b/inbox/waiting"

# --- never an identifier or a name in the wrapper's output, logs or metrics
check "the leak check has identifiers to look for" test "$(wc -l <"$TMP/secrets")" -ge 40
check_eq "no NIR, INS-C or name in any output, log or metrics file" 0 \
	"$(grep -c -F -f "$TMP/secrets" "$TMP/all-output")"
# --- the systemd units: valid, and hardened (where systemd-analyze exists)
if command -v systemd-analyze >/dev/null 2>&1; then
	for u in hourly weekly monthly; do
		# the unit as installed, its command pointing at this checkout's wrapper
		sed "s|/usr/local/bin/dmpremb-run|$TOP/cron/dmpremb-run|" "$TOP/cron/systemd/dmpremb-$u.service" \
			>"$TMP/dmpremb-$u.service"
		check "systemd-analyze verify dmpremb-$u.service" systemd-analyze verify "$TMP/dmpremb-$u.service"
		score=$(systemd-analyze security --offline=true "$TMP/dmpremb-$u.service" 2>/dev/null |
			sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		check "dmpremb-$u.service exposure $score, at most 3 (systemd-analyze security)" \
			awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 3) }'
	done
	check_grep "the units share the lock directory, writable under ProtectSystem=strict" \
		"^ReadWritePaths=/var/lib/dmpremb /run/lock" "$TOP/cron/systemd/dmpremb-weekly.service"
else
	skip "systemd units" "systemd-analyze not found"
fi

finish
