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
