#!/bin/sh
# tests/cli/t9000-server-log.sh — no health data in the PostgreSQL server logs.
#
# Runs last (the harness runs scripts in name order): every server log of the
# suite's clusters — the single node of tests/run-integration.sh ($PGHOST is
# its cluster directory, server.log beside data/) and each node of the Citus
# cluster under $CITUS_DIR when a test started it — must hold no INS-C (22
# digits), no NIR and no name of the fixtures or of the batches the suite
# generated (every beneficiaires.csv under the suite's scratch directory).
# A constraint error logged with its DETAIL ("Key (ins_c)=(...) already
# exists", "Failing row contains (...)") would put them there, so the script
# first makes two such errors itself, as a careless client would, with a
# fixture's INS-C and name: the cluster's settings (log_error_verbosity =
# terse, log_min_error_statement = panic: tests/pgcluster.sh) must keep them
# out. Only counts are printed, never a matching line.
. "$TESTLIB"

log=$PGHOST/server.log
if [ ! -r "$log" ]; then
	echo "cannot read the server log $log"; exit 1
fi

# ---- the persons of the fixtures and of the generated batches --------------
pat=$TMP/persons
{
	find "$FIXTURES" "$(dirname "$TMP")" -name beneficiaires.csv 2>/dev/null |
	while read -r f; do
		# BEN_NIR; BEN_NOM_NAI, BEN_NOM_USU, BEN_PRN (names of 4 letters or more:
		# shorter ones would match ordinary words of the log)
		# (batch-cp1252 is in CP1252: read as UTF-8, like the server's log)
		if iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then cat "$f"; else iconv -f CP1252 -t UTF-8 "$f"; fi |
		tail -n +2 | awk -F';' '{ print $1; for (i = 4; i <= 6; i++) if (length($i) >= 4) print $i }'
	done
	tail -n +2 "$FIXTURES/dossiers.csv" | cut -d';' -f1
} | tr -d '\r' | sort -u | grep -v '^$' >"$pat"
check "persons collected from fixtures/ and the generated batches ($(wc -l <"$pat") values)" test -s "$pat"

# ---- a careless client's constraint errors, with a fixture's data -----------
insc=$(tail -n +2 "$FIXTURES/dossiers.csv" | head -1 | cut -d';' -f1)
name=$(tail -n +2 "$FIXTURES/batch-demo/beneficiaires.csv" | head -1 | cut -d';' -f4)
new_db server_log
psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL
INSERT INTO dmpremb.dossier (ins_c) VALUES ('$insc');
SQL
psql -X -q >/dev/null 2>&1 <<SQL
INSERT INTO dmpremb.dossier (ins_c) VALUES ('$insc');
INSERT INTO dmpremb.beneficiary (ins_c, ben_nir, ben_nir_cle, ben_nom_nai, ben_prn, ben_nai_dte, ben_sex_cod,
    content_hash, batch_id) VALUES ('$insc', 'not a NIR', '00', '$name', '$name', '19700101', 1, 1, 1);
SQL
# the server writes its log asynchronously: a statement after them flushes nothing,
# but a short wait lets the logger catch up
sleep 1

# ---- the logs --------------------------------------------------------------
logs=$log
if [ -d "${CITUS_DIR:-}" ]; then
	for l in "$CITUS_DIR"/*/server.log; do
		[ -r "$l" ] && logs="$logs $l"
	done
fi
for l in $logs; do
	where=${l#"$(dirname "$TMP")"/}
	n_insc=$(grep -c -E '(^|[^0-9])[0-9]{22}([^0-9]|$)' "$l")
	n_person=$(grep -c -F -f "$pat" "$l")
	check_eq "no INS-C in $where" 0 "$n_insc"
	check_eq "no NIR or name of the fixtures in $where" 0 "$n_person"
	check_eq "no DETAIL line in $where" 0 "$(grep -c 'DETAIL:' "$l")"
done

finish
