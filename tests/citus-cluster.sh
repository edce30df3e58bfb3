#!/bin/sh
# tests/citus-cluster.sh — a throwaway Citus cluster: a coordinator and two
# workers, each a tests/pgcluster.sh cluster in a subdirectory of DIR.
#
#   tests/citus-cluster.sh start DIR      create (first time) and start all three;
#                                         writes DIR/env (the coordinator)
#   tests/citus-cluster.sh stop DIR       stop all three
#   tests/citus-cluster.sh newdb DIR NAME a database NAME on every node with the
#                                         citus extension, the workers added
#
# Ports: PGCLUSTER_PORT (coordinator, default 55440) and the next two. The
# nodes listen on 127.0.0.1 (Citus's nodes reach each other by host and
# port) with trust authentication: a test box only. A deployment's nodes
# authenticate as docs/scale.md says. Needs Citus installed into Debian's
# PostgreSQL 15 ('make citus').
set -eu

cmd=${1:?usage: citus-cluster.sh start|stop|newdb DIR [NAME]}
dir=${2:?usage: citus-cluster.sh start|stop|newdb DIR [NAME]}
base=${PGCLUSTER_PORT:-55440}
top=$(cd "$(dirname "$0")/.." && pwd)
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
pkglib=$("$bindir/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)

nodes="coord:$base w1:$((base + 1)) w2:$((base + 2))"

# psql as the superuser on the node of PORT
node_psql() {
	port=$1; shift
	psql -X -q -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"
}

case "$cmd" in
start)
	if [ ! -f "$pkglib/citus.so" ]; then
		echo "citus-cluster: Citus is not installed into PostgreSQL 15 ($pkglib/citus.so); run 'make citus'" >&2
		exit 69
	fi
	mkdir -p "$dir"
	chmod 755 "$dir"
	for n in $nodes; do
		PGCLUSTER_PORT=${n#*:} PGCLUSTER_LISTEN=127.0.0.1 \
		PGCLUSTER_CONF="shared_preload_libraries = 'citus'
max_connections = 100
citus.max_client_connections = 90
# Citus starts a maintenance worker per database: the suite makes a dozen
max_worker_processes = 64" \
			"$top/tests/pgcluster.sh" start "$dir/${n%%:*}" >/dev/null
	done
	cp "$dir/coord/env" "$dir/env"
	cat >>"$dir/env" <<ENV
export CITUS_WORKER_PORTS='$((base + 1)) $((base + 2))'
ENV
	echo "citus-cluster: coordinator and 2 workers running in $dir (ports $base-$((base + 2)))"
	;;
stop)
	for n in $nodes; do
		"$top/tests/pgcluster.sh" stop "$dir/${n%%:*}" >/dev/null 2>&1 || true
	done
	;;
newdb)
	name=${3:?usage: citus-cluster.sh newdb DIR NAME}
	for n in $nodes; do
		port=${n#*:}
		node_psql "$port" -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
			-c "CREATE DATABASE \"$name\"" 2>/dev/null ||
		node_psql "$port" -d postgres -c "CREATE DATABASE \"$name\""
		node_psql "$port" -d "$name" -c "CREATE EXTENSION citus"
	done
	node_psql "$base" -d "$name" -c "SELECT citus_set_coordinator_host('127.0.0.1', $base)" \
		-c "SELECT citus_add_node('127.0.0.1', $((base + 1)))" \
		-c "SELECT citus_add_node('127.0.0.1', $((base + 2)))" >/dev/null
	;;
*)
	echo "usage: citus-cluster.sh start|stop|newdb DIR [NAME]" >&2
	exit 64
	;;
esac
