# Shared by the shell tests: PASS/FAIL/SKIP lines and leak checks.
# run-all.sh counts the lines.  It also wants each suite to end with its
# own summary "N passed, N failed, N skipped", so that a suite which died
# half-way (and so lost its remaining checks) shows as a FAIL there; these
# functions count what they print and the summary is printed on exit.

_lib_passed=0 _lib_failed=0 _lib_skipped=0
pass() { _lib_arm_summary; _lib_passed=$((_lib_passed + 1)); echo "PASS: $*"; }
fail() { _lib_arm_summary; _lib_failed=$((_lib_failed + 1)); echo "FAIL: $*"; }
skip() { _lib_arm_summary; _lib_skipped=$((_lib_skipped + 1)); echo "SKIP: $*"; }
# skip_host LABEL WHAT WHY: a SKIP because this machine lacks WHAT, which
# run-all.sh tells from a SKIP for a missing build or set-up step (that one
# fails CI).  Keep the words: run-all.sh matches ": host lacks ".
skip_host() { skip "$1: host lacks $2 ($3)"; }

# The summary only on a clean exit: a script that dies (set -u, or any
# non-zero exit) did not get to its end, and the missing summary tells
# run-all.sh so.  The suites end with exit 0 and report failures as FAIL
# lines; relay() passes other programs' results through them.
_lib_exit() {
	local rc=$?
	[ "$rc" -eq 0 ] && echo "$_lib_passed passed, $_lib_failed failed, $_lib_skipped skipped"
	return "$rc"
}

# Put _lib_exit in front of whatever EXIT trap the script has now.  Done at
# each result rather than once when sourced because scripts set their own
# EXIT trap (cleanup of their scratch directory) after sourcing this file,
# which would replace ours.  A script that never reports a result gets no
# summary: run-all.sh then fails it.  Only in the script's own shell: a
# subshell's counts die with it, and its summary would be a false one.
_lib_arm_summary() {
	local -a t
	[ "$BASHPID" = "$$" ] || return 0
	eval "t=($(trap -p EXIT))"  # (trap -- 'COMMAND' EXIT), or ()
	case ${t[2]-} in
	_lib_exit*) ;;
	'') trap _lib_exit EXIT ;;
	*) trap -- "_lib_exit; ${t[2]}" EXIT ;;
	esac
}

# vm_test_begin NAME TAG: the start every VM test script shares: PVMIG,
# a scratch directory TMP (/tmp/pvmig-TAG-*) removed on exit, the guest
# size MEM; SKIP and exit when not root, since the harness needs network
# namespaces.
vm_test_begin() {
	PVMIG=$TOP/build/pvmig
	TMP=$(mktemp -d "/tmp/pvmig-$2-XXXXXX")
	trap 'rm -rf "$TMP"' EXIT
	MEM=${PVMIG_TEST_MEM:-1G}
	if [ "$(id -u)" -ne 0 ]; then
		skip "$1: needs root for network namespaces"
		exit 0
	fi
}

# device_test_begin LABEL TAG [FILE...]: the start of a suite that drives
# build/qemu from a Python test (impl/qemu/tests/): QEMU_BIN, a scratch
# directory TMP (/tmp/pvmig-TAG-*) removed on exit; SKIP and exit when
# python3, the QEMU build or one of the FILEs it also needs is missing.
device_test_begin() {
	local label=$1 tag=$2 f
	shift 2
	QEMU_BIN=$TOP/build/qemu/qemu-system-x86_64
	TMP=$(mktemp -d "/tmp/pvmig-$tag-XXXXXX")
	trap 'rm -rf "$TMP"' EXIT
	if [ "${PVMIG_TEST_HOG:-0}" != 0 ]; then
		hog_start "$PVMIG_TEST_HOG" || exit 0
	fi
	if ! command -v python3 >/dev/null; then
		skip "$label: python3 is not installed (make deps installs it)"
		exit 0
	fi
	for f in "$QEMU_BIN" "$@"; do
		if [ ! -e "$f" ]; then
			skip "$label: ${f#"$TOP"/} is not built (make qemu guest)"
			exit 0
		fi
	done
}

# hog_start N: a host CPU hog (stress-ng, N workers) beside this suite,
# stopped by its pid when the suite exits, so a test that waits a fixed
# time instead of for the state it needs shows up as a FAIL here rather
# than now and then in CI.  The EXIT trap set by the caller stays.
hog_start() {
	local t
	case $1 in
	*[!0-9]*|'') fail "hog: PVMIG_TEST_HOG=$1 is not a number of workers"; return 1 ;;
	esac
	if ! command -v stress-ng >/dev/null; then
		fail "hog: stress-ng is not installed (make deps installs it)"
		return 1
	fi
	stress-ng --cpu "$1" --timeout 7200 >"$TMP/hog.log" 2>&1 &
	HOG_PID=$!
	eval "t=($(trap -p EXIT))"
	trap -- "kill -TERM $HOG_PID 2>/dev/null; wait $HOG_PID 2>/dev/null; ${t[2]-}" EXIT
	echo "  (beside a CPU hog: stress-ng --cpu $1, pid $HOG_PID)"
}

# relay NAME COMMAND...: run a test program (output in $TMP/out) and pass
# its PASS/FAIL/SKIP lines on through pass/fail/skip, so they count in
# this suite's summary, with its indented detail lines; fail when it exits
# non-zero without a FAIL of its own, or prints no result at all.
relay() {
	local name=$1 rc line
	shift
	"$@" >"$TMP/out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		PASS:\ *) pass "${line#PASS: }" ;;
		FAIL:\ *) fail "${line#FAIL: }" ;;
		SKIP:\ *) skip "${line#SKIP: }" ;;
		"  "*) echo "$line" ;;
		esac
	done <"$TMP/out"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL' "$TMP/out"; then
		fail "$name: exited $rc without a verdict: $(tail -n 3 "$TMP/out" | tr '\n' ' ')"
	elif ! grep -qE '^(PASS|FAIL|SKIP)' "$TMP/out"; then
		fail "$name: printed no result"
	fi
}

# check DESCRIPTION COMMAND...: PASS if the command succeeds.
check() {
	desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# Nothing of ours may outlive a harness run: no namespace, no QEMU
# started by the harness (they are named pvmig-src/dst/probe), no iperf3
# bound to our address.
nothing_left() {
	if ip netns list 2>/dev/null | grep -q '^pvmig-'; then
		echo "  left: namespace $(ip netns list | grep '^pvmig-' | head -n1)"
		return 1
	fi
	if pgrep -f 'qemu-system-x86_64 -name pvmig-' >/dev/null; then
		echo "  left: QEMU pid $(pgrep -f 'qemu-system-x86_64 -name pvmig-' | head -n1)"
		return 1
	fi
	for d in /tmp/pvmig-[0-9]*; do
		[ -d "$d" ] || continue
		pid=${d##*-}
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "  left: scratch directory $d"
			return 1
		fi
	done
	if pgrep -f 'iperf3 -s -1 -B 198.18.0.2' >/dev/null; then
		echo "  left: iperf3"
		return 1
	fi
	return 0
}

# csv_field FILE ROW COLUMN-NAME: value of a column in data row ROW (1-based).
csv_field() {
	awk -F, -v row="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		NR == row + 1 { print $c; exit }' "$1"
}

# csv_method_field FILE METHOD COLUMN-NAME: the column in the first row of
# METHOD.  A run shuffles its methods in each repeat, so a row's place says
# nothing of its method.
csv_method_field() {
	awk -F, -v m="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) { if ($i == col) c = i; if ($i == "method") mc = i }; next }
		$mc == m { print $c; exit }' "$1"
}

# jq_ok FILE EXPR [JQ-OPTION...]: the file is valid JSON and EXPR holds for
# it (options such as --arg NAME VALUE go to jq).
jq_ok() {
	jq -e "${@:3}" "$2" "$1" >/dev/null 2>&1
}
