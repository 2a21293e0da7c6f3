#!/usr/bin/env python3
"""Structure-aware fuzzer of the free page bitmap device, over qtest.

QEMU's generic-fuzz never starts a migration, so it never reaches the state
in which a request is open and report buffers are validated and applied
(they are all dropped for a stale cmd_id).  This one does: it starts a
source QEMU with the qtest accelerator and the device
(free-page-bitmap=on, a large free-page-bitmap-timeout), plays the guest
driver with vqdrv.py (negotiation, command buffer), starts migrations to
exec:cat with a low bandwidth so that a request stays open, and throws
random and mutated buffers at the fpb-report and fpb-cmd queues: random
lengths and nr_ranges, wrong cmd_ids, ranges at RAM edges, huge, wrapping
and overlapping ranges, chained and indirect descriptor chains, writable
descriptors where readable ones belong, bursts past the ring size, random
register writes, resets and re-negotiation; interleaved with migrate_cancel,
completed migrations (then cont) and new migrations.  After every step it
checks that QEMU is alive and answers query-status (latency recorded,
flagged over FUZZ_LAT_MS), and that the device's counters keep their
invariants.  Against an ASan/UBSan build it also reports sanitizer output
(QEMU's stderr, and ASAN_OPTIONS/UBSAN_OPTIONS log_path files).

The feature bit and queue indexes come from the device: bit 23 if it is
offered, else 6; queues per vqdrv.fpb_layout().

Environment:
  QEMU          binary (default build/qemu/qemu-system-x86_64)
  FUZZ_SEED     random seed (default 1); the same seed makes the same choices
                as far as QEMU's timing (is a request open yet?) lets it
  FUZZ_ITERS    stop after this many steps (default 0: no limit)
  FUZZ_SECONDS  stop after this long (default 40)
  FUZZ_MEM      guest RAM (default 4G: RAM below and above 4 GiB)
  FUZZ_LAT_MS   query-status latency that counts as a failure (default 100)
  FUZZ_DEV      extra -device options, e.g. ",free-page-reporting=on"
  FUZZ_TIMEOUT_MS  free-page-bitmap-timeout (default 600000: open until
                LAST, reset or cancel)
  FUZZ_TMP      scratch directory (default: a new one under /tmp, removed
                unless something failed)
Prints PASS/FAIL lines and "N passed, N failed"; exit status 1 on failure.
"""
import glob, os, random, shutil, struct, subprocess, sys, tempfile, time, traceback
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP, die_with_parent
from vqdrv import (QTest, VQ, fpb_layout, qt_memset, vq_add_chain,
                   VRING_DESC_F_NEXT, VRING_DESC_F_WRITE, VRING_DESC_F_INDIRECT,
                   VIRTIO_RING_F_INDIRECT_DESC)

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
Q = os.environ.get('QEMU', os.path.join(TOP, 'build', 'qemu', 'qemu-system-x86_64'))
SEED = int(os.environ.get('FUZZ_SEED', '1'))
ITERS = int(os.environ.get('FUZZ_ITERS', '0'))
SECONDS = float(os.environ.get('FUZZ_SECONDS', '40'))
MEM = os.environ.get('FUZZ_MEM', '4G')
LAT_MS = float(os.environ.get('FUZZ_LAT_MS', '100'))
DEV_EXTRA = os.environ.get('FUZZ_DEV', '')
# free-page-bitmap-timeout: by default the request stays open until LAST,
# a reset or a cancel; a short one exercises timeouts and late answers.
TIMEOUT_MS = int(os.environ.get('FUZZ_TIMEOUT_MS', '600000'))

IO = 0xc000                 # legacy virtio-pci BAR0, as vqdrv.Balloon
SLOT = 4
RING = {'cmd': 0x1000000, 'rep': 0x1100000}     # ring areas (64 KiB each)
ARENA = {'cmd': (0x1800000, 0x100000), 'rep': (0x2000000, 0x2000000)}
LOW_RAM_MAX = 3 << 30       # pc: RAM above 3 GiB goes above 4 GiB
STAT_MONOTONIC = ('requests', 'completed', 'timeouts', 'no_driver', 'declined',
                  'rejected', 'late', 'rejected_ranges', 'buffers', 'ranges',
                  'hinted_pages', 'skipped_pages', 'hint_bytes',
                  # counters of the current series (checked where present)
                  'late_ranges', 'over_limit', 'over_budget', 'outside_pages', 'slices')
SAN_MARKERS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'ERROR: UndefinedBehaviorSanitizer',
               'runtime error:', 'SUMMARY: AddressSanitizer', 'SUMMARY: UndefinedBehaviorSanitizer',
               'LeakSanitizer has encountered a fatal error')

results = []


def check(name, cond, info=''):
    results.append((name, bool(cond)))
    print('%s: %s%s' % ('PASS' if cond else 'FAIL', name, (' (%s)' % info) if info else ''), flush=True)


def parse_mem(s):
    m = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}
    s = s.strip().upper()
    return int(s[:-1]) * m[s[-1]] if s[-1] in m else int(s) << 20


class Arena:
    """Guest memory for buffers, reused round robin (a buffer still in the
    ring may be overwritten: QEMU must cope with that too)."""
    def __init__(self, base, size):
        self.base, self.end, self.cur = base, base + size, base

    def alloc(self, n):
        n = (max(n, 1) + 15) & ~15
        n = min(n, self.end - self.base)
        if self.cur + n > self.end:
            self.cur = self.base
        a = self.cur
        self.cur += n
        return a


class Fuzzer:
    def __init__(self, d):
        self.d = d
        self.rng = random.Random(SEED)
        self.mem = parse_mem(MEM)
        low = min(self.mem, LOW_RAM_MAX if self.mem > 0xe0000000 else self.mem)
        self.low_end = low >> 12
        self.high_end = (0x100000000 + self.mem - low) >> 12 if self.mem > low else 0
        self.edges = [0, 0x9f, 0xa0, 0xc0, 0xf0, 0x100, self.low_end, 0xfee00, 0xfffff, 0x100000]
        if self.high_end:
            self.edges.append(self.high_end)
        self.steps = 0
        self.counts = {}
        self.trail = []
        self.lat = []                # (ms, step kind)
        self.slow = []               # over LAT_MS with the main loop busy
        self.slow_idle = []          # over LAT_MS, QEMU waiting for a CPU
        self.invariant_errors = []
        self.cancel_slow = []
        self.cmd_ids = []
        self.prev_stats = None
        self.migrations = 0
        self.layout = None
        self.vqs = {}
        self.arena = {k: Arena(*v) for k, v in ARENA.items()}
        self.last_ranges = [(0x200, 1)]

    # --- QEMU ---------------------------------------------------------
    def start(self):
        d = self.d
        self.err_path = os.path.join(d, 'src.err')
        cmd = [Q, '-L', '/usr/share/qemu', '-bios', 'qboot.rom', '-M', 'pc', '-accel', 'qtest',
               '-m', MEM, '-display', 'none', '-nodefaults',
               '-qtest', 'unix:%s/src.qt,server=on,wait=off' % d, '-qtest-log', 'none',
               '-device', 'virtio-balloon-pci,id=balloon0,addr=0x%x,free-page-bitmap=on,'
               'free-page-bitmap-timeout=%d%s' % (SLOT, TIMEOUT_MS, DEV_EXTRA),
               '-qmp', 'unix:%s/src.qmp,server=on,wait=off' % d]
        self.cmdline = ' '.join(cmd)
        self.err = open(self.err_path, 'w')
        self.p = subprocess.Popen(cmd, stdout=self.err, stderr=self.err, preexec_fn=die_with_parent)
        self.qmp = QMP(os.path.join(d, 'src.qmp'))
        self.qt = QTest(os.path.join(d, 'src.qt'))
        self.qt.s.settimeout(60)
        self.pci_setup()

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(60)      # ASan's leak check at exit takes a while
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.err.close()
        return self.p.returncode

    def pci_setup(self, cmdreg=0x5):
        cfg = 0x80000000 | (SLOT << 11)
        self.qt.out('l', 0xcf8, cfg)
        vid = self.qt.inp('l', 0xcfc)
        assert vid & 0xffff == 0x1af4, hex(vid)
        self.qt.out('l', 0xcf8, cfg | 0x10); self.qt.out('l', 0xcfc, IO | 1)
        self.qt.out('l', 0xcf8, cfg | 0x04); self.qt.out('w', 0xcfc, cmdreg)

    def stats(self):
        return self.qmp.stats()

    def mig_status(self):
        return self.qmp.cmd('query-migrate')['return'].get('status', 'none')

    # --- the driver ---------------------------------------------------
    def negotiate(self, feat_mask=None, zero_rings=True):
        """Reset, negotiate (the fpb bit the device offers, plus a random
        subset of the rest when feat_mask is given), set up both fpb queues,
        DRIVER_OK."""
        qt = self.qt
        self.pci_setup()
        qt.out('b', IO + 18, 0)
        qt.out('b', IO + 18, 1 | 2)
        host = qt.inp('l', IO + 0)
        self.host_features = host
        lay = fpb_layout(host)
        if self.layout is None:
            self.layout = lay
        if lay is None:
            raise RuntimeError('device offers no free page bitmap (host features 0x%x)' % host)
        bit, cq, rq = lay
        feats = (1 << bit) | (host & (1 << VIRTIO_RING_F_INDIRECT_DESC))
        if feat_mask is not None:
            feats = host & feat_mask
        qt.out('l', IO + 4, feats)
        self.features = feats
        self.vqs = {}
        for name, idx in (('cmd', cq), ('rep', rq)):
            if zero_rings:
                qt_memset(qt, RING[name], 0x10000)
            qt.out('w', IO + 14, idx)
            if qt.inp('w', IO + 12) == 0:
                continue
            self.vqs[name] = VQ(qt, IO, idx, RING[name])
        qt.out('b', IO + 18, 1 | 2 | 4)

    def post_cmd(self, size=16, segs=None, indirect=False):
        vq = self.vqs.get('cmd')
        if not vq:
            return
        vq_add_chain(vq, segs or [(None, size)], indirect, self.arena['cmd'].alloc)
        vq.kick()

    def drain_cmd(self):
        vq = self.vqs.get('cmd')
        while vq:
            try:
                e = vq.pop_used()
            except RuntimeError:
                return
            if not e:
                return

    def current_cmd_id(self, s=None):
        s = s or self.stats()
        return s['cmd_id']

    # --- report buffers -----------------------------------------------
    def rand_range(self):
        r = self.rng
        k = r.random()
        if k < 0.35:                     # inside low RAM
            pfn = r.randrange(0x100, max(0x101, self.low_end - 1))
            return pfn, r.randrange(1, min(1024, max(2, self.low_end - pfn)) + 1)
        if k < 0.45 and self.high_end:   # inside RAM above 4 GiB
            pfn = r.randrange(0x100000, self.high_end)
            return pfn, r.randrange(1, max(2, min(4096, self.high_end - pfn)) + 1)
        if k < 0.65:                     # at an edge
            e = r.choice(self.edges)
            return max(0, e + r.randrange(-3, 3)), r.choice([1, 2, 3, 16, 0x100, 0x20000])
        if k < 0.72:                     # huge
            return r.choice([0, 0x100, r.getrandbits(20)]), 1 << r.randrange(20, 64)
        if k < 0.79:                     # wrapping
            return r.choice([(1 << 52) - 1, (1 << 52), (1 << 64) - 1, (1 << 64) - r.randrange(1, 16)]), \
                r.choice([1, 2, (1 << 64) - 1, 1 << 52])
        if k < 0.84:                     # empty
            return r.randrange(0, self.low_end), 0
        if k < 0.92:                     # overlapping one sent before
            p, n = r.choice(self.last_ranges)
            return max(0, p + r.randrange(-2, 3)), max(1, n + r.randrange(-1, 2))
        if k < 0.95:                     # everything below 4 GiB at once
            return 0x100, max(1, self.low_end - 0x100)
        return r.getrandbits(64), r.getrandbits(r.choice([8, 32, 64]))

    def pick_cmd_id(self, cur):
        r = self.rng
        k = r.random()
        if k < 0.7 and cur:
            return cur
        if k < 0.78:
            return 0
        if k < 0.86:
            return (cur + r.choice([-1, 1])) & 0xffffffff
        if k < 0.93 and self.cmd_ids:
            return r.choice(self.cmd_ids)
        return r.getrandbits(32)

    def make_report(self, cur, nranges=None, last=None):
        r = self.rng
        if nranges is None:
            nranges = r.choice([0, 1, 1, 2, 3, r.randrange(1, 64), r.randrange(64, 600)])
        ranges = [self.rand_range() for _ in range(nranges)]
        self.last_ranges = (self.last_ranges + [x for x in ranges if x[1]])[-64:]
        if last is None:
            last = r.random() < 0.15
        flags = (1 if last else 0) | (r.getrandbits(32) & ~1 if r.random() < 0.05 else 0)
        nr = len(ranges)
        if r.random() < 0.1:
            nr = r.choice([nr + 1, max(0, nr - 1), 0xffffffff, 0x80000000, r.getrandbits(32), 4095, 4096, 1 << 20])
        raw = struct.pack('<IIII', self.pick_cmd_id(cur), flags, nr, r.getrandbits(32))
        raw += b''.join(struct.pack('<QQ', p & (2**64 - 1), n & (2**64 - 1)) for p, n in ranges)
        return raw

    def mutate(self, raw):
        r = self.rng
        b = bytearray(raw)
        for _ in range(r.randrange(1, 6)):
            k = r.random()
            if k < 0.4 and b:
                b[r.randrange(len(b))] ^= 1 << r.randrange(8)
            elif k < 0.55:
                del b[r.randrange(len(b) + 1):]
            elif k < 0.7:
                b += bytes(r.getrandbits(8) for _ in range(r.randrange(1, 40)))
            elif k < 0.85 and len(b) >= 4:
                o = r.randrange(0, len(b) - 3)
                b[o:o + 4] = struct.pack('<I', r.choice([0, 0xffffffff, 0x80000000, r.getrandbits(32)]))
            elif len(b) >= 16:
                o = r.randrange(0, (len(b) - 16) // 16 + 1) * 16
                b[o:o + 16] = bytes(16)
        return bytes(b)

    def split(self, raw):
        """Cut raw into descriptor segments; sometimes zero-length or
        device-writable ones slip in."""
        r = self.rng
        if not raw or r.random() < 0.5:
            return [(raw, len(raw))]
        cuts = sorted(r.randrange(0, len(raw) + 1) for _ in range(r.randrange(1, 6)))
        segs, prev = [], 0
        for c in cuts + [len(raw)]:
            segs.append((raw[prev:c], c - prev))
            prev = c
        if r.random() < 0.15:
            segs.insert(r.randrange(len(segs) + 1), (None, r.choice([0, 16, 4096])))
        return segs

    def post_report(self, raw, kick=True):
        vq = self.vqs.get('rep')
        if not vq:
            return
        r = self.rng
        indirect = r.random() < 0.15
        xor = 0
        if r.random() < 0.03:
            xor = r.choice([VRING_DESC_F_NEXT, VRING_DESC_F_WRITE, VRING_DESC_F_INDIRECT])
        vq_add_chain(vq, self.split(raw), indirect, self.arena['rep'].alloc, xor)
        if kick:
            vq.kick()

    # --- steps ----------------------------------------------------------
    def s_report(self):
        self.post_report(self.make_report(self.current_cmd_id()))

    def s_report_mutated(self):
        self.post_report(self.mutate(self.make_report(self.current_cmd_id())))

    def s_report_valid(self):
        """A well-formed buffer for the open request: the path that applies hints."""
        cur = self.current_cmd_id()
        n = self.rng.randrange(1, 32)
        ranges = []
        for _ in range(n):
            pfn = self.rng.randrange(0x100, max(0x101, self.low_end - 64))
            ranges.append((pfn, self.rng.randrange(1, 64)))
        raw = struct.pack('<IIII', cur, 0, n, 0) + b''.join(struct.pack('<QQ', p, c) for p, c in ranges)
        self.post_report(raw)

    def s_report_huge(self):
        """A long buffer (up to 64K ranges): what a per-buffer cap is for."""
        cur = self.current_cmd_id()
        n = self.rng.choice([4095, 4096, 20000, 65535])
        vq = self.vqs.get('rep')
        if not vq:
            return
        a = self.arena['rep'].alloc(16 + 16 * n)
        hdr = struct.pack('<IIII', cur, 0, n, 0)
        pat = struct.pack('<QQ', 0x100 + self.rng.randrange(0, 0x1000), 1)
        self.qt.write(a, hdr + pat * n)
        vq.qt.write(vq.desc + 16 * (vq.free_desc % vq.size), struct.pack('<QIHH', a, 16 + 16 * n, 0, 0))
        d = vq.free_desc % vq.size
        vq.free_desc += 1
        vq.qt.write(vq.avail + 4 + 2 * (vq.avail_idx % vq.size), struct.pack('<H', d))
        vq.avail_idx = (vq.avail_idx + 1) & 0xffff
        vq.qt.write(vq.avail + 2, struct.pack('<H', vq.avail_idx))
        vq.kick()

    def s_report_last(self):
        cur = self.current_cmd_id()
        self.post_report(struct.pack('<IIII', cur, 1, 0, self.rng.getrandbits(16)))

    def s_burst(self):
        vq = self.vqs.get('rep')
        if not vq:
            return
        cur = self.current_cmd_id()
        n = self.rng.choice([2, 8, 64, vq.size - 1, vq.size, vq.size + 1])
        for _ in range(n):
            self.post_report(self.make_report(cur, nranges=self.rng.randrange(0, 4)), kick=False)
        vq.kick()

    def s_cmd(self):
        r = self.rng
        k = r.random()
        if k < 0.6:
            self.post_cmd(16)
        elif k < 0.8:
            self.post_cmd(r.choice([0, 1, 8, 15, 17, 4096]))
        else:
            segs = [(None, r.choice([0, 4, 8, 12])) for _ in range(r.randrange(1, 4))]
            if r.random() < 0.3:
                segs.insert(0, (bytes(r.randrange(1, 32)), 0))
            self.post_cmd(segs=segs, indirect=r.random() < 0.3)
        self.drain_cmd()

    def s_kick(self):
        self.qt.out('w', IO + 16, self.rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 64, 0xffff]))

    def s_regs(self):
        """A random write to a legacy register, the device config or PCI command."""
        r = self.rng
        k = r.random()
        if k < 0.25:
            self.qt.out('b', IO + 18, r.getrandbits(8))
        elif k < 0.45:
            self.qt.out('w', IO + 14, r.randrange(0, 8))
            self.qt.out('l', IO + 8, r.choice([0, r.getrandbits(20), (RING['rep'] >> 12) + 1]))
        elif k < 0.6:
            self.qt.out('l', IO + 4, r.getrandbits(32))
        elif k < 0.8:
            off = r.choice([0, 4, 8, 12])
            self.qt.out('l', IO + 20 + off, r.getrandbits(32))
        elif k < 0.9:
            self.qt.inp('b', IO + 19)
        else:
            self.pci_setup(cmdreg=r.choice([0x1, 0x5]))       # bus master off or on

    def s_reset(self):
        r = self.rng
        mask = None if r.random() < 0.7 else r.getrandbits(32)
        self.negotiate(mask, zero_rings=r.random() < 0.85)
        if r.random() < 0.9:
            self.post_cmd(16)

    def s_migrate(self):
        st = self.mig_status()
        if st in ('setup', 'active', 'cancelling', 'pre-switchover', 'device'):
            return
        if self.qmp.cmd('query-status')['return']['status'] != 'running':
            self.qmp.cmd('cont')
        # A driver that hit an error resets and starts over: most migrations
        # find a healthy device with its command buffer posted.
        if self.rng.random() < 0.6:
            self.negotiate()
        if self.rng.random() < 0.85:
            self.post_cmd(16)
        # Now and then a migration QEMU must not ask for: the VM stopped
        # (counted as declined).  Not postcopy-ram: with it the source opens
        # a return path, and over exec:cat, which never answers, QEMU 10.0
        # (stock too) hangs its main loop for good in migrate_cancel's
        # cleanup, joining the return-path thread blocked in read().
        k = self.rng.random()
        if k < 0.05:
            self.qmp.cmd('stop')
        bw = self.rng.choice([256 << 10, 1 << 20, 4 << 20])
        self.qmp.cmd('migrate-set-parameters', **{'max-bandwidth': bw})
        r = self.qmp.cmd('migrate', uri='exec:cat > /dev/null')
        if 'error' in r:
            raise RuntimeError('migrate: %s' % r)
        self.migrations += 1
        end = time.time() + 3
        while time.time() < end:
            s = self.stats()
            if s['active'] or self.mig_status() not in ('setup',):
                break
            time.sleep(0.01)
        self.drain_cmd()
        c = self.current_cmd_id()
        if c and c not in self.cmd_ids:
            self.cmd_ids.append(c)
        self.settle()

    def settle(self):
        """Migration setup runs with the BQL held (QEMU 10.0) until the
        migration thread parks in the free page wait or starts the bulk
        stage: the main loop, and so QMP, stalls meanwhile.  That is not the
        device's doing; wait it out (recorded apart) so that the latency
        after each later step is that step's."""
        t0 = time.time()
        while time.time() - t0 < 5:
            t1 = time.time()
            self.qmp.cmd('query-status')
            if time.time() - t1 < 0.02:
                break
        self.setup_stall_ms = max(getattr(self, 'setup_stall_ms', 0), (time.time() - t0) * 1000)

    def s_cancel(self):
        if self.mig_status() not in ('setup', 'active', 'device', 'pre-switchover'):
            return
        t0 = time.time()
        self.qmp.cmd('migrate_cancel')
        while time.time() - t0 < 15:
            if self.mig_status() in ('cancelled', 'failed', 'completed'):
                break
            time.sleep(0.01)
        dt = time.time() - t0
        if dt > 2:
            self.cancel_slow.append('%.2f s' % dt)
        s = self.stats()
        if self.mig_status() in ('cancelled', 'failed', 'completed') and s['active']:
            self.invariant_errors.append('step %d: request still open after the migration ended' % self.steps)

    def s_complete(self):
        """Let a migration finish (LAST, full bandwidth), then cont."""
        if self.mig_status() not in ('setup', 'active'):
            return
        self.s_report_last()
        self.qmp.cmd('migrate-set-parameters', **{'max-bandwidth': 10 ** 11})
        # A device the fuzzer broke (virtio_error) never sees that LAST
        # buffer and the wait would run to its timeout; a reset ends it.
        t0 = time.time()
        while time.time() - t0 < 2 and self.stats()['active']:
            time.sleep(0.02)
        if self.stats()['active']:
            self.negotiate()
        t0 = time.time()
        while time.time() - t0 < 90:
            st = self.mig_status()
            if st in ('completed', 'failed', 'cancelled'):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError('migration did not finish in 90 s: %s' % self.mig_status())
        if self.qmp.cmd('query-status')['return']['status'] != 'running':
            self.qmp.cmd('cont')
        self.settle()

    STEPS = [('report', 20), ('report_mutated', 14), ('report_valid', 12), ('report_huge', 1),
             ('report_last', 3), ('burst', 3), ('cmd', 6), ('kick', 4), ('regs', 3),
             ('reset', 3), ('migrate', 8), ('cancel', 4), ('complete', 1)]

    def choose(self):
        if self.mig_status() in ('none', 'cancelled', 'completed', 'failed') and self.rng.random() < 0.5:
            return 'migrate'
        tot = sum(w for _, w in self.STEPS)
        x = self.rng.uniform(0, tot)
        for n, w in self.STEPS:
            x -= w
            if x <= 0:
                return n
        return self.STEPS[-1][0]

    # --- checks after each step -----------------------------------------
    def main_cpu_ms(self):
        """CPU time of QEMU's main thread (the main loop), in ms."""
        try:
            with open('/proc/%d/task/%d/stat' % (self.p.pid, self.p.pid)) as f:
                v = f.read().rsplit(')', 1)[1].split()
            return (int(v[11]) + int(v[12])) * 1000.0 / os.sysconf('SC_CLK_TCK')
        except (OSError, IndexError, ValueError):
            return 0.0

    def after_step(self, kind):
        if self.p.poll() is not None:
            raise RuntimeError('QEMU exited with status %s' % self.p.returncode)
        # The step's last kick is handled asynchronously (ioeventfd): the
        # query waits behind it; the main thread's CPU over the wait tells
        # whether it was busy.
        cpu0 = self.main_cpu_ms()
        t0 = time.time()
        r = self.qmp.cmd('query-status')
        ms = (time.time() - t0) * 1000
        if 'return' not in r:
            raise RuntimeError('query-status: %s' % r)
        self.lat.append((ms, kind, self.steps))
        if ms > LAT_MS:
            # A slow answer is the device's doing only if the main loop was
            # busy: on a loaded host QEMU may just not get a CPU.
            busy = self.main_cpu_ms() - cpu0
            if busy >= LAT_MS / 2:
                self.slow.append('%.0f ms after step %d (%s), main thread busy %.0f ms' % (ms, self.steps, kind, busy))
            else:
                self.slow_idle.append('%.0f ms after step %d (%s), main thread busy %.0f ms' % (ms, self.steps, kind, busy))
        self.qt.inp('b', IO + 18)         # the qtest socket answers too
        s = self.stats()
        e = []
        if s['completed'] > s['requests']: e.append('completed > requests')
        if s['timeouts'] > s['requests']: e.append('timeouts > requests')
        if s['late'] > s['rejected']: e.append('late > rejected')
        if s['completed'] > s['buffers']: e.append('completed > buffers')
        if s['skipped_pages'] > s['hinted_pages']: e.append('skipped_pages > hinted_pages')
        if s['active'] not in (0, 1): e.append('active = %s' % s['active'])
        if self.prev_stats:
            for k in STAT_MONOTONIC:
                if k in s and k in self.prev_stats and s[k] < self.prev_stats[k]:
                    e.append('%s went down %d -> %d' % (k, self.prev_stats[k], s[k]))
        if e:
            self.invariant_errors.append('step %d (%s): %s; %s' % (self.steps, kind, ', '.join(e), s))
        self.prev_stats = s
        c = s['cmd_id']
        if c and c not in self.cmd_ids:
            self.cmd_ids = (self.cmd_ids + [c])[-16:]

    def run(self):
        self.start()
        self.negotiate()
        bit, cq, rq = self.layout
        check('device offers feature bit %d, fpb-cmd queue %d, fpb-report queue %d' % (bit, cq, rq),
              'cmd' in self.vqs and 'rep' in self.vqs, 'host features 0x%08x' % self.host_features)
        self.post_cmd(16)
        end = time.time() + SECONDS
        while (not ITERS or self.steps < ITERS) and (ITERS or time.time() < end):
            if ITERS and SECONDS and time.time() > end + 600:
                break
            kind = self.choose()
            self.steps += 1
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.trail = (self.trail + ['%d %s' % (self.steps, kind)])[-30:]
            getattr(self, 's_' + kind)()
            self.after_step(kind)


def qemu_stacks(pid, path):
    """Backtraces of every thread of a stuck QEMU, if gdb is installed:
    the frames that matter, one line each."""
    if not shutil.which('gdb'):
        return []
    try:
        out = subprocess.run(['gdb', '-p', str(pid), '-batch', '-nx', '-ex', 'set pagination off',
                              '-ex', 'thread apply all bt'], capture_output=True, text=True,
                             timeout=120).stdout
    except (subprocess.SubprocessError, OSError):
        return []
    with open(path, 'w') as f:
        f.write(out)
    return [l for l in out.splitlines() if l.startswith('Thread ') or l.startswith('#')]


def sanitizer_reports(err_path, pid):
    """Sanitizer output of QEMU pid: its stderr and any log_path file."""
    found = []
    paths = [err_path]
    for var in ('ASAN_OPTIONS', 'UBSAN_OPTIONS'):
        for opt in os.environ.get(var, '').split(':'):
            if opt.startswith('log_path='):
                paths += glob.glob('%s.%d*' % (opt[len('log_path='):], pid))
    for p in sorted(set(paths)):
        try:
            txt = open(p, errors='replace').read()
        except OSError:
            continue
        if any(m in txt for m in SAN_MARKERS):
            found.append((p, txt))
    return found


def main():
    own_tmp = 'FUZZ_TMP' not in os.environ
    d = os.environ.get('FUZZ_TMP') or tempfile.mkdtemp(prefix='fpb-fuzz-')
    os.makedirs(d, exist_ok=True)
    if not os.access(Q, os.X_OK):
        print('SKIP: fpb fuzz: no QEMU at %s (make qemu)' % Q)
        print('0 passed, 0 failed, 1 skipped')
        return 0
    print('fpb_fuzz: seed %d, %s, mem %s, %s, scratch %s' % (
        SEED, ('%d steps' % ITERS) if ITERS else ('%g s' % SECONDS), MEM, Q, d), flush=True)
    f = Fuzzer(d)
    died = None
    t0 = time.time()
    try:
        f.run()
    except Exception as e:
        died = '%s: %s' % (type(e).__name__, e)
        traceback.print_exc()
    elapsed = time.time() - t0
    pid = f.p.pid if hasattr(f, 'p') else 0
    s = None
    if died is None:
        try:
            s = f.stats()
            f.qmp.cmd('migrate_cancel')
        except Exception as e:
            died = 'final stats: %s' % e
    if died and hasattr(f, 'p') and f.p.poll() is None:
        stacks = qemu_stacks(f.p.pid, os.path.join(d, 'stacks.txt'))
        if stacks:
            print('  QEMU is alive but stuck; its threads (gdb, %s):' % os.path.join(d, 'stacks.txt'))
            for line in stacks[:80]:
                print('  ' + line)
    rc = f.stop() if hasattr(f, 'p') else None
    print('  steps %d in %.1f s: %s' % (f.steps, elapsed,
          ', '.join('%s %d' % kv for kv in sorted(f.counts.items()))))
    if died:
        print('  last steps: ' + '; '.join(f.trail))
    check('fpb fuzz: QEMU alive and answering QMP and qtest after each of %d steps (seed %d)' % (f.steps, SEED),
          died is None, died or '')
    if f.lat:
        lat = sorted(f.lat)
        print('  slowest query-status: ' + ', '.join('%.1f ms after step %d (%s)' % (ms, n, k)
                                                    for ms, k, n in lat[-3:][::-1]))
        print('  migration setup stalled QMP for up to %.0f ms (not counted: upstream holds the BQL in setup)'
              % getattr(f, 'setup_stall_ms', 0))
        if f.slow_idle:
            print('  %d answer(s) over %g ms while QEMU\'s main thread was idle (host load, not counted): %s'
                  % (len(f.slow_idle), LAT_MS, '; '.join(f.slow_idle[:3])))
        check('fpb fuzz: query-status within %g ms after every step that kept the main loop busy' % LAT_MS,
              not f.slow,
              'median %.1f ms, max %.1f ms; %d over: %s' % (lat[len(lat) // 2][0], lat[-1][0], len(f.slow),
                                                          '; '.join(f.slow[:5])))
    check('fpb fuzz: counter invariants held after every step', not f.invariant_errors,
          '; '.join(f.invariant_errors[:3]))
    check('fpb fuzz: every migrate_cancel ended within 2 s', not f.cancel_slow, ', '.join(f.cancel_slow[:5]))
    if s:
        print('  final counters: %s' % s)
        check('fpb fuzz: requests were open and report buffers applied',
              s['requests'] > 0 and s['buffers'] > 0 and s['ranges'] > 0,
              '%d migrations, %d requests, %d accepted buffers, %d ranges, %d skipped pages, %d rejected, '
              '%d rejected ranges, %d late' % (f.migrations, s['requests'], s['buffers'], s['ranges'],
                                               s['skipped_pages'], s['rejected'], s['rejected_ranges'], s['late']))
    if rc is not None:
        check('fpb fuzz: QEMU exited cleanly on SIGTERM', rc == 0, 'status %s' % rc)
    reps = sanitizer_reports(os.path.join(d, 'src.err'), pid)
    check('fpb fuzz: no sanitizer report from QEMU', not reps, ', '.join(p for p, _ in reps))
    for p, txt in reps:
        print('  ---- %s' % p)
        for line in txt.splitlines()[:60]:
            print('  ' + line)
    npass = sum(1 for _, c in results if c)
    nfail = len(results) - npass
    if nfail:
        print('  QEMU command line: %s' % f.cmdline if hasattr(f, 'cmdline') else '')
        print('  scratch kept: %s' % d)
    elif own_tmp:
        shutil.rmtree(d, ignore_errors=True)
    print('%d passed, %d failed' % (npass, nfail))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
