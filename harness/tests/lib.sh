# Shared by the shell tests: PASS/FAIL/SKIP lines and leak checks.
# The caller counts the lines; these functions only print them.

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }

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

# jq_ok FILE EXPR: the file is valid JSON and EXPR holds for it.
jq_ok() {
	jq -e "$2" "$1" >/dev/null 2>&1
}
