#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest_demo.sh - pvmig-service inside a real TCG guest across a real QEMU
# migration: what the harness will see in case3, without the harness.
#
#   sh tests/guest_demo.sh path/to/pvmig-service path/to/test-service-static [TOP]
#
# 1. In the guest (a Debian kernel, so soft-dirty is there), the host test
#    program runs first: its real-binary checks, soft-dirty witness included,
#    under TCG.
# 2. The service runs at its defaults' rate; the guest is migrated into a
#    file and resumed from it by a second QEMU a few seconds later; the
#    service's log and status come back on the destination's serial console.
#    The script reports throughput before, during and after, and how the
#    guest clock behaved across the switchover.
#
# TOP (default: the repository root) must hold build/qemu/qemu-system-x86_64,
# build/guest/vmlinux and the unpacked build/guest/initramfs.  Takes about
# 2 minutes; KEEP=1 keeps its files.  Prints PASS/FAIL/SKIP lines and
# "N passed, N failed".

BIN=${1:?usage: guest_demo.sh BINARY TEST-BINARY [TOP]}
TEST_BIN=${2:?usage: guest_demo.sh BINARY TEST-BINARY [TOP]}
TOP=${3:-$(cd "$(dirname "$0")/../../.." && pwd)}
. "$TOP/workloads/common/guest_demo.sh"
WSS_MIB=256
RATE_MIB_S=64
TICKS=40          # guest half-seconds of service before it is stopped
MIGRATE_AT=16     # tick at which the migration starts

demo_begin service-guest

# ---- guest image: the usual rootfs, our binaries, an init that runs them --
cp "$BIN" "$W/root/bin/pvmig-service"
cp "$TEST_BIN" "$W/root/bin/test-service"
{ demo_init_preamble; cat <<'INIT'

echo TEST-BEGIN
test-service /bin/pvmig-service 2>&1 | grep -v -E '^PASS: (refused|status has)'
echo TEST-END

pvmig-service --wss-mib $(arg wss) --dirty-mib-s $(arg rate) &
P=$!
while ! grep -q '"state": "running"' /tmp/service.json 2>/dev/null; do sleep 0.1; done
echo SERVICE-RUNNING
i=0
while [ $i -lt $(arg ticks) ]; do
	sleep 0.5; i=$((i + 1))
	echo "tick $i now=$(pvmig-service now)"
done
kill -TERM $P
wait $P
echo "SERVICE-EXIT $?"
echo SERVICE-STATUS-BEGIN; cat /tmp/service.json; echo SERVICE-STATUS-END
echo SERVICE-LOG-BEGIN; cat /tmp/service.log; echo SERVICE-LOG-END
poweroff -f
INIT
} > "$W/root/init"
demo_pack

APPEND="console=ttyS0 quiet wss=$WSS_MIB rate=$RATE_MIB_S ticks=$TICKS"

# ---- source: boot, host tests, service, migrate into a file ----------------
demo_vm "$W/src.log" -qmp "unix:$W/qmp,server=on,wait=off" &
SRC=$!
i=0
until grep -q "^tick $MIGRATE_AT " "$W/src.log" 2>/dev/null || [ $i -ge 1500 ]; do
	sleep 0.2; i=$((i + 1))
done
echo "# the host test program inside the guest (TCG, Debian kernel):"
sed -n '/TEST-BEGIN/,/TEST-END/p' "$W/src.log" | grep -v -E 'TEST-(BEGIN|END)' | sed 's/^/  /'
sed -n '/TEST-BEGIN/,/TEST-END/p' "$W/src.log" | grep -q '^[0-9]* passed, 0 failed'
check $? "host tests pass inside the guest"

python3 "$W/migrate.py" "$W/qmp" "$W/stream.bin" 300 > "$W/migration.txt"
check $? "migration of the 1 GiB guest running the service completes"
cat "$W/migration.txt" | sed 's/^/  /'
wait $SRC
sleep 2  # the guest stays stopped a while longer: does its clock notice?

# ---- destination: resume from the file, service runs on, then reports -----
DST_AT=$(python3 -c 'import time; print(int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1000))')
demo_vm "$W/dst.log" -incoming "exec:cat $W/stream.bin"

python3 - "$W/src.log" "$W/dst.log" "$W/migration.txt" "$DST_AT" "$RATE_MIB_S" "$MIGRATE_AT" \
	> "$W/analysis.txt" <<'PY'
import re, statistics, sys
src, dst, mig = (open(p, errors='replace').read() for p in sys.argv[1:4])
dst_launch_host_ms, rate, migrate_at = int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
target = rate * 256  # ops/s: one 4 KiB page per op
m = dict(kv.split('=') for kv in re.search(r'MIGRATION (.*)', mig).group(1).split())
ticks_src = [(int(a), int(b)) for a, b in re.findall(r'tick (\d+) now=(\d+)', src)]
ticks_dst = [(int(a), int(b)) for a, b in re.findall(r'tick (\d+) now=(\d+)', dst)]
log = re.search(r'SERVICE-LOG-BEGIN\n(.*)SERVICE-LOG-END', dst, re.S)
status = re.search(r'SERVICE-STATUS-BEGIN\n(.*)SERVICE-STATUS-END', dst, re.S)
status = status.group(1) if status else ''
exitc = re.search(r'SERVICE-EXIT (\d+)', dst)
lines = [tuple(float(x) for x in l.split()) for l in (log.group(1) if log else '').splitlines()]
ok = bool(lines) and bool(ticks_src) and bool(ticks_dst)
print('RESULT log_back %d' % ok)
if not ok:
    sys.exit(0)

# The guest clock across the switchover: the last tick the source printed
# and the next one, printed on the destination.
last_src_tick, last_src_now = ticks_src[-1]
first_dst = next((t for t in ticks_dst if t[0] > last_src_tick), None)
stopped_host_ms = dst_launch_host_ms - int(m['end_host_ms']) + int(m['downtime_ms'])
if first_dst:
    guest_gap = first_dst[1] - last_src_now
    print('INFO guest clock across the switchover: %d ms between tick %d (source) and tick %d '
          '(destination), while the VM was stopped on the host for more than %d ms'
          % (guest_gap, last_src_tick, first_dst[0], stopped_host_ms))
    print('RESULT clock_frozen %d' % (guest_gap < stopped_host_ms))

# The migration window in guest time, approximately: from the tick the host
# waited for before the migrate command, to half a tick after the last tick
# the source printed (the guest ran until it was stopped there).
start_guest = dict(ticks_src)[migrate_at]
end_guest = last_src_now + 500
before = [l[2] for l in lines if l[0] <= start_guest]
during = [l[2] for l in lines if start_guest < l[0] <= end_guest]
after = [l[2] for l in lines if l[0] > end_guest + 1000]
gaps = [b[0] - a[0] for a, b in zip(lines, lines[1:])]
def med(v): return statistics.median(v) if v else float('nan')
print('INFO migration: total %s ms, downtime %s ms, %s bytes, %s dirty syncs'
      % (m['total_ms'], m['downtime_ms'], m['transferred'], m['dirty_syncs']))
print('INFO target %.0f ops/s; median ops/s before %.0f (%d lines), during %.0f (%d lines, min %.0f), '
      'after %.0f (%d lines)' % (target, med(before), len(before), med(during), len(during),
                                 min(during) if during else float('nan'), med(after), len(after)))
print('INFO %d log lines, gaps: median %.0f ms, max %.0f ms' % (len(lines), med(gaps), max(gaps)))
for k in ('ops_total', 'achieved_dirty_mib_s', 'pacer_stalls', 'longest_interval_ms',
          'intervals_skipped'):
    v = re.search(r'"%s": ([0-9.]+)' % k, status)
    print('INFO status %s: %s' % (k, v.group(1) if v else '?'))
print('RESULT before_on_rate %d' % (abs(med(before) - target) <= 0.1 * target))
print('RESULT after_on_rate %d' % (abs(med(after) - target) <= 0.1 * target))
print('RESULT cadence %d' % (95 <= med(gaps) <= 105))
print('RESULT exit %d' % (exitc is not None and exitc.group(1) == '0' and '"state": "stopped"' in status))
# Lines around the window, for the eye.
print('LOG')
for l in lines:
    if start_guest - 500 <= l[0] <= end_guest + 1500:
        print('LOG %d %d %.1f' % l)
PY
grep -E '^INFO' "$W/analysis.txt" | sed 's/^INFO/ /'
echo "  log lines around the migration (t_ms ops ops_per_s):"
grep -E '^LOG ' "$W/analysis.txt" | sed 's/^LOG/   /'
result() { grep -q "^RESULT $1 1" "$W/analysis.txt"; }
result log_back; check $? "the service's log and status come back from the destination"
result clock_frozen && echo "  (so the downtime is not a gap in the log's t_ms: see README)"
result exit; check $? "the service ran on after migration and stopped cleanly (exit 0, stopped)"
result before_on_rate; check $? "before migration: median throughput within 10% of $RATE_MIB_S MiB/s"
result after_on_rate; check $? "after migration: median throughput within 10% of $RATE_MIB_S MiB/s"
result cadence; check $? "log lines 100 ms apart (median)"

demo_end
