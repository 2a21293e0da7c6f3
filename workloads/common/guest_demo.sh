# SPDX-License-Identifier: GPL-2.0
# guest_demo.sh - what the guest demos of the workloads share (sourced, not
# run): a 1 GiB TCG guest booted from the project's kernel and initramfs
# with an init of the demo's own, migrated by QEMU into a file and resumed
# from it by a second QEMU.  No network, no guest agent, no harness.
#
# The sourcing script sets TOP (the repository root) and calls
# demo_begin NAME; then it writes "$W/root/init" (demo_init_preamble gives
# the mounts every init needs), calls demo_pack, sets APPEND and uses
# demo_vm and "$W/migrate.py".  It ends with demo_end.

PASSED=0
FAILED=0

skip() { echo "SKIP: $1"; echo "0 passed, 0 failed"; exit 0; }
check() {
	if [ "$1" -eq 0 ]; then echo "PASS: $2"; PASSED=$((PASSED + 1))
	else echo "FAIL: $2"; FAILED=$((FAILED + 1)); fi
}

# demo_begin NAME: check what the demo needs (SKIP without it), make the
# scratch directory W (kept with KEEP=1) and a copy of the guest's rootfs
# in $W/root, and write $W/migrate.py.
demo_begin() {
	QEMU=$TOP/build/qemu/qemu-system-x86_64
	KERNEL=$TOP/build/guest/vmlinux
	ROOTFS=$TOP/build/guest/initramfs
	[ -x "$QEMU" ] || skip "no QEMU at $QEMU"
	[ -f "$KERNEL" ] || skip "no guest kernel at $KERNEL"
	[ -d "$ROOTFS" ] || skip "no unpacked initramfs at $ROOTFS"
	command -v cpio >/dev/null || skip "cpio not installed"
	command -v python3 >/dev/null || skip "python3 not installed (QMP client)"
	W=$(mktemp -d "/tmp/$1.XXXXXX")
	if [ -n "$KEEP" ]; then echo "# files in $W"; else trap 'rm -rf "$W"' EXIT; fi
	cp -a "$ROOTFS" "$W/root"
	demo_write_migrate_py
}

# The first lines of every demo's init: busybox applets, /proc, /sys,
# /dev, /tmp, and arg NAME to read NAME=value from the kernel command line.
demo_init_preamble() {
	cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }
INIT
}

# demo_pack: $W/root (with the demo's init) into $W/initramfs.cpio.
demo_pack() {
	chmod +x "$W/root/init"
	(cd "$W/root" && find . | cpio -o -H newc 2>/dev/null) > "$W/initramfs.cpio"
}

# demo_vm SERIAL-LOG EXTRA-ARGS...: the guest, its console into the log,
# with the kernel command line in APPEND; returns when QEMU exits.
demo_vm() {
	log=$1; shift
	timeout 600 "$QEMU" -L /usr/share/qemu -L /usr/share/seabios \
		-accel tcg -cpu max -m 1024 -smp 2 -display none -no-reboot -net none \
		-kernel "$KERNEL" -initrd "$W/initramfs.cpio" -append "$APPEND" \
		-serial "file:$log" "$@"
}

# python3 $W/migrate.py QMP-SOCKET STREAM-FILE DOWNTIME-MS: migrate into
# the file and quit.  Prints one line "MIGRATION key=value ..." with QEMU's
# figures and the host CLOCK_MONOTONIC ms at the migrate command and at
# completion; exits 0 if the migration completed.
demo_write_migrate_py() {
	cat > "$W/migrate.py" <<'PY'
import json, socket, sys, time
sock = socket.socket(socket.AF_UNIX); sock.connect(sys.argv[1]); f = sock.makefile('rw')
def cmd(name, **args):
    f.write(json.dumps({'execute': name, 'arguments': args}) + '\n'); f.flush()
    while True:
        r = json.loads(f.readline())
        if 'return' in r or 'error' in r:
            return r
ms = lambda: int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1000)
json.loads(f.readline()); cmd('qmp_capabilities')
cmd('migrate-set-parameters', **{'max-bandwidth': 10 << 30, 'downtime-limit': int(sys.argv[3])})
start = ms()
cmd('migrate', uri='exec:cat > ' + sys.argv[2])
deadline = time.time() + 300
while True:
    r = cmd('query-migrate')['return']
    if r.get('status') in ('completed', 'failed', 'cancelled') or time.time() > deadline:
        break
    time.sleep(0.05)
end = ms()
print('MIGRATION status=%s start_host_ms=%d end_host_ms=%d total_ms=%s downtime_ms=%s '
      'setup_ms=%s transferred=%s dirty_syncs=%s' % (
    r.get('status'), start, end, r.get('total-time'), r.get('downtime'), r.get('setup-time'),
    r.get('ram', {}).get('transferred'), r.get('ram', {}).get('dirty-sync-count')))
cmd('quit')
sys.exit(0 if r.get('status') == 'completed' else 1)
PY
}

# demo_end: the summary line; exit status 0 only without a FAIL.
demo_end() {
	echo "$PASSED passed, $FAILED failed"
	[ $FAILED -eq 0 ]
}
