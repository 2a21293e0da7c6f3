#!/usr/bin/env python3
"""A guest ejects its own balloon while the migration thread is in the
free page bitmap code (impl/qemu, patches 0004-0007).

device_del is refused while a migration runs, but a guest can eject a
device itself through ACPI PCI hotplug: on -M pc (PIIX4) a write of the
slot's bit to the eject register, I/O port 0xae08, unplugs it at once, and
acpi_pcihp_eject_slot() does not look at migration.  The migration thread
runs the device's code without the BQL at PRECOPY_NOTIFY_BEFORE_BULK (the
dirty log re-protect, the request, the wait), so the device can be
unrealized and freed under it.  The guest is played over qtest (vqdrv.py),
as in fpb_tests.py, and ejects the balloon at each point of a request:

  reprotect  while the dirty log is re-protected (the device's test-only
             x-free-page-bitmap-delay-reprotect stretches that unlocked
             step; the eject follows its trace line);
  ask-wait   between the request and the wait
             (x-free-page-bitmap-delay-wait; the eject follows the command);
  wait       while the migration thread waits for the answer;
  apply      while the main loop applies a flood of report buffers.

Each migration must then complete or fail with one error, the device must
be gone, and the source must go on answering QMP.  Under AddressSanitizer
(scripts/sanitizer-run.sh, part fpb_eject) a use of the freed device is a
report; the series before the fix has one in 'reprotect' and 'ask-wait'.

Prints PASS/FAIL lines and a summary; exit status 1 on failure.
Usage: fpb_eject.py [window...]; env QEMU (default build/qemu), FPB_TMP."""
import os, struct, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP, die_with_parent, free_port
from vqdrv import QTest, Balloon, VRING_DESC_F_NEXT

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
Q = os.environ.get('QEMU', os.path.join(TOP, 'build', 'qemu', 'qemu-system-x86_64'))
D = os.environ.get('FPB_TMP', '/tmp/fpbeject')
SLOT = 4                               # the balloon's PCI slot (addr=0x4)
PCI_EJ_BASE = 0xae08                   # PIIX4 ACPI PCI hotplug: eject
MEM_PAGES = 0x40000                    # 1 GiB guest in 4 KiB pages
FLOOD_BUF = 0x0f000000                 # one buffer of 4095 ranges
MAX_RANGES = 4095
DELAY_MS = 1500                        # the test-only stretch of a window
results = []


def check(name, cond, info=''):
    results.append(cond)
    print('%s: %s %s' % ('PASS' if cond else 'FAIL', name, info), flush=True)


procs = []


def launch(name, dev_opts, incoming=None):
    for f in ('qmp', 'qt', 'log'):
        try:
            os.unlink('%s/%s.%s' % (D, name, f))
        except FileNotFoundError:
            pass
    cmd = [Q, '-L', '/usr/share/qemu', '-bios', 'qboot.rom', '-M', 'pc', '-accel', 'qtest',
           '-m', '1G', '-display', 'none', '-nodefaults',
           '-qtest', 'unix:%s/%s.qt,server=on,wait=off' % (D, name), '-qtest-log', 'none',
           '-device', 'virtio-balloon-pci,id=balloon0,addr=0x%x,%s' % (SLOT, dev_opts),
           '-qmp', 'unix:%s/%s.qmp,server=on,wait=off' % (D, name),
           '-trace', 'virtio_balloon_fpb_*', '-trace', 'ram_dirty_log_reprotect',
           '-trace', 'acpi_pci_eject_slot', '-D', '%s/%s.log' % (D, name)]
    if incoming:
        cmd += ['-incoming', incoming]
    p = subprocess.Popen(cmd, preexec_fn=die_with_parent, stdout=subprocess.DEVNULL,
                         stderr=open('%s/%s.err' % (D, name), 'w'))
    procs.append(p)
    return p, QMP('%s/%s.qmp' % (D, name)), QTest('%s/%s.qt' % (D, name))


def trace_lines(name, event):
    try:
        with open('%s/%s.log' % (D, name)) as f:
            return [l for l in f if event in l]
    except FileNotFoundError:
        return []


def wait_trace(name, event, deadline=30):
    end = time.time() + deadline
    while time.time() < end:
        if trace_lines(name, event):
            return True
        time.sleep(0.005)
    return False


def eject(qt):
    """What a guest's ACPI _EJ0 method does: write the slot's bit to the
    eject register (hotplug bus select 0, the root bus)."""
    qt.out('l', PCI_EJ_BASE, 1 << SLOT)


def balloon_present(q):
    r = q.cmd('qom-list', path='/machine/peripheral')
    return any(p['name'] == 'balloon0' for p in r.get('return', []))


def post_flood(b, cmd_id):
    """Fill the report ring with buffers of 4095 ranges over all of RAM
    (each costs its 10 ms budget), and kick once."""
    t = b.qt
    t.write(FLOOD_BUF, struct.pack('<IIII', cmd_id, 0, MAX_RANGES, 0))
    t.write(FLOOD_BUF + 16, struct.pack('<QQ', 0, MEM_PAGES) * MAX_RANGES)
    q = b.repq
    for _ in range(q.size):
        d = q.free_desc % q.size
        q.free_desc += 1
        t.write(q.desc + 16 * d, struct.pack('<QIHH', FLOOD_BUF, 16 + 16 * MAX_RANGES, 0, 0))
        t.write(q.avail + 4 + 2 * (q.avail_idx % q.size), struct.pack('<H', d))
        q.avail_idx = (q.avail_idx + 1) & 0xffff
    t.write(q.avail + 2, struct.pack('<H', q.avail_idx))
    q.kick()
    return q.size


def run_window(window):
    opts = 'free-page-bitmap=on,free-page-bitmap-timeout=%d' % (20000 if window in ('wait', 'apply') else 8000)
    if window == 'reprotect':
        opts += ',x-free-page-bitmap-delay-reprotect=%d' % DELAY_MS
    elif window == 'ask-wait':
        opts += ',x-free-page-bitmap-delay-wait=%d' % DELAY_MS
    uri = 'tcp:127.0.0.1:%d' % free_port()
    src, sq, st = launch('src', opts)
    dst, dq, dt = launch('dst', 'free-page-bitmap=on', incoming=uri)
    name = 'eject (%s)' % window
    try:
        sq.cmd('migrate-set-parameters', **{'max-bandwidth': 10**10})
        b = Balloon(st)
        b.post_cmd()
        t0 = time.time()
        r = sq.cmd('migrate', uri=uri)
        if 'error' in r:
            check('%s: migration starts' % name, False, str(r))
            return
        where = ''
        if window == 'reprotect':
            ok = wait_trace('src', 'virtio_balloon_fpb_test_delay re-protect')
            if not ok:
                check('%s: the migration thread reached the window' % name, False,
                      'no re-protect delay traced (does this QEMU have x-free-page-bitmap-delay-reprotect?)')
                return
            eject(st)
            where = 'during the re-protect'
        else:
            c = b.wait_cmd(30)
            if not c:
                check('%s: request received' % name, False)
                return
            if window == 'apply':
                n = post_flood(b, c[0])
                eject(st)
                reports = len(trace_lines('src', 'virtio_balloon_fpb_report '))
                where = 'with %d report buffers queued, %d handled so far' % (n, reports)
            else:
                eject(st)
                where = 'after request %#x' % c[0]
        t_eject = time.time()
        # the slot is empty now, whatever the migration thread does
        gone = not balloon_present(sq)
        try:
            r = sq.wait_migration(120)
        except Exception as e:
            r = {'status': 'no answer: %r' % e}
        dt_s = time.time() - t_eject
        alive = src.poll() is None
        status = r.get('status')
        err = r.get('error-desc', '')
        print('  %s: ejected %s; migration %s %.2f s later%s; source %s'
              % (window, where, status, dt_s, (' (%s)' % err) if err else '',
                 'alive' if alive else 'exited %s' % src.returncode), flush=True)
        if window == 'apply':
            handled = len(trace_lines('src', 'virtio_balloon_fpb_report '))
            print('  apply: %d of %d buffers handled before the device went' % (handled, n), flush=True)
            check('%s: eject landed while buffers were being applied' % name,
                  0 < handled < n, '%d of %d' % (handled, n))
        check('%s: balloon gone from the source' % name, gone)
        check('%s: migration completed or failed with one error' % name,
              status == 'completed' or (status == 'failed' and err and '\n' not in err),
              '%s %s' % (status, err))
        if window in ('wait', 'apply'):
            # the wait (free-page-bitmap-timeout 20 s) ends with the device
            waits = trace_lines('src', 'virtio_balloon_fpb_wait ')
            us = [int(l.split(' waited ')[1].split()[0]) for l in waits if ' waited ' in l]
            check('%s: the wait ended with the device, not at its timeout' % name,
                  len(us) == 1 and us[0] < 5 * 10**6, '%s us' % us)
        ok = alive
        if alive:
            try:
                ok = sq.cmd('query-status').get('return', {}).get('status') in ('postmigrate', 'running')
                ok = ok and 'return' in sq.cmd('query-migrate')
            except Exception:
                ok = False
        check('%s: source alive and answering QMP' % name, ok,
              '' if alive else open('%s/src.err' % D).read().strip()[-400:])
    finally:
        for p in (src, dst):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


WINDOWS = ['reprotect', 'ask-wait', 'wait', 'apply']


def main():
    os.makedirs(D, exist_ok=True)
    sel = sys.argv[1:] or WINDOWS
    for w in sel:
        if w not in WINDOWS:
            print('unknown window %s (one of %s)' % (w, ' '.join(WINDOWS)))
            return 2
    try:
        for w in sel:
            print('==', w, flush=True)
            try:
                run_window(w)
            except Exception as e:
                import traceback
                traceback.print_exc()
                check('eject (%s) raised' % w, False, repr(e))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    npass = sum(1 for c in results if c)
    print('%d passed, %d failed' % (npass, len(results) - npass))
    return 0 if results and all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
