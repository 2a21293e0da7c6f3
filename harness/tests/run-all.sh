#!/bin/bash
# make test: every suite, then one summary line over all of them.
#
# A suite's PASS/FAIL lines alone cannot be trusted: a suite that dies
# half-way loses its remaining checks without printing a FAIL.  So a suite
# must also end with its own summary "N passed, N failed[, N skipped]",
# print at least one result, and, unless it printed a FAIL itself, exit 0
# without a bash error of its own; otherwise this script adds one line
# "FAIL: suite NAME ..." that counts in the final tally.
#
# Environment:
#   PVMIG_TEST_SUITES      suite scripts to run (space-separated) instead of
#                          the real list.  The runner's self-test uses it.
#   PVMIG_TEST_REQUIRE_VM  1: a SKIP is a FAIL unless the host lacks what
#                          the check needs.  .ci/run sets it: CI runs as
#                          root with everything built, so a check skipped
#                          for want of a build, a set-up step or root means
#                          something broke.
#
# Two kinds of SKIP.  "SKIP: LABEL: host lacks WHAT (WHY)" says the machine
# has no such thing (no usable /dev/kvm, no soft-dirty bits): machines of
# this kind differ, so that is a fact about the host, never a broken CI, and
# the closing lines list each one with its reason.  Any other SKIP says the
# project was not built or set up (no QEMU, no guest, not root).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
WORK=$(mktemp -d /tmp/pvmig-test-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/all.log
HOST_SKIP='^SKIP: .*: host lacks '
: >"$LOG"

# run_suite NAME COMMAND...: run one suite, show its
# result lines as they come, judge the suite as a whole, and add its output
# and any suite-level FAIL to LOG.
run_suite() {
	local name=$1 out=$WORK/suite.out rc why="" err
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$out" | grep -E '^(PASS|FAIL|SKIP)|^  '
	rc=${PIPESTATUS[0]}
	if ! grep -qE '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$out"; then
		why="exited $rc without a summary"
	elif ! grep -qE '^(PASS|FAIL|SKIP)' "$out"; then
		why="printed no PASS, FAIL or SKIP line"
	elif ! grep -q '^FAIL' "$out"; then
		# A FAIL of its own already fails the run and says why; these
		# catch the suites that would otherwise count as passing.
		if [ "$rc" -ne 0 ]; then
			why="exited $rc though it printed no FAIL"
		# bash names the script in its errors ("PATH: line N: ..."): an
		# error in an expansion abandons the command, even a whole loop
		# of checks, and the script goes on to exit 0.
		elif err=$(grep -m1 -F "$1: line " "$out"); then
			why="hit a bash error, checks may be lost: ${err#"$1: "}"
		elif [ "${PVMIG_TEST_REQUIRE_VM:-0}" = 1 ] &&
			err=$(grep '^SKIP' "$out" | grep -v -m1 "$HOST_SKIP"); then
			why="skipped a check that only needs the project built and set up, and PVMIG_TEST_REQUIRE_VM=1 (as in CI, root with everything built): ${err#SKIP: }"
		fi
	fi
	cat "$out" >>"$LOG"
	if [ -n "$why" ]; then
		echo "FAIL: suite $name $why" | tee -a "$LOG"
	fi
}

if [ -n "${PVMIG_TEST_SUITES:-}" ]; then
	for t in $PVMIG_TEST_SUITES; do
		run_suite "$(basename "$t")" "$t"
	done
else
	# First and cheap: the judging above, on fake suites.
	run_suite "runner self-test" "$TOP/harness/tests/runner-selftest.sh"
	run_suite "harness unit tests" "$TOP/build/harness-tests"
	if [ -f "$TOP/workloads/memcheck/Makefile" ]; then
		run_suite "memcheck unit tests" make -s -C "$TOP/workloads/memcheck" test
	fi
	if [ -f "$TOP/workloads/service/Makefile" ]; then
		run_suite "service unit tests" make -s -C "$TOP/workloads/service" test
	fi
	[ -x "$TOP/report/tests/run.sh" ] && run_suite "report generator" "$TOP/report/tests/run.sh"
	# These boot guests (QEMU, and root for the network namespaces).
	for t in "$TOP"/harness/tests/[0-9]*-*.sh "$TOP/harness/tests/integration.sh"; do
		[ -x "$t" ] && run_suite "$(basename "$t")" "$t"
	done
fi

passed=$(grep -c '^PASS' "$LOG")
failed=$(grep -c '^FAIL' "$LOG")
skipped=$(grep -c '^SKIP' "$LOG")
if grep -q "$HOST_SKIP" "$LOG"; then
	echo "skipped because this host lacks what they need:"
	grep "$HOST_SKIP" "$LOG" | sed 's/^SKIP: /  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
