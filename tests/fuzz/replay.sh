#!/bin/sh
# tests/fuzz/replay.sh TARGET... — runs each built fuzz target once over its
# committed seeds (tests/fuzz/corpus/NAME/) and regression inputs
# (tests/fuzz/regressions/NAME/): a past finding that comes back fails here.
# tests/run-all.sh calls it through `make fuzz-replay`; ends with
# "fuzz replay: N passed, N failed" (one per input).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0; fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$@"; do
	n=0
	for f in "$top/tests/fuzz/corpus/$t"/* "$top/tests/fuzz/regressions/$t"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if "$top/build/fuzz/fuzz_$t" -runs=1 "$f" >"$log" 2>&1; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL fuzz_$t ${f#$top/}"
			grep -m3 -E 'ERROR|property failed|SUMMARY' "$log" | sed 's/^/    | /'
		fi
	done
	echo "fuzz replay $t: $n inputs"
done
echo "fuzz replay: $pass passed, $fail failed"
[ "$fail" = 0 ]
