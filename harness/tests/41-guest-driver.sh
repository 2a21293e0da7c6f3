#!/bin/bash
# The guest driver in a VM (TCG): balloon life cycle, stats,
# deflate-on-oom, the fault switches, and the free page bitmap answered
# under the memory checker.  Each script prints its own PASS/FAIL lines; a
# script that dies without a verdict is a FAIL here.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
INITRD=$TOP/build/guest/initramfs.cpio
device_test_begin "guest driver" guestdrv "$INITRD"

export INITRD
relay "guest driver: balloon" python3 "$TOP/impl/guest/tests/test_balloon.py"
relay "guest driver: free page bitmap" python3 "$TOP/impl/guest/tests/test_fpb.py"
