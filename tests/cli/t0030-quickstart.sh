#!/bin/sh
# tests/cli/t0030-quickstart.sh — the README's quick start, as a newcomer
# types it: a clone of this repository in a directory other users cannot
# traverse (as root, like /root/dmpremb: mode 700), `make demo`, then every
# line the README shows after it ("Afterwards:"), verbatim, in one shell,
# then `make db-stop`. Each must succeed whatever today's date is.
#
# It builds the clone's release binary (a minute or two), so it runs once:
# under the ASan pass of make test it is skipped, like the bench smoke test.
# Without git or as a non-root user (whose own directories postgres never
# needs to reach) the 700 part cannot be shown: it says so.
. "$TESTLIB"

if [ "$(basename "$DMPREMB_UNDER_TEST")" != dmpremb ]; then
	skip "the quick start" "$(basename "$DMPREMB_UNDER_TEST") under test: the quick start builds the release binary"
	finish
	exit
fi
if ! command -v git >/dev/null 2>&1 || ! git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	skip "the quick start" "no git, or $TOP is not a clone"
	finish
	exit
fi

home=$TMP/home
mkdir -p "$home"
chmod 700 "$home"
clone=$home/dmpremb
check "a clone in a mode-700 directory" git clone -q "$TOP" "$clone"
if [ "$(id -u)" = 0 ]; then
	check "... which the postgres user cannot traverse" sh -c "! runuser -u postgres -- test -x '$home'"
fi
# its own port on a Unix socket, so that it never meets another cluster
demo_port=$((PGPORT + 67))   # beside the harness's cluster: never another run's
check "make demo (first command of the quick start)" \
	sh -c "cd '$clone' && PGCLUSTER_PORT=$demo_port make -s demo >'$TMP/demo.out' 2>&1"
[ "$T_FAIL" = 0 ] || tail -20 "$TMP/demo.out" | sed 's/^/    | /'
check_grep "the demo says it raised the reject threshold" "raised the reject threshold to 50 %" "$TMP/demo.out"

# the README's lines after "Afterwards", as typed (comments and all)
sed -n '/^stored and their sizes/,/^`make test` needs/p' "$TOP/README.md" | sed -n 's/^    //p' >"$TMP/after.sh"
check "the README shows lines to type after make demo" test -s "$TMP/after.sh"
check_grep "... ending with make db-stop" "^make db-stop" "$TMP/after.sh"
check "each README line after make demo succeeds, verbatim" \
	sh -c "cd '$clone' && PGCLUSTER_PORT=$demo_port sh -e -x '$TMP/after.sh' >'$TMP/after.out' 2>&1"
[ "$T_FAIL" = 0 ] || tail -15 "$TMP/after.out" | sed 's/^/    | /'
check_grep "status as of the demo's day: promises kept" "promises kept" "$TMP/after.out"
check_grep "render printed a CDA document" "<ClinicalDocument" "$TMP/after.out"

# whatever happened, no cluster is left running
(cd "$clone" && make -s db-stop >/dev/null 2>&1)
[ ! -L "$clone/.pg" ] || rm -rf "$(readlink -f "$clone/.pg")"
finish
