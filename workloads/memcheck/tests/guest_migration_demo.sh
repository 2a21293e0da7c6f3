#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest_migration_demo.sh - the checker inside a real guest across a real
# QEMU migration, both ways round:
#   1. a clean migration must give 0 mismatches on the destination;
#   2. the same migration stream with 40 of the checker's pages zeroed (what
#      a hinting method that skips in-use pages produces) must give mismatches.
#
#   sh tests/guest_migration_demo.sh path/to/pvmig-memcheck [TOP]
#
# TOP (default: the repository root) must hold build/qemu/qemu-system-x86_64,
# build/guest/vmlinux and the unpacked build/guest/initramfs.  Runs under TCG
# with a file as the migration channel, so it needs no network set-up; the
# guest gets its own minimal init (no guest agent).  Takes about 3 minutes.
# Prints PASS/FAIL/SKIP lines and "N passed, N failed".

BIN=${1:?usage: guest_migration_demo.sh BINARY [TOP]}
TOP=${2:-$(cd "$(dirname "$0")/../../.." && pwd)}
QEMU=$TOP/build/qemu/qemu-system-x86_64
KERNEL=$TOP/build/guest/vmlinux
ROOTFS=$TOP/build/guest/initramfs
MC_ARGS=--mem,256,--chunk,1024
GUEST_SECONDS=45   # churn time in the guest before it verifies
MIGRATE_AT=8       # guest seconds of churn before migration starts
PASSED=0
FAILED=0

skip() { echo "SKIP: $1"; echo "0 passed, 0 failed"; exit 0; }
check() {
	if [ "$1" -eq 0 ]; then echo "PASS: $2"; PASSED=$((PASSED + 1))
	else echo "FAIL: $2"; FAILED=$((FAILED + 1)); fi
}
[ -x "$QEMU" ] || skip "no QEMU at $QEMU"
[ -f "$KERNEL" ] || skip "no guest kernel at $KERNEL"
[ -d "$ROOTFS" ] || skip "no unpacked initramfs at $ROOTFS"
command -v cpio >/dev/null || skip "cpio not installed"
command -v python3 >/dev/null || skip "python3 not installed (QMP client)"

W=$(mktemp -d /tmp/memcheck-guest.XXXXXX)
trap 'rm -rf "$W"' EXIT

# ---- guest image: the usual rootfs, our binary, an init that runs the check
cp -a "$ROOTFS" "$W/root"
cp "$BIN" "$W/root/bin/pvmig-memcheck"
cat > "$W/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }
P=$(pvmig-memcheck run --daemonize --status /tmp/mc.json $(arg mc | tr ',' ' '))
i=0
while [ $i -lt $(arg mcwait) ]; do
	sleep 1; i=$((i + 1))
	echo "t=$i $(grep -o '"held_mib": [0-9]*' /tmp/mc.json)" \
	     "$(grep -o '"mismatches": [0-9]*' /tmp/mc.json)"
done
kill -USR1 $P
while ! grep -q '"state": "verified"' /tmp/mc.json; do sleep 0.2; done
echo MEMCHECK-STATUS-BEGIN; cat /tmp/mc.json; echo MEMCHECK-STATUS-END
kill -TERM $P
dmesg | grep -q -i "out of memory" && echo MEMCHECK-OOM
poweroff -f
INIT
chmod +x "$W/root/init"
(cd "$W/root" && find . | cpio -o -H newc 2>/dev/null) > "$W/initramfs.cpio"

APPEND="console=ttyS0 quiet mc=$MC_ARGS mcwait=$GUEST_SECONDS"
vm() { # vm SERIAL-LOG EXTRA-ARGS...
	log=$1; shift
	timeout 600 "$QEMU" -L /usr/share/qemu -L /usr/share/seabios \
		-accel tcg -cpu max -m 1024 -smp 2 -display none -no-reboot -net none \
		-kernel "$KERNEL" -initrd "$W/initramfs.cpio" -append "$APPEND" \
		-serial "file:$log" "$@"
}

cat > "$W/migrate.py" <<'PY'
import json, socket, sys, time
sock = socket.socket(socket.AF_UNIX); sock.connect(sys.argv[1]); f = sock.makefile('rw')
def cmd(name, **args):
    f.write(json.dumps({'execute': name, 'arguments': args}) + '\n'); f.flush()
    while True:
        r = json.loads(f.readline())
        if 'return' in r or 'error' in r:
            return r
json.loads(f.readline()); cmd('qmp_capabilities')
cmd('migrate-set-parameters', **{'max-bandwidth': 10 << 30, 'downtime-limit': 2000})
cmd('migrate', uri='exec:cat > ' + sys.argv[2])
deadline = time.time() + 300
while True:
    r = cmd('query-migrate')['return']
    if r.get('status') in ('completed', 'failed', 'cancelled') or time.time() > deadline:
        break
    time.sleep(0.5)
print('  migration %s: total %s ms, downtime %s ms, %s bytes' % (
    r.get('status'), r.get('total-time'), r.get('downtime'), r.get('ram', {}).get('transferred')))
cmd('quit')
sys.exit(0 if r.get('status') == 'completed' else 1)
PY

# Zero the payload of N pages that start with the checker's magic: the
# destination then holds zero pages where the guest had data.
cat > "$W/zero_pages.py" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
magic = (0x314b434d474d5650).to_bytes(8, 'little')
offs, i = [], data.find(magic)
while i >= 0:
    offs.append(i); i = data.find(magic, i + 4096)
want = int(sys.argv[3])
chosen = offs[::max(1, len(offs) // want)][:want]
for o in chosen:
    data[o:o + 4096] = bytes(4096)
open(sys.argv[2], 'wb').write(data)
print('  zeroed %d of %d checker pages in the stream' % (len(chosen), len(offs)))
PY

status_of() { sed -n '/MEMCHECK-STATUS-BEGIN/,/MEMCHECK-STATUS-END/p' "$1"; }
mismatches_of() { status_of "$1" | grep -o '"mismatches": [0-9]*' | head -n1 | sed 's/.*: //'; }

# ---- source: boot, churn, migrate into a file ------------------------------
vm "$W/src.log" -qmp "unix:$W/qmp,server=on,wait=off" &
SRC=$!
i=0
until grep -q "^t=$MIGRATE_AT " "$W/src.log" 2>/dev/null || [ $i -ge 120 ]; do
	sleep 1; i=$((i + 1))
done
python3 "$W/migrate.py" "$W/qmp" "$W/stream.bin"
check $? "migration of a 1 GiB TCG guest running the checker completes"
wait $SRC

# ---- 1. clean destination ----------------------------------------------------
vm "$W/dst.log" -incoming "exec:cat $W/stream.bin"
M=$(mismatches_of "$W/dst.log")
echo "  destination: mismatches ${M:-none}, $(status_of "$W/dst.log" | grep -o '"last_full_pass": {[^}]*}')"
[ "$M" = 0 ] && ! grep -q MEMCHECK-OOM "$W/dst.log"
check $? "clean migration: destination verifies with 0 mismatches, no OOM"

# ---- 2. must fail: stream with in-use pages zeroed ---------------------------
python3 "$W/zero_pages.py" "$W/stream.bin" "$W/bad.bin" 40
vm "$W/bad.log" -incoming "exec:cat $W/bad.bin"
M=$(mismatches_of "$W/bad.log")
echo "  destination: mismatches ${M:-none}, $(status_of "$W/bad.log" | grep -o '"mismatch_kinds": {[^}]*}')"
[ -n "$M" ] && [ "$M" -gt 0 ] && status_of "$W/bad.log" | grep -q '"zero": [1-9]'
check $? "lost pages: destination reports zero-page mismatches"

echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
