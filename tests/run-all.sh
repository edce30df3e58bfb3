#!/bin/sh
# tests/run-all.sh — what `make test` runs: unit tests (Check) and integration
# tests (real PostgreSQL), first with the release build, then with the
# AddressSanitizer + UBSan build, and the fuzz targets replayed on their seeds
# and regression inputs (tests/fuzz/replay.sh; skipped loudly without clang).
# Ends with one line "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
pass=0; fail=0; status=0

count_unit() {  # parses Check's "100%: Checks: N, Failures: F, Errors: E"
	n=$(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$1" | tail -1)
	set -- $n
	if [ $# = 3 ]; then
		pass=$((pass + $1 - $2 - $3)); fail=$((fail + $2 + $3))
	else
		fail=$((fail + 1))
	fi
}
count_integration() {
	n=$(sed -n 's/^integration.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$1" | tail -1)
	set -- $n
	if [ $# = 2 ]; then
		pass=$((pass + $1)); fail=$((fail + $2))
	else
		fail=$((fail + 1))
	fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests (release build)"
CK_FORK=yes build/rel/unit-tests >"$log" 2>&1 || status=1
cat "$log"; count_unit "$log"

echo "== unit tests (ASan + UBSan build)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/unit-tests >"$log" 2>&1 || status=1
cat "$log"; count_unit "$log"

echo "== fuzz targets replayed on their seeds and regressions (clang, libFuzzer)"
if command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	make -s fuzz-replay >"$log" 2>&1 || status=1
	cat "$log"
	n=$(sed -n 's/^fuzz replay: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$log" | tail -1)
	set -- $n
	if [ $# = 2 ]; then pass=$((pass + $1)); fail=$((fail + $2)); else fail=$((fail + 1)); fi
else
	echo "SKIPPED: clang not found, the fuzz regressions were NOT replayed (make deps installs it)"
fi

echo "== integration tests (release build)"
DMPREMB="$top/bin/dmpremb" tests/run-integration.sh >"$log" 2>&1 || status=1
cat "$log"; count_integration "$log"

echo "== integration tests (ASan + UBSan build)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	DMPREMB="$top/bin/dmpremb-asan" tests/run-integration.sh >"$log" 2>&1 || status=1
cat "$log"; count_integration "$log"

echo "$pass passed, $fail failed"
[ "$status" = 0 ] && [ "$fail" = 0 ]
