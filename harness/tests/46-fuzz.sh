#!/bin/bash
# Fuzzing the free page bitmap device, short and seeded:
# - impl/qemu/tests/fpb_fuzz.py against build/qemu: migrations with an open
#   request and random, mutated, chained and indirect buffers on the fpb
#   queues, resets, cancels; QEMU must stay alive and answer, its counters
#   keep their invariants (FUZZ_SEED=1, about 40 s);
# - the same with a short free-page-bitmap-timeout (300 ms: timeouts, late
#   answers) and free-page-reporting=on beside the feature when the series
#   accepts that combination (the queues move up by one);
# - QEMU's libFuzzer generic-fuzz on the device for 60 s (seed 1), when
#   build/qemu-fuzz is built.  make test does not build it (make qemu-fuzz:
#   clang-14 with ASan and UBSan, 12 minutes on 2 shared cores), so without
#   it this part is not a check of make test and prints a note, not a SKIP.
# The long runs: make fuzz-long.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
FUZZ_BIN=$TOP/build/qemu-fuzz/qemu-fuzz-x86_64
device_test_begin fuzz fuzz

QEMU=$QEMU_BIN FUZZ_SEED=1 FUZZ_SECONDS=${PVMIG_TEST_FUZZ_SECONDS:-40} FUZZ_TMP=$TMP/py \
	relay "fpb_fuzz.py" python3 "$TOP/impl/qemu/tests/fpb_fuzz.py"

# Does this series take free-page-reporting=on beside the feature?
accepts_fpr() {
	printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
		timeout 30 "$QEMU_BIN" -L /usr/share/qemu -bios qboot.rom -M pc -accel qtest -S \
			-nodefaults -display none \
			-device virtio-balloon-pci,free-page-bitmap=on,free-page-reporting=on \
			-qmp stdio >"$TMP/fpr.out" 2>&1
}
dev=
if accepts_fpr; then
	dev=,free-page-reporting=on
else
	echo "  fpb_fuzz.py: free-page-reporting=on not tried, this series refuses the combination: $(grep -m1 -v '^{' "$TMP/fpr.out")"
fi
QEMU=$QEMU_BIN FUZZ_SEED=2 FUZZ_SECONDS=${PVMIG_TEST_FUZZ_SECONDS:-20} FUZZ_MEM=2G \
	FUZZ_TIMEOUT_MS=300 FUZZ_DEV=$dev FUZZ_TMP=$TMP/py2 \
	relay "fpb_fuzz.py, timeout 300 ms$dev" python3 "$TOP/impl/qemu/tests/fpb_fuzz.py"

if [ -x "$FUZZ_BIN" ]; then
	relay "generic-fuzz" "$TOP/scripts/fuzz-generic.sh" "${PVMIG_TEST_GENERIC_FUZZ_SECONDS:-60}" "$TMP/generic" 1
else
	echo "  generic-fuzz: not run, build/qemu-fuzz is not built (make qemu-fuzz; not part of make test)"
fi
exit 0
