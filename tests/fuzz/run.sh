#!/bin/sh
# tests/fuzz/run.sh TARGET... — what `make fuzz` runs: each libFuzzer target
# build/fuzz/fuzz_NAME for FUZZ_SECONDS (60) seconds, from a corpus made by
# seed.sh under build/fuzz/corpus/NAME (kept between runs, never committed).
# Prints per target the time, the executions and what it found; a crash,
# leak or failed property is copied to tests/fuzz/regressions/NAME/ (replayed
# by `make test`) and makes the run fail.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-60}
status=0
for t in "$@"; do
	bin=$top/build/fuzz/fuzz_$t
	corpus=$top/build/fuzz/corpus/$t
	art=$top/build/fuzz/artifacts/$t
	log=$top/build/fuzz/$t.log
	rm -rf "$art"; mkdir -p "$art"
	"$top/tests/fuzz/seed.sh" "$t" "$corpus"
	start=$(date +%s)
	"$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$art/" \
		"$corpus" >"$log" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	found=$(ls "$art" 2>/dev/null)
	if [ -z "$found" ] && [ "$rc" = 0 ]; then
		echo "fuzz $t: ${took}s, ${runs:-?} executions, nothing found"
		continue
	fi
	status=1
	echo "fuzz $t: ${took}s, ${runs:-?} executions, FOUND (exit $rc), log $log:"
	grep -m3 -E 'ERROR|property failed|SUMMARY' "$log" | sed 's/^/    | /'
	mkdir -p "$top/tests/fuzz/regressions/$t"
	for f in $found; do
		cp "$art/$f" "$top/tests/fuzz/regressions/$t/$f"
		echo "    regression input: tests/fuzz/regressions/$t/$f"
	done
done
exit $status
