#!/bin/bash
# Self-test of run-all.sh's judging of whole suites, on fake suites in a
# scratch directory (no VM, no root, well under a second): a suite that
# dies half-way, ends without a summary, loses checks to a bash error, or
# (under PVMIG_TEST_REQUIRE_VM=1, as in CI) skips, must show as a FAIL in
# the tally and in run-all.sh's exit status.  Also lib.sh's summary: printed
# on a clean exit even when the script set its own EXIT trap after sourcing
# lib.sh, and not printed when the script dies.
# Prints PASS/FAIL lines and "N passed, N failed"; exits 1 on a failure.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUNALL=$TOP/harness/tests/run-all.sh
TMP=$(mktemp -d /tmp/pvmig-selftest-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# expect DESCRIPTION COMMAND...: PASS if the command succeeds.
expect() {
	local desc=$1
	shift
	if "$@"; then pass "runner: $desc"; else fail "runner: $desc"; fi
}
# fake NAME: a suite script from stdin.
fake() {
	cat >"$TMP/$1"
	chmod +x "$TMP/$1"
}
# has FILE LINE: FILE has this exact line.
has() { grep -qxF -- "$2" "$1"; }
# runall OUT [VAR=VALUE...]: run-all.sh over the fake suites named in
# SUITES; sets rc.  PVMIG_TEST_REQUIRE_VM is cleared unless given: CI
# exports it to the whole make test.
runall() {
	local out=$1
	shift
	env -u PVMIG_TEST_REQUIRE_VM PVMIG_TEST_SUITES="$SUITES" "$@" "$RUNALL" >"$TMP/$out" 2>&1
	rc=$?
}
# show OUT: the output of a run indented, so a failure can be read and
# its PASS/FAIL lines are not counted by the run-all.sh running this.
show() { sed 's/^/  | /' "$TMP/$1"; }

fake ok.sh <<'EOF'
#!/bin/bash
echo PASS: one
echo PASS: two
echo "2 passed, 0 failed"
EOF
fake dies.sh <<'EOF'
#!/bin/bash
echo PASS: three
echo PASS: four
exit 1
EOF
fake nosummary.sh <<'EOF'
#!/bin/bash
echo PASS: five
EOF
fake skips.sh <<'EOF'
#!/bin/bash
echo "SKIP: skips: needs root for network namespaces"
echo "0 passed, 0 failed, 1 skipped"
EOF
fake hostskip.sh <<'EOF'
#!/bin/bash
echo "PASS: ten"
echo "SKIP: kvm: host lacks KVM (no /dev/kvm on this host)"
echo "1 passed, 0 failed, 1 skipped"
EOF
# A bash error abandons the whole loop with its checks; the script goes on.
fake bashfault.sh <<'EOF'
#!/bin/bash
set -u
echo PASS: six
for m in 1 2; do
	n=$(( 1 + $(true) ))
	echo "PASS: lost $m"
done
echo "1 passed, 0 failed"
EOF
# lib.sh's summary, with the script's own EXIT trap set after sourcing it
# (as 40-device.sh does): the summary and the cleanup both run.
fake libok.sh <<EOF
#!/bin/bash
set -u
. "$TOP/harness/tests/lib.sh"
trap 'echo cleanup ran' EXIT
check "seven" true
skip "eight"
EOF
# lib.sh, script dies on set -u after a check: no summary.
fake libdies.sh <<EOF
#!/bin/bash
set -u
. "$TOP/harness/tests/lib.sh"
check "nine" true
echo "\$unset_variable"
check "never" true
EOF

SUITES="$TMP/ok.sh $TMP/dies.sh $TMP/nosummary.sh $TMP/skips.sh $TMP/bashfault.sh $TMP/libok.sh $TMP/libdies.sh"
runall all
# PASS: one two three four five six seven nine; SKIP: skips, eight;
# FAIL: dies, nosummary, bashfault, libdies.
expect "a suite that exits 1 after PASS lines is a FAIL" \
	has "$TMP/all" "FAIL: suite dies.sh exited 1 without a summary"
expect "a suite that exits 0 without a summary is a FAIL" \
	has "$TMP/all" "FAIL: suite nosummary.sh exited 0 without a summary"
expect "a suite that hit a bash error is a FAIL" \
	grep -q '^FAIL: suite bashfault.sh hit a bash error, checks may be lost: line 5: ' "$TMP/all"
expect "a lib.sh suite that dies is a FAIL" \
	has "$TMP/all" "FAIL: suite libdies.sh exited 1 without a summary"
expect "passing and skipping suites are no FAIL" \
	eval '! grep -qE "^FAIL: suite (ok|skips|libok)\.sh" "$TMP/all"'
expect "the SKIP lines are shown" has "$TMP/all" "SKIP: skips: needs root for network namespaces"
expect "the last line is the tally over all suites: 8 passed, 4 failed, 2 skipped" \
	[ "$(tail -n 1 "$TMP/all")" = "8 passed, 4 failed, 2 skipped" ]
expect "run-all.sh exits non-zero when a suite failed (rc $rc)" [ "$rc" -ne 0 ]
[ "$failed" -eq 0 ] || show all

# run-all.sh shows only result lines: lib.sh's summary is checked here.
"$TMP/libok.sh" >"$TMP/libok" 2>&1
expect "lib.sh: summary printed despite the script's own later EXIT trap" \
	has "$TMP/libok" "1 passed, 0 failed, 1 skipped"
expect "lib.sh: ... and that trap still runs" has "$TMP/libok" "cleanup ran"
"$TMP/libdies.sh" >"$TMP/libdies" 2>&1
expect "lib.sh: a script that dies prints no summary" \
	eval '! grep -q "passed," "$TMP/libdies"'
f0=$failed

SUITES="$TMP/ok.sh $TMP/skips.sh"
runall skip
expect "without PVMIG_TEST_REQUIRE_VM a skipping VM suite passes: exit 0 (rc $rc), 2 passed, 0 failed, 1 skipped" \
	[ "$rc" -eq 0 -a "$(tail -n 1 "$TMP/skip")" = "2 passed, 0 failed, 1 skipped" ]
runall strict PVMIG_TEST_REQUIRE_VM=1
expect "with PVMIG_TEST_REQUIRE_VM=1 a skipping VM suite is a FAIL: exit non-zero (rc $rc), 2 passed, 1 failed, 1 skipped" \
	[ "$rc" -ne 0 -a "$(tail -n 1 "$TMP/strict")" = "2 passed, 1 failed, 1 skipped" ]
expect "... and the FAIL names the suite" grep -q '^FAIL: suite skips\.sh skipped a check' "$TMP/strict"
[ "$failed" -eq "$f0" ] || { show skip; show strict; }
f0=$failed

# A SKIP because the host lacks something is no broken CI: it passes under
# PVMIG_TEST_REQUIRE_VM=1 and is listed with its reason above the tally;
# beside it a SKIP for a missing build still fails.
SUITES="$TMP/ok.sh $TMP/hostskip.sh"
runall host PVMIG_TEST_REQUIRE_VM=1
expect "with PVMIG_TEST_REQUIRE_VM=1 a host-lacks SKIP passes: exit 0 (rc $rc), 3 passed, 0 failed, 1 skipped" \
	[ "$rc" -eq 0 -a "$(tail -n 1 "$TMP/host")" = "3 passed, 0 failed, 1 skipped" ]
expect "... and the closing lines give its reason" \
	has "$TMP/host" "  kvm: host lacks KVM (no /dev/kvm on this host)"
SUITES="$TMP/hostskip.sh $TMP/skips.sh"
runall mixed PVMIG_TEST_REQUIRE_VM=1
expect "a set-up SKIP still fails beside a host-lacks one: exit non-zero (rc $rc), 1 passed, 1 failed, 2 skipped" \
	[ "$rc" -ne 0 -a "$(tail -n 1 "$TMP/mixed")" = "1 passed, 1 failed, 2 skipped" ]
expect "... and the FAIL names the set-up SKIP, not the host one" \
	grep -q '^FAIL: suite skips\.sh skipped a check that only needs the project built.*: skips: needs root' "$TMP/mixed"
(. "$TOP/harness/tests/lib.sh"; skip_host "lbl" "KVM" "why") >"$TMP/libhost" 2>&1
expect "lib.sh: skip_host prints the form run-all.sh matches" \
	grep -q '^SKIP: lbl: host lacks KVM (why)$' "$TMP/libhost"
[ "$failed" -eq "$f0" ] || { show host; show mixed; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
