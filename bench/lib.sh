# bench/lib.sh — helpers shared by the benchmark scripts of bench/ (POSIX sh).
#
# Sourced by bench/*.sh after setting `top` (the checkout) and cd-ing there:
#
#   bench_refs             sets refs: $SHARED/referentials (SHARED defaults to
#                          $top/../shared) when it has snds/, else the fixtures'
#   bench_cluster PORT NAME   a scratch directory $work (mktemp, NAME.XXXXXX in
#                          $TMPDIR or /tmp) with a private cluster in $work/pg
#                          on PORT, its PG* variables exported; both are
#                          stopped and removed at exit (KEEP_TMP=1: the
#                          directory is kept, the cluster stopped)
#   field NAME FILE        value of NAME=... in FILE's last line that has it
#                          (the commands' `--log-format text` lines; FILE - is stdin)
#   efield EVENT NAME FILE the same, from the last line of event EVENT (a
#                          command's closing line: feed.done, ingest.done; the
#                          analytics.refresh line after it has seconds= too)
#   now                    seconds since the epoch, with nanoseconds
#   mb BYTES               BYTES in MiB, one decimal
#   claim_lines BATCH      claim lines of a batch (pharmacie, actes,
#                          radiologie, biologie), from its manifest.csv
#   batch_files BATCH      the paths of the files the manifest lists
#   csv_bytes BATCH        bytes of all of them
#   reset_documents        every document, version and trace gone, every
#                          dossier due again as before its first feed (and
#                          the pure-SQL feed's bench.sql_document and
#                          bench.sql_trace emptied when they exist)

bench_refs() {
	refs="${SHARED:-$top/../shared}/referentials"
	[ -d "$refs/snds" ] || refs="$top/fixtures/referentials"
	refs=$(cd "$refs" && pwd -P)
}

bench_cluster() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX")
	chmod 755 "$work"
	trap '"$top/tests/pgcluster.sh" stop "$work/pg" >/dev/null 2>&1
		if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi' EXIT
	trap 'exit 130' INT TERM
	PGCLUSTER_PORT=$1 "$top/tests/pgcluster.sh" start "$work/pg" >/dev/null
	. "$work/pg/env"
}

field() { sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" "$2" | tail -1; }
efield() { grep " $1 " "$3" | field "$2" -; }
now() { date +%s.%N; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }

claim_lines() {
	awk -F';' 'NR > 1 && $1 ~ /^(pharmacie|actes|radiologie|biologie)/ {s += $2} END {print s + 0}' "$1/manifest.csv"
}

batch_files() { awk -F';' -v d="$1" 'NR > 1 {print d "/" $1}' "$1/manifest.csv"; }

csv_bytes() { batch_files "$1" | xargs cat | wc -c | tr -d ' '; }

reset_documents() {
	psql -X -q -v ON_ERROR_STOP=1 \
		-c "TRUNCATE dmpremb.document, dmpremb.document_version, dmpremb.trace" \
		-c "UPDATE dmpremb.dossier SET last_fed_at = NULL, first_fed_at = NULL" \
		-c "DO \$\$ DECLARE t text; BEGIN FOREACH t IN ARRAY ARRAY['bench.sql_document', 'bench.sql_trace'] LOOP
			IF to_regclass(t) IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t; END IF; END LOOP; END \$\$" \
		-c "CHECKPOINT" >/dev/null
}
