#!/usr/bin/env python3
"""Does a TCG vCPU's write after a bitmap sync reach the destination?

A 64 KiB firmware image (made here, no assembler needed) increments the
dword at 0x7000 in a tight real-mode loop.  The source migrates slowly
enough to need several bitmap syncs; afterwards the dword is read from the
stopped source and from the destination (kept paused with -S) through qtest.
On Debian's unpatched 7.2 they differ (a lost write); with
0001-physmem-re-arm-TCG-dirty-tracking they match.
Usage: BW=1000000 DT=1 WAIT=10 tcg_dirty.py [runs]"""
import os, struct, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP, free_port
from vqdrv import QTest
TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
Q = os.environ.get('QEMU', os.path.join(TOP, 'build', 'qemu', 'qemu-system-x86_64'))
LOOP = os.path.join(os.environ.get('FPB_TMP', '/tmp/fpbtest'), 'loop.bin')
D = os.environ.get('FPB_TMP', '/tmp/fpbtest'); os.makedirs(D, exist_ok=True)

# Firmware: at F000:E000 "xor ax,ax; mov ds,ax; l: inc dword [0x7000]; jmp l",
# reset vector "jmp far F000:E000"; the rest hlt.
img = bytearray(b'\xf4' * 65536)
code = bytes([0x31, 0xC0, 0x8E, 0xD8, 0x66, 0xFF, 0x06, 0x00, 0x70, 0xEB, 0xF9])
img[0xE000:0xE000 + len(code)] = code
img[0xFFF0:0xFFF5] = bytes([0xEA, 0x00, 0xE0, 0x00, 0xF0])
with open(LOOP, 'wb') as f:
    f.write(img)
def launch(name, extra):
    for f in (name + '.qmp', name + '.qt'):
        try: os.unlink(os.path.join(D, f))
        except FileNotFoundError: pass
    cmd = [Q, '-L', '/usr/share/qemu', '-bios', LOOP,
           '-M', 'pc', '-accel', 'tcg', '-m', '64', '-display', 'none', '-nodefaults',
           '-qtest', 'unix:%s/%s.qt,server=on,wait=off' % (D, name), '-qtest-log', '/dev/null',
           '-qmp', 'unix:%s/%s.qmp,server=on,wait=off' % (D, name)] + extra
    p = subprocess.Popen(cmd)
    return p, QMP('%s/%s.qmp' % (D, name)), QTest('%s/%s.qt' % (D, name))
bad = 0
for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
    uri = 'tcp:127.0.0.1:%d' % free_port()
    s, sq, st = launch('src', [])
    d, dq, dt = launch('dst', ['-incoming', uri, '-S'])
    time.sleep(0.5)
    c0 = struct.unpack('<I', st.read(0x7000, 4))[0]
    sq.cmd('migrate-set-parameters', **{'max-bandwidth': int(os.environ.get('BW', 10**10)), 'downtime-limit': int(os.environ.get('DT', 300))})
    sq.cmd('migrate', uri=uri)
    try:
        r = sq.wait_migration(int(os.environ.get('WAIT', 60)))
    except RuntimeError:
        r = sq.cmd('query-migrate')['return']
        print('did not converge: syncs', r['ram'].get('dirty-sync-count'))
        sq.cmd('migrate_cancel'); time.sleep(0.5); r = sq.cmd('query-migrate')['return']
    time.sleep(0.3)
    a = struct.unpack('<I', st.read(0x7000, 4))[0]
    b = struct.unpack('<I', dt.read(0x7000, 4))[0]
    print('run %d: %s syncs %s src %d dst %d (before %d) %s' % (i, r['status'], r['ram'].get('dirty-sync-count'), a, b, c0, 'OK' if a == b else 'MISMATCH'), flush=True)
    bad += a != b
    for p in (s, d):
        p.terminate(); p.wait()
print('mismatches:', bad)
sys.exit(1 if bad else 0)
