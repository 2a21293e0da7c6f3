#!/usr/bin/env python3
"""Does a TCG vCPU's write after a bitmap sync reach the destination?

A 64 KiB firmware image (made here, no assembler needed) increments one
dword in a tight real-mode loop.  The source migrates at BW bytes/s with a
1 ms downtime limit, which one dirty 4 KiB page exceeds (QEMU allows
bandwidth x limit): while the loop's page is tracked the migration keeps
iterating, and each pass does a bitmap sync.  After SYNCS syncs with the
vCPU running the limit is raised so that the next iteration completes,
whatever the rate.  (A limit of 0 would not do: QEMU then never syncs
before completion.)  Afterwards the dword is read from the stopped source
and from the destination (kept paused with -S) through qtest.

LAYOUT picks where the dword lives:
  one  64 MiB of RAM in one block, dword at 0x7000 (ram_addr 0x7000).
       Debian's unpatched 7.2 loses the write (no re-arm at all).
  two  two NUMA nodes of 512 KiB, each its own RAM block; the dword is at
       0x87000, 0x7000 into the second block, whose ram_addr is not 0.
       Stock 10.0 loses the write: its re-arm is given the block-relative
       offset, so it re-arms the first block's pages instead.
With 0001-ram_addr-re-arm-TCG-dirty-tracking both match.

Exit status: 0 all runs match, 1 a lost write, 2 a run that could not be
judged (the migration did not complete).
Usage: LAYOUT=one|two BW=1000000 SYNCS=4 WAIT=60 tcg_dirty.py [runs]"""
import os, struct, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP, die_with_parent, free_port
from vqdrv import QTest
TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
Q = os.environ.get('QEMU', os.path.join(TOP, 'build', 'qemu', 'qemu-system-x86_64'))
D = os.environ.get('FPB_TMP', '/tmp/fpbtest'); os.makedirs(D, exist_ok=True)
LOOP = os.path.join(D, 'loop.bin')
LAYOUT = os.environ.get('LAYOUT', 'one')
LAYOUTS = {
    'one': (0x7000, ['-m', '64'], 10**6),
    'two': (0x87000, ['-m', '1M',
                      '-object', 'memory-backend-ram,id=m0,size=512K',
                      '-object', 'memory-backend-ram,id=m1,size=512K',
                      '-numa', 'node,memdev=m0', '-numa', 'node,memdev=m1'],
            10**5),
}
if LAYOUT not in LAYOUTS:
    sys.exit('tcg_dirty.py: LAYOUT must be one of %s' % ', '.join(LAYOUTS))
ADDR, MEMARGS, BW_DEFAULT = LAYOUTS[LAYOUT]
BW = int(os.environ.get('BW', BW_DEFAULT))
SYNCS = int(os.environ.get('SYNCS', 4))
WAIT = float(os.environ.get('WAIT', 60))

# Firmware: at F000:E000 "mov ax,SEG; mov ds,ax; l: inc dword [OFF]; jmp l",
# reset vector "jmp far F000:E000"; the rest hlt.
SEG, OFF = (ADDR >> 4) & 0xF000, ADDR & 0xFFFF
img = bytearray(b'\xf4' * 65536)
code = bytes([0xB8, SEG & 0xFF, SEG >> 8, 0x8E, 0xD8,
              0x66, 0xFF, 0x06, OFF & 0xFF, OFF >> 8, 0xEB, 0xF9])
img[0xE000:0xE000 + len(code)] = code
img[0xFFF0:0xFFF5] = bytes([0xEA, 0x00, 0xE0, 0x00, 0xF0])
with open(LOOP, 'wb') as f:
    f.write(img)

def launch(name, extra, procs):
    for f in (name + '.qmp', name + '.qt'):
        try: os.unlink(os.path.join(D, f))
        except FileNotFoundError: pass
    cmd = [Q, '-L', '/usr/share/qemu', '-bios', LOOP,
           '-M', 'pc', '-accel', 'tcg'] + MEMARGS + ['-display', 'none', '-nodefaults',
           '-qtest', 'unix:%s/%s.qt,server=on,wait=off' % (D, name), '-qtest-log', 'none',
           '-qmp', 'unix:%s/%s.qmp,server=on,wait=off' % (D, name)] + extra
    procs.append(subprocess.Popen(cmd, preexec_fn=die_with_parent))
    return QMP('%s/%s.qmp' % (D, name)), QTest('%s/%s.qt' % (D, name))

def syncs(qmp):
    r = qmp.cmd('query-migrate')['return']
    return r.get('status'), r.get('ram', {}).get('dirty-sync-count', 0)

def one_run(i, procs):
    """Returns 'OK', 'MISMATCH' or 'INCONCLUSIVE'."""
    uri = 'tcp:127.0.0.1:%d' % free_port()
    sq, st = launch('src', [], procs)
    dq, dt = launch('dst', ['-incoming', uri, '-S'], procs)
    time.sleep(0.5)
    c0 = struct.unpack('<I', st.read(ADDR, 4))[0]
    sq.cmd('migrate-set-parameters', **{'max-bandwidth': BW, 'downtime-limit': 1})
    sq.cmd('migrate', uri=uri)
    end = time.time() + WAIT
    status, n = syncs(sq)
    while n < SYNCS and status in ('setup', 'active') and time.time() < end:
        time.sleep(0.05)
        status, n = syncs(sq)
    # One dirty page fits any limit of seconds.
    sq.cmd('migrate-set-parameters', **{'downtime-limit': 20000, 'max-bandwidth': 10**9})
    try:
        r = sq.wait_migration(max(end - time.time(), 10))
    except RuntimeError:
        r = sq.cmd('query-migrate')['return']
    status = r.get('status')
    n = r.get('ram', {}).get('dirty-sync-count', 0)
    if status != 'completed':
        print('run %d: INCONCLUSIVE: migration %s after %d syncs' % (i, status, n), flush=True)
        return 'INCONCLUSIVE'
    dq.wait_incoming()
    a = struct.unpack('<I', st.read(ADDR, 4))[0]
    b = struct.unpack('<I', dt.read(ADDR, 4))[0]
    verdict = 'OK' if a == b else 'MISMATCH'
    print('run %d: completed syncs %d src %d dst %d (before %d) %s' % (i, n, a, b, c0, verdict), flush=True)
    return verdict

verdicts = []
for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
    procs = []
    try:
        verdicts.append(one_run(i, procs))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try: p.wait(10)
            except subprocess.TimeoutExpired: p.kill(); p.wait()
print('mismatches: %d, inconclusive: %d' % (verdicts.count('MISMATCH'), verdicts.count('INCONCLUSIVE')))
sys.exit(1 if 'MISMATCH' in verdicts else 2 if 'INCONCLUSIVE' in verdicts else 0)
