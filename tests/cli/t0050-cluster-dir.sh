#!/bin/sh
# tests/cli/t0050-cluster-dir.sh — the directory of a tests/pgcluster.sh
# cluster (make db-start's .pg/, the suite's, the bench's) is 0700 whoever
# starts it: its socket trusts every local connection as the superuser
# (issue 17, B5). Run as root, the script starts one as the 'postgres' user,
# the case of a developer's own account.
. "$TESTLIB"

dir=$TMP/pg
as_user() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- env PATH="$PATH" "$@"
	else
		"$@"
	fi
}
# a socket only, on a port no one else uses in this directory
if as_user env PGCLUSTER_PORT=$((PGPORT + 11)) "$TOP/tests/pgcluster.sh" start "$dir" >"$TMP/start.out" 2>&1; then
	_tally ok "a cluster started by $(as_user id -un)"
	check_eq "its directory is 0700" 700 "$(stat -c %a "$dir")"
	check_eq "... and it owns it" "$(as_user id -un)" "$(stat -c %U "$dir")"
	as_user "$TOP/tests/pgcluster.sh" stop "$dir" >/dev/null 2>&1
	# a second start (an existing cluster) keeps it so, even after a chmod
	chmod 755 "$dir"
	as_user env PGCLUSTER_PORT=$((PGPORT + 11)) "$TOP/tests/pgcluster.sh" start "$dir" >/dev/null 2>&1
	check_eq "made 0700 again when started again" 700 "$(stat -c %a "$dir")"
	check "the server logs errors without their DETAIL" grep -q '^log_error_verbosity = terse' "$dir/data/postgresql.conf"
	as_user "$TOP/tests/pgcluster.sh" stop "$dir" >/dev/null 2>&1
else
	_tally fail "a cluster started by $(as_user id -un)"; sed 's/^/    | /' "$TMP/start.out" | tail -5
fi
finish
