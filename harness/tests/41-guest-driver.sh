#!/bin/bash
# The guest driver in a VM (TCG): balloon life cycle, stats,
# deflate-on-oom, the fault switches, and the free page bitmap answered
# under the memory checker, on every guest kernel make guest built
# (build/kernel-versions: bookworm's 6.1, the default, and 6.12), each
# with its own build of the driver.  GUEST_KERNEL=VER (a version or a
# prefix such as 6.12, as impl/guest/tests/vmctl.py reads it) runs one
# kernel only.  Each script prints its own PASS/FAIL lines, named after the
# kernel; a script that dies without a verdict is a FAIL here.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
if [ -n "${GUEST_KERNEL:-}" ]; then
	KVERS=$GUEST_KERNEL
else
	KVERS=$(cat "$TOP/build/kernel-versions" 2>/dev/null)
fi
INITRDS=
for k in $KVERS; do
	INITRDS="$INITRDS $TOP/build/guest/$k/initramfs.cpio"
done
# A prefix (GUEST_KERNEL=6.12) has no directory of that name: vmctl.py
# resolves it and refuses what was not built.
[ -n "${GUEST_KERNEL:-}" ] && INITRDS=
device_test_begin "guest driver" guestdrv "$TOP/build/kernel-versions" $INITRDS

# vmctl.py boots build/guest/<kver>/{vmlinux,initramfs.cpio} of the
# kernel GUEST_KERNEL names; INITRD would override only the initramfs.
unset INITRD
for k in $KVERS; do
	export GUEST_KERNEL=$k
	relay "guest driver on $k: balloon" python3 "$TOP/impl/guest/tests/test_balloon.py"
	relay "guest driver on $k: free page bitmap" python3 "$TOP/impl/guest/tests/test_fpb.py"
done

# The harness on a kernel other than the default: --guest-kernel boots it
# with its own driver (a pv-bitmap migration of a small guest), and
# run.json names it and the run id carries it.  Needs root (namespaces).
DEFAULT_KVER=$(cat "$TOP/build/kernel-version")
if [ "$(id -u)" -ne 0 ]; then
	skip "guest driver: harness --guest-kernel: needs root for network namespaces"
	exit 0
fi
"$TOP/build/pvmig" run case1 --guest-kernel 5.10 --results "$TMP/bad" >/dev/null 2>"$TMP/bad.err"
rc=$?
check "harness: --guest-kernel of a kernel not built is refused (exit $rc: $(cat "$TMP/bad.err"))" \
	[ $rc -eq 2 ]
for k in $KVERS; do
	kver=$(cd "$TOP/impl/guest/tests" && GUEST_KERNEL=$k python3 -c 'import vmctl; print(vmctl.guest_kernel())')
	[ "$kver" = "$DEFAULT_KVER" ] && continue
	"$TOP/build/pvmig" run case1 --mem 1G --repeat 1 --methods pv-bitmap --iperf-s 0 \
		--guest-kernel "$k" --results "$TMP/results" >"$TMP/run.out" 2>"$TMP/run.err"
	rc=$?
	run=$(ls -d "$TMP"/results/case1/*_mem* 2>/dev/null | tail -n1)
	check "harness --guest-kernel $k: exits 0 (got $rc; $(tail -n 2 "$TMP/run.err" | tr '\n' ' '))" [ $rc -eq 0 ]
	check "harness --guest-kernel $k: pv-bitmap migration completed with hints" \
		jq_ok "$run/run.json" '.migrations[0] | .status == "completed" and .skipped_pages > 0'
	check "harness --guest-kernel $k: run.json names $kver and the default" \
		jq_ok "$run/run.json" ".versions.guest_kernel == \"$kver\" and .versions.guest_kernel_default == \"$DEFAULT_KVER\" and .params.guest_kernel_requested == \"$k\" and (.versions.guest_kernel_package | test(\"^[0-9]\"))"
	check "harness --guest-kernel $k: the run id names the kernel" \
		jq_ok "$run/run.json" '.scenario | test("_guestkernel-")'
	check "harness --guest-kernel $k: nothing left behind" nothing_left
	rm -rf "$TMP/results"
done
