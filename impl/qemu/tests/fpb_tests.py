#!/usr/bin/env python3
"""Device tests of the free page bitmap series, without a guest kernel.

A legacy virtio-pci driver written over the qtest protocol (vqdrv.py) plays
the guest: it negotiates VIRTIO_BALLOON_F_FREE_PAGE_BITMAP, posts the command
buffer, answers requests with report buffers (valid, malformed, late, stale)
and writes guest memory, while QMP starts, cancels and checks migrations to a
second QEMU on 127.0.0.1.  Prints PASS/FAIL lines and a summary; exit status
1 on failure.  Usage: fpb_tests.py [test names]; QEMU=path overrides the
binary (default: build/qemu/qemu-system-x86_64 of this repository).
Needs qboot.rom from Debian's qemu-system-data (-L /usr/share/qemu)."""
import os, struct, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP, die_with_parent, free_port
from vqdrv import QTest, Balloon

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
Q = os.environ.get('QEMU', os.path.join(TOP, 'build', 'qemu', 'qemu-system-x86_64'))
D = os.environ.get('FPB_TMP', '/tmp/fpbtest')
results = []

def launch(name, dev_opts, incoming=None, mem='512', extra=(), qemu=None):
    for f in (name + '.qmp', name + '.qt'):
        try: os.unlink(os.path.join(D, f))
        except FileNotFoundError: pass
    cmd = [qemu or Q, '-L', '/usr/share/qemu', '-bios', 'qboot.rom', '-M', 'pc', '-accel', os.environ.get('ACCEL', 'qtest'),
           '-m', mem, '-display', 'none', '-nodefaults',
           '-qtest', 'unix:%s/%s.qt,server=on,wait=off' % (D, name), '-qtest-log', 'none',
           '-device', 'virtio-balloon-pci,id=balloon0,addr=0x4,' + dev_opts,
           '-qmp', 'unix:%s/%s.qmp,server=on,wait=off' % (D, name),
           '-trace', 'virtio_balloon_fpb_*', '-trace', os.environ.get('TRACE', 'virtio_balloon_fpb_*'), '-D', '%s/%s.log' % (D, name)]
    cmd += list(extra)
    if incoming:
        cmd += ['-incoming', incoming]
    p = subprocess.Popen(cmd, preexec_fn=die_with_parent,
                         stderr=open('%s/%s.err' % (D, name), 'w'))
    return p, QMP('%s/%s.qmp' % (D, name)), QTest('%s/%s.qt' % (D, name))

class Pair:
    """defer: the destination listens only after migrate-incoming, so that
    the test can set capabilities there first (postcopy-ram)."""
    def __init__(self, src_opts='free-page-bitmap=on', dst_opts=None, mem='512', extra=(),
                 defer=False):
        self.uri = 'tcp:127.0.0.1:%d' % free_port()
        self.src, self.sq, self.st = launch('src', src_opts, mem=mem, extra=extra)
        self.dst, self.dq, self.dt = launch('dst', dst_opts or src_opts,
                                            incoming='defer' if defer else self.uri,
                                            mem=mem, extra=extra)
        self.sq.cmd('migrate-set-parameters', **{'max-bandwidth': 10**10})
    def migrate(self):
        r = self.sq.cmd('migrate', uri=self.uri)
        assert 'error' not in r, r
    def request(self):
        """The guest's driver up, a migration started and its request
        received: (driver, cmd_id)."""
        b = Balloon(self.st)
        b.post_cmd()
        self.migrate()
        c = b.wait_cmd()
        assert c, 'no request'
        return b, c[0]
    def close(self):
        for p in (self.src, self.dst):
            if p.poll() is None:
                p.terminate()
                try: p.wait(5)
                except subprocess.TimeoutExpired: p.kill()

def check(name, cond, info=''):
    results.append((name, cond))
    print('%s: %s %s' % ('PASS' if cond else 'FAIL', name, info), flush=True)

PAT = bytes(range(256)) * 16  # one 4 KiB page

def settled(q, done, deadline=10):
    """The device's counters once done(counters) holds, or as they are at
    the deadline: a buffer the driver just posted is handled by the main
    loop whenever it next runs, which on a loaded host is not within a
    fixed 0.1 s."""
    end = time.time() + deadline
    s = q.stats()
    while not done(s) and time.time() < end:
        time.sleep(0.05)
        s = q.stats()
    return s

def t_happy():
    """Request, report with LAST, pages skipped; a page written after its hint still arrives."""
    p = Pair()
    try:
        b = Balloon(p.st)
        check('happy: feature negotiated', b.features & (1 << b.fpb_bit) and b.fpb_bit == 23, hex(b.host_features))
        p.st.write(0x100000, PAT)              # used page, not hinted
        b.post_cmd()
        t0 = time.time()
        p.migrate()
        c = b.wait_cmd()
        check('happy: command received', c is not None and c[0] != 0 and c[1] == 16, str(c))
        cmd_id = c[0]
        # 128 MiB at 256 MiB free, plus the page at 0x200000 which we reuse after
        b.report(cmd_id, [(0x10000, 0x8000), (0x200, 1)], collect_us=1234)
        time.sleep(0.05)
        p.st.write(0x200000, PAT)              # reuse of a hinted page after the hint
        b.report(cmd_id, [], last=True, collect_us=1234)
        r = p.sq.wait_migration()
        check('happy: migration completed', r['status'] == 'completed', r['status'])
        s = p.sq.stats()
        print('  stats', s, 'total', r.get('total-time'), 'setup', r.get('setup-time'))
        check('happy: counters', s['requests'] == 1 and s['completed'] == 1 and s['rejected'] == 0
              and s['timeouts'] == 0 and s['hinted_pages'] == 0x8001 and s['skipped_pages'] == 0x8001
              and s['collect_us'] == 1234 and s['cmd_id'] == cmd_id and s['buffers'] == 2
              and s['hint_bytes'] == 16 + 32 + 16 and s['active'] == 0)
        check('happy: wait shorter than timeout', s['wait_us'] < 900000, str(s['wait_us']))
        p.dq.wait_incoming()
        check('happy: dst has used page', p.dt.read(0x100000, 4096) == PAT)
        check('happy: dst has page reused after hint', p.dt.read(0x200000, 4096) == PAT)
        check('happy: src still consistent', p.sq.cmd('query-status')['return']['status'] == 'postmigrate')
    finally:
        p.close()

def t_unsafe():
    """x-free-page-bitmap-unsafe must lose the reused page."""
    p = Pair('free-page-bitmap=on,x-free-page-bitmap-unsafe=on', 'free-page-bitmap=on')
    try:
        b = Balloon(p.st)
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        check('unsafe: command received', c is not None, str(c))
        b.report(c[0], [(0x200, 1)])
        time.sleep(0.05)
        p.st.write(0x200000, PAT)
        b.report(c[0], [], last=True)
        r = p.sq.wait_migration()
        check('unsafe: migration completed', r['status'] == 'completed', r['status'])
        s = p.sq.stats()
        print('  stats', s)
        p.dq.wait_incoming()
        check('unsafe: reused page LOST on dst (as designed)', p.dt.read(0x200000, 4096) != PAT)
    finally:
        p.close()

def t_silent():
    p = Pair()
    try:
        b = Balloon(p.st)
        b.post_cmd()
        t0 = time.time()
        p.migrate()
        r = p.sq.wait_migration()
        s = p.sq.stats()
        print('  stats', s, 'setup', r.get('setup-time'))
        check('silent: completed', r['status'] == 'completed')
        check('silent: timeout counted', s['timeouts'] == 1 and s['requests'] == 1 and s['completed'] == 0)
        check('silent: waited ~1s', 900000 <= s['wait_us'] <= 1500000, str(s['wait_us']))
        c = b.wait_cmd(1)
        b.report(c[0], [(0x10000, 1)], last=True)
        s = settled(p.sq, lambda s: s['late'] and s['rejected'])
        check('silent: answer after timeout is late', s['late'] == 1 and s['rejected'] == 1 and s['skipped_pages'] == 0, str(s))
    finally:
        p.close()

def t_no_buffer():
    p = Pair()
    try:
        b = Balloon(p.st)       # driver ready, no command buffer posted
        p.migrate()
        r = p.sq.wait_migration()
        s = p.sq.stats()
        check('no buffer: completed, no_driver', r['status'] == 'completed' and s['no_driver'] == 1 and s['requests'] == 0, str(s))
    finally:
        p.close()

def t_not_negotiated():
    p = Pair()
    try:
        b = Balloon(p.st, features=0)
        b.post_cmd()
        p.migrate()
        r = p.sq.wait_migration()
        s = p.sq.stats()
        check('not negotiated: completed, no_driver', r['status'] == 'completed' and s['no_driver'] == 1, str(s))
    finally:
        p.close()

def t_bogus():
    p = Pair()
    try:
        b = Balloon(p.st)
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        cmd_id = c[0]
        b.report(0, [], raw=b'\x01\x02\x03\x04\x05\x06\x07\x08')                  # short
        b.report(cmd_id, [], raw=struct.pack('<IIII', cmd_id, 0, 2, 0) + b'\0' * 16)  # length mismatch
        b.report(cmd_id, [], raw=struct.pack('<IIII', cmd_id, 0, 0xffffffff, 0))      # huge nr_ranges
        b.report((cmd_id - 1) & 0xffffffff or 5, [(0x10000, 1)])                       # stale id
        b.report(0, [(0x10000, 1)])                                                    # id 0
        b.report(cmd_id, [(0x10000, 0),                   # empty: rejected
                          (0xffffffffffffffff, 2),        # wraps: rejected
                          (1 << 40, 1),                   # beyond RAM: 1 page outside
                          (0xbf, 4),                      # into pc.rom at 0xc0000: 1 RAM, 3 outside
                          (0x1ffff, 2),                   # past the end of 512M RAM: 1 RAM, 1 outside
                          (0x11000, 0x10)], last=True)    # valid
        r = p.sq.wait_migration()
        s = p.sq.stats()
        print('  stats', s)
        check('bogus: completed', r['status'] == 'completed')
        check('bogus: rejects', s['rejected'] == 5 and s['rejected_ranges'] == 2 and s['completed'] == 1
              and s['buffers'] == 1, str(s))
        check('bogus: ranges clipped to RAM, not dropped', s['ranges'] == 4 and s['outside_pages'] == 5
              and s['hinted_pages'] == 0x10 + 2 and s['skipped_pages'] == 0x10 + 2, str(s))
        check('bogus: src alive', p.src.poll() is None)
    finally:
        p.close()

def t_cancel():
    p = Pair('free-page-bitmap=on,free-page-bitmap-timeout=20000')
    try:
        b = Balloon(p.st)
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        b.report(c[0], [(0x10000, 0x100)])          # answer in flight, no LAST
        t0 = time.time()
        p.sq.cmd('migrate_cancel')
        r = p.sq.wait_migration(10)
        dt = time.time() - t0
        s = p.sq.stats()
        print('  stats', s, 'cancel took %.3f s' % dt)
        check('cancel: cancelled quickly', r['status'] == 'cancelled' and dt < 1.0, '%s %.3f' % (r['status'], dt))
        check('cancel: source running', p.sq.cmd('query-status')['return']['status'] == 'running')
        b.report(c[0], [(0x10000, 1)], last=True)
        s = settled(p.sq, lambda s: s['late'])
        check('cancel: later buffer late', s['late'] == 1 and s['timeouts'] == 0, str(s))
        # a second migration works, with a new request
        p.dst.kill(); p.dst.wait()
        p.uri = 'tcp:127.0.0.1:%d' % free_port()
        p.dst, p.dq, p.dt = launch('dst', 'free-page-bitmap=on', incoming=p.uri)
        b.post_cmd()
        p.migrate()
        c2 = b.wait_cmd()
        check('cancel: second request has a new id', c2 is not None and c2[0] != c[0], '%s %s' % (c, c2))
        b.report(c2[0], [(0x10000, 0x100)], last=True)
        r = p.sq.wait_migration()
        s = p.sq.stats()
        check('cancel: second migration completes', r['status'] == 'completed' and s['completed'] == 1 and s['requests'] == 2, str(s))
    finally:
        p.close()

def t_dst_killed():
    p = Pair('free-page-bitmap=on,free-page-bitmap-timeout=3000')
    try:
        b = Balloon(p.st)
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        p.dst.kill(); p.dst.wait()
        t0 = time.time()
        r = p.sq.wait_migration(20)
        s = p.sq.stats()
        print('  status', r['status'], 'after %.2f s' % (time.time() - t0), s)
        check('dst killed: migration failed cleanly', r['status'] == 'failed')
        check('dst killed: source running', p.sq.cmd('query-status')['return']['status'] == 'running')
    finally:
        p.close()

def t_stopped_vm():
    p = Pair()
    try:
        b = Balloon(p.st)
        b.post_cmd()
        p.sq.cmd('stop')
        p.migrate()
        r = p.sq.wait_migration()
        s = p.sq.stats()
        check('stopped VM: declined', r['status'] == 'completed' and s['declined'] == 1 and s['requests'] == 0, str(s))
    finally:
        p.close()

def t_reset():
    p = Pair('free-page-bitmap=on,free-page-bitmap-timeout=10000')
    try:
        b = Balloon(p.st)
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        t0 = time.time()
        p.st.out('b', Balloon.IO + 18, 0)       # driver resets the device mid-request
        r = p.sq.wait_migration()
        s = p.sq.stats()
        check('reset: wait ends, migration completes', r['status'] == 'completed' and time.time() - t0 < 2 and s['timeouts'] == 0, str(s))
    finally:
        p.close()

def t_highmem():
    """6 GiB pc guest: RAM above 4 GiB, hole below, end of RAM."""
    p = Pair(mem='6G')
    sq, st, dt = p.sq, p.st, p.dt
    try:
        b, cmd_id = p.request()
        b.report(cmd_id, [(0xbffff, 2),          # crosses the end of RAM below 4 GiB (3 GiB)
                        (0x1bffff, 2),         # crosses the end of RAM (7 GiB)
                        (0x100000, 0x100),     # above 4 GiB
                        (0x1bfff0, 0x10),      # up to the end of RAM
                        (0x140000, 1)])        # reused below
        time.sleep(0.05)
        st.write(0x140000000, PAT)
        b.report(cmd_id, [], last=True)
        r = sq.wait_migration(120)
        s = sq.stats()
        print('  stats', s)
        check('highmem: completed', r['status'] == 'completed', r['status'])
        # the two ranges across an end of RAM are clipped to their RAM page;
        # 0x1bffff is hinted twice and cleared once
        check('highmem: ranges', s['rejected_ranges'] == 0 and s['outside_pages'] == 2
              and s['skipped_pages'] == 0x100 + 0x10 + 1 + 2 - 1, str(s))
        p.dq.wait_incoming()
        check('highmem: reused high page arrives', dt.read(0x140000000, 4096) == PAT)
    finally:
        p.close()


def t_clip():
    """Two NUMA nodes, each its own memory backend (RAM block), next to each
    other: a range across the boundary is applied to both sides."""
    numa = ['-object', 'memory-backend-ram,id=m0,size=256M',
            '-object', 'memory-backend-ram,id=m1,size=256M',
            '-numa', 'node,memdev=m0', '-numa', 'node,memdev=m1']
    p = Pair(extra=numa)
    sq, st, dt = p.sq, p.st, p.dt
    try:
        b, cmd_id = p.request()
        # 0x10000 (256 MiB) is where node 1's backend starts
        b.report(cmd_id, [(0x10000 - 0x80, 0x100)])
        time.sleep(0.05)
        st.write(0x10000000 + 0x10 * 4096, PAT)      # reused, node 1 side
        st.write(0x10000000 - 0x10 * 4096, PAT)      # reused, node 0 side
        b.report(cmd_id, [], last=True)
        r = sq.wait_migration(120)
        s = sq.stats()
        print('  stats', s)
        check('clip: completed', r['status'] == 'completed', r['status'])
        check('clip: range across two RAM blocks applied to both', s['ranges'] == 1
              and s['rejected_ranges'] == 0 and s['outside_pages'] == 0
              and s['skipped_pages'] == 0x100, str(s))
        p.dq.wait_incoming()
        check('clip: reused pages on both sides arrive',
              dt.read(0x10000000 + 0x10 * 4096, 4096) == PAT and dt.read(0x10000000 - 0x10 * 4096, 4096) == PAT)
    finally:
        p.close()

def dst_refusal(name, dst_opts, dst_qemu, expect):
    """Source offers the feature; the destination does not: it must refuse
    at the early section, before it loads any RAM."""
    uri = 'tcp:127.0.0.1:%d' % free_port()
    src, sq, st = launch('src', 'free-page-bitmap=on', mem='1G')
    dst, dq, dt = launch('dst', dst_opts, incoming=uri, mem='1G', qemu=dst_qemu)
    try:
        # slow enough that 1 GiB of RAM would take about 10 s
        sq.cmd('migrate-set-parameters', **{'max-bandwidth': 100 * 2**20})
        b = Balloon(st)
        b.post_cmd()
        t0 = time.time()
        sq.cmd('migrate', uri=uri)
        r = sq.wait_migration(60)
        dt_s = time.time() - t0
        try:
            dst.wait(10)
        except subprocess.TimeoutExpired:
            pass
        err = open('%s/dst.err' % D).read()
        ram = r.get('ram', {}).get('transferred', 0)
        print('  %s: source %s after %.2f s, %d bytes of RAM sent; destination said: %s'
              % (name, r['status'], dt_s, ram, err.strip().replace('\n', ' | ')))
        check('%s: migration fails' % name, r['status'] == 'failed', r['status'])
        check('%s: destination names the reason' % name, expect in err, err.strip()[-300:])
        check('%s: refused before any RAM was sent' % name, ram == 0 and dt_s < 5.0,
              '%d bytes, %.2f s' % (ram, dt_s))
    finally:
        for p in (src, dst):
            if p.poll() is None:
                p.terminate()
            p.wait()

def t_dst_refuses():
    dst_refusal('refuse (feature off)', 'free-page-bitmap=off', None,
                'the source offers free-page-bitmap and this destination does not')
    stock = os.path.join(TOP, 'build', 'qemu-stock', 'qemu-system-x86_64')
    if os.access(stock, os.X_OK):
        dst_refusal('refuse (stock QEMU)', '', stock, 'virtio-balloon-free-page-bitmap')
    else:
        print('SKIP: refuse (stock QEMU): build/qemu-stock is not built (make qemu-stock)')

def t_with_reporting():
    """free-page-bitmap beside free-page-reporting: its queues move up by one."""
    p = Pair('free-page-bitmap=on,free-page-reporting=on')
    try:
        b = Balloon(p.st)
        check('reporting: both offered', b.host_features & (1 << 5) and b.host_features & (1 << 23),
              hex(b.host_features))
        check('reporting: fpb queues are 4 and 5', (b.cmdq.index, b.repq.index) == (4, 5),
              str((b.cmdq.index, b.repq.index)))
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        check('reporting: request on queue 4', c is not None, str(c))
        if c:
            b.report(c[0], [(0x10000, 0x100)], last=True)
        r = p.sq.wait_migration()
        s = p.sq.stats()
        check('reporting: answer applied, migration completed', r['status'] == 'completed'
              and s['completed'] == 1 and s['skipped_pages'] == 0x100, str(s))
    finally:
        p.close()
    out = subprocess.run([Q, '-L', '/usr/share/qemu', '-bios', 'qboot.rom', '-M', 'pc', '-accel', 'qtest', '-display', 'none', '-nodefaults',
                          '-object', 'iothread,id=io0', '-device',
                          'virtio-balloon-pci,free-page-bitmap=on,free-page-hint=on,iothread=io0'],
                         capture_output=True, text=True, timeout=30)
    check('free-page-hint with free-page-bitmap refused',
          out.returncode != 0 and "cannot be combined with 'free-page-hint'" in out.stderr, out.stderr.strip())


def t_async():
    """free-page-bitmap-wait=off: the bulk stage starts without the answer;
    a hint for pages already sent skips nothing, one for pages not reached
    yet skips them, and a page reused after its hint still arrives."""
    p = Pair('free-page-bitmap=on,free-page-bitmap-wait=off,free-page-bitmap-timeout=30000')
    data, data_len = 0x4000000, 16 << 20        # 16 MiB of pages to send at 64 MiB
    try:
        p.st._cmd('memset 0x%x 0x%x 0x5a' % (data, data_len))
        p.sq.cmd('migrate-set-parameters', **{'max-bandwidth': 4 << 20})
        b = Balloon(p.st)
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        check('async: command received', c is not None, str(c))
        end = time.time() + 20
        sent = 0
        while time.time() < end:
            sent = p.sq.cmd('query-migrate')['return'].get('ram', {}).get('transferred', 0)
            if sent > (1 << 20):
                break
            time.sleep(0.02)
        check('async: the bulk stage runs before any answer', sent > (1 << 20), '%d bytes sent' % sent)
        b.report(c[0], [(0x100, 0x10),               # 1 MiB: sent already
                        (0x10000, 0x8000)])          # 256 MiB on: not reached yet
        s = settled(p.sq, lambda s: s['hinted_pages'] >= 0x8010)
        p.st.write(0x10000000 + 0x4000, PAT)         # reuse of a hinted page after its hint
        b.report(c[0], [], last=True)
        p.sq.cmd('migrate-set-parameters', **{'max-bandwidth': 10**10})
        r = p.sq.wait_migration(120)
        check('async: migration completed', r['status'] == 'completed', r['status'])
        s = p.sq.stats()
        print('  stats', s)
        check('async: no wait, and only pages not sent yet were skipped',
              s['wait_us'] == 0 and s['completed'] == 1 and s['hinted_pages'] == 0x8010
              and s['skipped_pages'] == 0x8000, str(s))
        p.dq.wait_incoming()
        check('async: sent pages and the page reused after its hint arrive',
              p.dt.read(data + data_len - 4096, 4096) == b'\x5a' * 4096
              and p.dt.read(0x10000000 + 0x4000, 4096) == PAT)
    finally:
        p.close()


def qt_read_within(qt, addr, n, timeout):
    """A qtest read that gives up waiting after timeout s: (bytes, seconds)
    or (None, timeout) while the reply is still due.  A destination in
    postcopy answers only once its main thread got the page, so a read of
    a page that never comes does not return."""
    import select
    t0 = time.time()
    qt.f.write('read 0x%x 0x%x\n' % (addr, n)); qt.f.flush()
    while True:
        left = t0 + timeout - time.time()
        if left <= 0 or not select.select([qt.s], [], [], left)[0]:
            return None, timeout
        r = qt.f.readline().strip()
        if r.startswith('IRQ'):
            continue
        if not r.startswith('OK'):
            raise RuntimeError('qtest read -> %s' % r)
        return bytes.fromhex(r.split()[1][2:]), time.time() - t0

def postcopy_case(name, preempt=False, unsafe=False):
    """The bitmap with postcopy-ram.  Pages are skipped in the bulk stage;
    postcopy starts while the bulk stage is still under way (the link is
    throttled to 1 MB/s); then the destination's main thread reads a
    skipped page it never received, which faults there.  The page must
    arrive on demand.  With x-free-page-bitmap-postcopy-unsafe (the
    control) the source forgets which pages it skipped, as before the
    series sent them on demand, and the read must stall."""
    caps = [{'capability': 'postcopy-ram', 'state': True}]
    if preempt:
        caps.append({'capability': 'postcopy-preempt', 'state': True})
    src_opts = 'free-page-bitmap=on' + (',x-free-page-bitmap-postcopy-unsafe=on' if unsafe else '')
    p = Pair(src_opts, 'free-page-bitmap=on', defer=True)
    sq, st, dq, dt = p.sq, p.st, p.dq, p.dt
    data, data_len = 0x4000000, 32 << 20         # 32 MiB of pages to send
    free_pfn, free_n = 0x10000, 0x8000           # 128 MiB reported free
    skipped = (free_pfn + 1) << 12               # a page in it, never written
    used = 0x100000
    try:
        for q in (sq, dq):
            r = q.cmd('migrate-set-capabilities', capabilities=caps)
            assert 'error' not in r, r
        r = dq.cmd('migrate-incoming', uri=p.uri)
        assert 'error' not in r, r
        st._cmd('memset 0x%x 0x%x 0x5a' % (data, data_len))
        st.write(used, PAT)
        sq.cmd('migrate-set-parameters', **{'max-bandwidth': 1 << 20,
                                            'max-postcopy-bandwidth': 1 << 20})
        b = Balloon(st)
        b.post_cmd()
        p.migrate()
        c = b.wait_cmd()
        check(name + ': request made with postcopy-ram on', c is not None, str(c))
        if not c:
            return
        b.report(c[0], [(free_pfn, free_n)], last=True)
        s = settled(sq, lambda s: s['completed'] >= 1)
        check(name + ': pages skipped before the switch', s['skipped_pages'] == free_n, str(s['skipped_pages']))
        r = sq.cmd('migrate-start-postcopy')
        check(name + ': postcopy started', 'error' not in r, str(r))
        sst = sq.wait_status(('postcopy-active',))
        dst_st = dq.wait_status(('postcopy-active',))
        vm = None
        end = time.time() + 20
        while time.time() < end:
            vm = dq.cmd('query-status')['return']['status']
            if vm == 'running':
                break
            time.sleep(0.02)
        check(name + ': both ends in postcopy, destination running', sst == 'postcopy-active'
              and dst_st == 'postcopy-active' and vm == 'running', '%s %s %s' % (sst, dst_st, vm))
        got, secs = qt_read_within(dt, skipped, 4096, 5.0)
        ram = sq.cmd('query-migrate')['return'].get('ram', {})
        print('  skipped page read: %s after %.3f s; source postcopy-requests %s, remaining %s'
              % ('returned' if got is not None else 'still waiting', secs,
                 ram.get('postcopy-requests'), ram.get('remaining')), flush=True)
        if unsafe:
            check(name + ': the destination stalls on the skipped page (as designed)', got is None,
                  'still waiting after %.1f s' % secs if got is None else 'returned after %.3f s' % secs)
        else:
            check(name + ': the skipped page arrives on demand, within 5 s', got == b'\0' * 4096,
                  '%.3f s' % secs)
        # Let postcopy finish, and see what the stalled read does then
        sq.cmd('migrate-set-parameters', **{'max-postcopy-bandwidth': 0})
        if unsafe:
            # Recorded, not judged: without preempt the read returns once
            # postcopy ends; with it, neither end finishes (seen here).
            import select
            sst = sq.wait_status(('completed',), 20)
            ready = got is None and select.select([dt.s], [], [], 10)[0]
            print('  20 s after the limit was lifted the source is %s; the stalled read %s'
                  % (sst, 'returned' if ready else 'is still waiting'), flush=True)
            return
        r = sq.wait_migration(120)
        check(name + ': migration completed', r['status'] == 'completed', r['status'])
        dq.wait_incoming()
        check(name + ': sent pages intact', dt.read(data + (data_len // 2), 4096) == b'\x5a' * 4096
              and dt.read(used, 4096) == PAT)
    finally:
        p.close()

def t_postcopy():
    postcopy_case('postcopy')

def t_postcopy_preempt():
    postcopy_case('postcopy-preempt', preempt=True)

def t_postcopy_unsafe():
    postcopy_case('postcopy-unsafe', unsafe=True)

def t_postcopy_preempt_unsafe():
    postcopy_case('postcopy-preempt-unsafe', preempt=True, unsafe=True)


TESTS = [t_happy, t_unsafe, t_silent, t_no_buffer, t_not_negotiated, t_bogus, t_cancel,
         t_dst_killed, t_stopped_vm, t_reset, t_highmem, t_clip, t_dst_refuses, t_with_reporting, t_async,
         t_postcopy, t_postcopy_preempt, t_postcopy_unsafe, t_postcopy_preempt_unsafe]


def main():
    os.makedirs(D, exist_ok=True)
    sel = sys.argv[1:]
    for t in TESTS:
        if sel and t.__name__ not in sel:
            continue
        print('==', t.__name__, flush=True)
        try:
            t()
        except Exception as e:
            import traceback
            traceback.print_exc()
            check(t.__name__ + ' raised', False, repr(e))
    npass = sum(1 for _, c in results if c)
    nfail = len(results) - npass
    print('%d passed, %d failed' % (npass, nfail))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
