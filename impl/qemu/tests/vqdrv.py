"""A minimal legacy virtio-pci balloon driver over the qtest protocol.

Lets the free page bitmap device code be driven exactly as a guest driver
would (fpb-cmd and fpb-report per impl/PROTOCOL.md), without a guest kernel.
"""
import socket, struct, time

class QTest:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.s = socket.socket(socket.AF_UNIX); self.s.connect(path); break
            except OSError:
                time.sleep(0.05)
        self.s.settimeout(30)
        self.f = self.s.makefile('rw')
    def _cmd(self, line):
        self.f.write(line + '\n'); self.f.flush()
        while True:
            r = self.f.readline().strip()
            if r.startswith('IRQ'):
                continue
            if not r.startswith('OK'):
                raise RuntimeError('qtest: %s -> %s' % (line, r))
            return r
    def out(self, size, port, val): self._cmd('out%s 0x%x 0x%x' % (size, port, val))
    def inp(self, size, port): return int(self._cmd('in%s 0x%x' % (size, port)).split()[1], 16)
    def write(self, addr, data):
        if data: self._cmd('write 0x%x 0x%x 0x%s' % (addr, len(data), data.hex()))
    def read(self, addr, n):
        h = self._cmd('read 0x%x 0x%x' % (addr, n)).split()[1][2:]
        return bytes.fromhex(h)

VRING_DESC_F_NEXT, VRING_DESC_F_WRITE = 1, 2

class VQ:
    def __init__(self, qt, io, index, base):
        self.qt, self.io, self.index, self.base = qt, io, index, base
        qt.out('w', io + 14, index)
        self.size = qt.inp('w', io + 12)
        self.desc = base
        self.avail = base + 16 * self.size
        self.used = (self.avail + 6 + 2 * self.size + 4095) & ~4095
        self.bufs = self.used + 4096 * 2     # buffer area after the rings
        self.buf_next = self.bufs
        self.avail_idx = 0
        self.used_seen = 0
        self.free_desc = 0
        qt.out('l', io + 8, base >> 12)
    def alloc(self, n):
        a = self.buf_next; self.buf_next += (n + 15) & ~15; return a
    def add(self, data=None, wlen=0):
        """Post one buffer: device-readable data or a device-writable area."""
        d = self.free_desc % self.size; self.free_desc += 1
        if data is not None:
            addr = self.alloc(max(len(data), 1)); self.qt.write(addr, data)
            self.qt.write(self.desc + 16 * d, struct.pack('<QIHH', addr, len(data), 0, 0))
        else:
            addr = self.alloc(wlen)
            self.qt.write(self.desc + 16 * d, struct.pack('<QIHH', addr, wlen, VRING_DESC_F_WRITE, 0))
        self.qt.write(self.avail + 4 + 2 * (self.avail_idx % self.size), struct.pack('<H', d))
        self.avail_idx = (self.avail_idx + 1) & 0xffff
        self.qt.write(self.avail + 2, struct.pack('<H', self.avail_idx))
        return addr
    def kick(self):
        self.qt.out('w', self.io + 16, self.index)
    def used_idx(self):
        return struct.unpack('<H', self.qt.read(self.used + 2, 2))[0]
    def pop_used(self):
        """Returns (desc id, len) of the next used element, or None."""
        if self.used_idx() == self.used_seen:
            return None
        e = struct.unpack('<II', self.qt.read(self.used + 4 + 8 * (self.used_seen % self.size), 8))
        self.used_seen = (self.used_seen + 1) & 0xffff
        return e
    def desc_addr(self, d):
        return struct.unpack('<Q', self.qt.read(self.desc + 16 * d, 8))[0]

class Balloon:
    IO = 0xc000
    def __init__(self, qt, slot=4, features=None):
        """features: the guest's feature mask (default: the free page
        bitmap bit the device offers, 23, or 6 in the project's first
        series); the fpb queues are found from the offered features."""
        self.qt = qt
        cfg = 0x80000000 | (slot << 11)
        qt.out('l', 0xcf8, cfg)
        vid = qt.inp('l', 0xcfc)
        assert vid & 0xffff == 0x1af4, hex(vid)
        qt.out('l', 0xcf8, cfg | 0x10); qt.out('l', 0xcfc, self.IO | 1)     # BAR0 (I/O)
        qt.out('l', 0xcf8, cfg | 0x04); qt.out('w', 0xcfc, 0x5)             # IO + bus master
        io = self.IO
        qt.out('b', io + 18, 0)                  # reset
        qt.out('b', io + 18, 1 | 2)              # ACKNOWLEDGE | DRIVER
        self.host_features = qt.inp('l', io + 0)
        self.fpb_bit, cmd_index, report_index = fpb_layout(self.host_features) or (23, 3, 4)
        if features is None:
            features = 1 << self.fpb_bit
        self.features = self.host_features & features
        qt.out('l', io + 4, self.features)
        self.cmdq = VQ(qt, io, cmd_index, 0x1000000)     # 16 MiB
        self.repq = VQ(qt, io, report_index, 0x1100000)
        qt.out('b', io + 18, 1 | 2 | 4)          # DRIVER_OK
    def post_cmd(self, size=16):
        self.cmd_addr = self.cmdq.add(wlen=size)
        self.cmdq.kick()
    def wait_cmd(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            e = self.cmdq.pop_used()
            if e:
                d, ln = e
                data = self.qt.read(self.cmdq.desc_addr(d), 16)
                cmd_id, flags, _ = struct.unpack('<IIQ', data)
                return cmd_id, ln
            time.sleep(0.002)
        return None
    def report(self, cmd_id, ranges, last=False, collect_us=0, raw=None, kick=True):
        if raw is None:
            raw = struct.pack('<IIII', cmd_id, 1 if last else 0, len(ranges), collect_us)
            raw += b''.join(struct.pack('<QQ', p, n) for p, n in ranges)
        self.repq.add(data=raw)
        if kick:
            self.repq.kick()


# ---- Additions for fpb_fuzz.py and for both layouts of the feature --------
# Balloon above finds its bit and queues with fpb_layout() too.

VRING_DESC_F_INDIRECT = 4
VIRTIO_RING_F_INDIRECT_DESC = 28
# The free page bitmap's feature bit: 23 in the current series, 6 in the
# first one.  A driver takes 23 if the device offers it, else 6.
FPB_FEATURE_BITS = (23, 6)
VIRTIO_BALLOON_F_FREE_PAGE_HINT, VIRTIO_BALLOON_F_REPORTING = 3, 5


def fpb_layout(host_features):
    """(feature bit, fpb-cmd queue, fpb-report queue) for a device whose
    host features register reads host_features, or None if it offers no
    free page bitmap.  Queues are numbered densely over those that exist:
    inflate 0, deflate 1, stats 2, then free-page-hint and reporting if
    offered, then fpb-cmd and fpb-report (see impl/guest/fpb_proto.h)."""
    for bit in FPB_FEATURE_BITS:
        if host_features & (1 << bit):
            first = (3 + bool(host_features & (1 << VIRTIO_BALLOON_F_FREE_PAGE_HINT))
                     + bool(host_features & (1 << VIRTIO_BALLOON_F_REPORTING)))
            return bit, first, first + 1
    return None


def qt_memset(qt, addr, size, val=0):
    """qtest memset: fill guest memory without sending the bytes."""
    if size:
        qt._cmd('memset 0x%x 0x%x 0x%x' % (addr, size, val & 0xff))


def vq_add_chain(vq, segs, indirect=False, alloc=None, flags_xor=0):
    """Post one chain on vq: segs is a list of (bytes or None, length);
    bytes make a device-readable descriptor, None a device-writable area of
    that length.  indirect: the chain goes into an indirect table behind one
    ring descriptor.  alloc(n) gives guest addresses (default vq.alloc).
    flags_xor is XORed into every descriptor's flags (for the fuzzer).
    Returns the head descriptor index.  Does not kick."""
    alloc = alloc or vq.alloc
    descs = []
    for data, n in segs:
        if data is not None:
            addr = alloc(max(len(data), 1)); vq.qt.write(addr, data)
            descs.append([addr, len(data), 0])
        else:
            addr = alloc(max(n, 1))
            descs.append([addr, n, VRING_DESC_F_WRITE])
    if indirect:
        table = alloc(16 * max(len(descs), 1))
        raw = b''
        for i, (a, n, f) in enumerate(descs):
            nf = (f | (VRING_DESC_F_NEXT if i + 1 < len(descs) else 0)) ^ flags_xor
            raw += struct.pack('<QIHH', a, n & 0xffffffff, nf & 0xffff, (i + 1) & 0xffff)
        vq.qt.write(table, raw)
        descs = [[table, 16 * len(descs), VRING_DESC_F_INDIRECT]]
        flags_xor = 0
    idx = [(vq.free_desc + i) % vq.size for i in range(len(descs))]
    vq.free_desc += len(descs)
    for i, (a, n, f) in enumerate(descs):
        nf = (f | (VRING_DESC_F_NEXT if i + 1 < len(descs) else 0)) ^ flags_xor
        nxt = idx[i + 1] if i + 1 < len(descs) else 0
        vq.qt.write(vq.desc + 16 * idx[i], struct.pack('<QIHH', a, n & 0xffffffff, nf & 0xffff, nxt))
    vq.qt.write(vq.avail + 4 + 2 * (vq.avail_idx % vq.size), struct.pack('<H', idx[0]))
    vq.avail_idx = (vq.avail_idx + 1) & 0xffff
    vq.qt.write(vq.avail + 2, struct.pack('<H', vq.avail_idx))
    return idx[0]
