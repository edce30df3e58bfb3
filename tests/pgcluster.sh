#!/bin/sh
# tests/pgcluster.sh — a throwaway PostgreSQL 15 cluster in a directory.
#
#   tests/pgcluster.sh start DIR   create (first time) and start; writes DIR/env
#   tests/pgcluster.sh stop DIR    stop (fast shutdown)
#   tests/pgcluster.sh status DIR
#
# The server listens only on a Unix socket inside DIR (no TCP port unless
# PGCLUSTER_LISTEN is set, e.g. to 127.0.0.1), trusts local connections, and
# is tuned for a test box (fsync stays on: crash tests rely on it).
# PGCLUSTER_CONF, when set, is appended to postgresql.conf at initdb.
# initdb refuses to run as root, so as root the cluster runs as the 'postgres'
# system user (created by Debian's postgresql package), which gets DIR. DIR is
# made 0700 whoever runs it: the socket inside trusts every local connection
# as the superuser, so no other local user may reach it.
# The server log gets no data of the persons (README, Security): errors
# without their DETAIL (log_error_verbosity = terse: "Key (ins_c)=(...)
# already exists", "Failing row contains (...)"), no statement text.
# make db-start uses it for .pg/ in the checkout; tests/run-integration.sh for a
# temporary directory it always removes.
set -eu

cmd=${1:?usage: pgcluster.sh start|stop|status DIR}
dir=${2:?usage: pgcluster.sh start|stop|status DIR}
port=${PGCLUSTER_PORT:-5432}
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
superuser=${PGCLUSTER_SUPERUSER:-postgres}

if [ ! -x "$bindir/pg_ctl" ]; then
	echo "pgcluster: $bindir/pg_ctl not found; run 'make deps' (package postgresql-15)" >&2
	exit 69
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		# runuser keeps no environment we need; pass what matters explicitly
		runuser -u postgres -- env PATH="$bindir:$PATH" "$@"
	else
		"$@"
	fi
}

# As root the server runs as 'postgres', which must reach DIR. A clone in a
# directory other users cannot traverse (root's home, mode 700) keeps DIR as
# a symbolic link to a directory of its own under /var/tmp, named after DIR's
# path: the home is not opened up, and 'make demo' works from any clone.
if [ "$(id -u)" = 0 ] && [ "$cmd" = start ] && [ ! -e "$dir" ] &&
   ! runuser -u postgres -- test -x "$(dirname "$dir")" 2>/dev/null; then
	real=/var/tmp/dmpremb-pg-$(printf '%s' "$dir" | md5sum | cut -c1-12)
	mkdir -p "$real"
	ln -s "$real" "$dir"
fi
[ ! -L "$dir" ] || dir=$(readlink -f "$dir")

case "$cmd" in
start)
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$dir"
	fi
	chmod 700 "$dir"   # the socket trusts every local connection: its owner only
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$bindir/initdb" -D "$dir/data" -U "$superuser" -A trust -E UTF8 \
			--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
			echo "pgcluster: initdb failed, see $dir/initdb.log" >&2; exit 70; }
		cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '${PGCLUSTER_LISTEN:-}'
port = $port
unix_socket_directories = '$dir'
shared_buffers = 256MB
max_wal_size = 2GB
checkpoint_timeout = 15min
synchronous_commit = off
log_min_messages = warning
max_connections = 50
CONF
		# extra settings (tests/citus-cluster.sh: shared_preload_libraries)
		[ -z "${PGCLUSTER_CONF:-}" ] || printf '%s\n' "$PGCLUSTER_CONF" >>"$dir/data/postgresql.conf"
	fi
	# no data of the persons in the server log; also added to a cluster made
	# before these settings (a restart applies them)
	if ! grep -q '^log_error_verbosity = terse' "$dir/data/postgresql.conf"; then
		cat >>"$dir/data/postgresql.conf" <<'CONF'
# no data of the persons in the server log (README, Security)
log_error_verbosity = terse
log_min_error_statement = panic
log_statement = none
log_min_duration_statement = -1
log_parameter_max_length = 0
log_parameter_max_length_on_error = 0
CONF
	fi
	if as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		:
	else
		as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || {
			echo "pgcluster: server did not start, see $dir/server.log" >&2; exit 69; }
	fi
	cat >"$dir/env" <<ENV
export PGHOST='$dir'
export PGPORT='$port'
export PGUSER='$superuser'
export PGDATABASE='dmpremb'
ENV
	chmod 644 "$dir/env"
	if ! as_owner "$bindir/psql" -h "$dir" -p "$port" -U "$superuser" -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'dmpremb'" | grep -q 1; then
		as_owner "$bindir/createdb" -h "$dir" -p "$port" -U "$superuser" dmpremb
	fi
	echo "pgcluster: running in $dir (socket only, port $port); '. $dir/env' to use it"
	;;
stop)
	if [ -f "$dir/data/PG_VERSION" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	;;
status)
	as_owner "$bindir/pg_ctl" -D "$dir/data" status
	;;
*)
	echo "usage: pgcluster.sh start|stop|status DIR" >&2
	exit 64
	;;
esac
