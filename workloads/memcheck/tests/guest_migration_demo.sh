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
. "$TOP/workloads/common/guest_demo.sh"
MC_ARGS=--mem,256,--chunk,1024
GUEST_SECONDS=45   # churn time in the guest before it verifies
MIGRATE_AT=8       # guest seconds of churn before migration starts

demo_begin memcheck-guest

# ---- guest image: the usual rootfs, our binary, an init that runs the check
cp "$BIN" "$W/root/bin/pvmig-memcheck"
{ demo_init_preamble; cat <<'INIT'
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
} > "$W/root/init"
demo_pack

APPEND="console=ttyS0 quiet mc=$MC_ARGS mcwait=$GUEST_SECONDS"

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
demo_vm "$W/src.log" -qmp "unix:$W/qmp,server=on,wait=off" &
SRC=$!
i=0
until grep -q "^t=$MIGRATE_AT " "$W/src.log" 2>/dev/null || [ $i -ge 120 ]; do
	sleep 1; i=$((i + 1))
done
python3 "$W/migrate.py" "$W/qmp" "$W/stream.bin" 2000 > "$W/migration.txt"
check $? "migration of a 1 GiB TCG guest running the checker completes"
sed 's/^/  /' "$W/migration.txt"
wait $SRC

# ---- 1. clean destination ----------------------------------------------------
demo_vm "$W/dst.log" -incoming "exec:cat $W/stream.bin"
M=$(mismatches_of "$W/dst.log")
echo "  destination: mismatches ${M:-none}, $(status_of "$W/dst.log" | grep -o '"last_full_pass": {[^}]*}')"
[ "$M" = 0 ] && ! grep -q MEMCHECK-OOM "$W/dst.log"
check $? "clean migration: destination verifies with 0 mismatches, no OOM"

# ---- 2. must fail: stream with in-use pages zeroed ---------------------------
python3 "$W/zero_pages.py" "$W/stream.bin" "$W/bad.bin" 40
demo_vm "$W/bad.log" -incoming "exec:cat $W/bad.bin"
M=$(mismatches_of "$W/bad.log")
echo "  destination: mismatches ${M:-none}, $(status_of "$W/bad.log" | grep -o '"mismatch_kinds": {[^}]*}')"
[ -n "$M" ] && [ "$M" -gt 0 ] && status_of "$W/bad.log" | grep -q '"zero": [1-9]'
check $? "lost pages: destination reports zero-page mismatches"

demo_end
