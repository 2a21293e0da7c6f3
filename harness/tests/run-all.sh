#!/bin/bash
# make test: every suite, then one summary line over all of them.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
LOG=$(mktemp /tmp/pvmig-test-XXXXXX.log)
trap 'rm -f "$LOG"' EXIT

run_suite() { # NAME COMMAND...
	echo "== $1"
	shift
	"$@" 2>&1 | tee -a "$LOG" | grep -E '^(PASS|FAIL|SKIP)|^  ' || true
}

run_suite "harness unit tests" "$TOP/build/harness-tests"
if [ -f "$TOP/workloads/memcheck/Makefile" ]; then
	run_suite "memcheck unit tests" make -s -C "$TOP/workloads/memcheck" test
fi
if [ -f "$TOP/workloads/service/Makefile" ]; then
	run_suite "service unit tests" make -s -C "$TOP/workloads/service" test
fi
[ -x "$TOP/report/tests/run.sh" ] && run_suite "report generator" "$TOP/report/tests/run.sh"
for t in "$TOP"/harness/tests/[0-9]*-*.sh "$TOP/harness/tests/integration.sh"; do
	[ -x "$t" ] && run_suite "$(basename "$t" .sh)" "$t"
done

passed=$(grep -c '^PASS' "$LOG")
failed=$(grep -c '^FAIL' "$LOG")
skipped=$(grep -c '^SKIP' "$LOG")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
