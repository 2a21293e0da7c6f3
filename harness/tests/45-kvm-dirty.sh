#!/bin/bash
# Under KVM, a real vCPU's writes after the free page hint reach the
# destination: impl/qemu/tests/kvm_dirty.py boots the tiny multiboot guest
# of impl/qemu/tests/kvm_guest/ (built here into build/kvm-guest/) with
# -accel kvm, migrates it while it writes into memory it hinted free, and
# compares both memories byte for byte; then the same with
# x-free-page-bitmap-unsafe=on, where the comparison must find the loss.
# The device tests (40-device.sh) write through qtest and the harness's
# guests run under TCG, so this is the one test of KVM's dirty log.  Where
# KVM cannot run even this guest the script says SKIP with the reason.
# Its PASS/FAIL/SKIP lines are counted here one by one; a script that dies
# without a verdict is a FAIL.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
device_test_begin "kvm dirty log" kvmdirty
if ! make -s -C "$TOP/impl/qemu/tests/kvm_guest" >"$TMP/make.out" 2>&1; then
	fail "kvm dirty log: the test guest does not build: $(tail -n 3 "$TMP/make.out" | tr '\n' ' ')"
	exit 0
fi
FPB_TMP=$TMP relay "kvm_dirty.py" python3 "$TOP/impl/qemu/tests/kvm_dirty.py"
exit 0
