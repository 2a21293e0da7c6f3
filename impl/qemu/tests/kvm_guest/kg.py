"""Helpers shared by the scripts that run the tiny KVM guest (kvm_dirty.py,
measure_clear_cost.py): its layout constants, a QEMU launcher, a debugcon
follower with host timestamps, and the guest's status words in a dump."""
import os, re, struct, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
sys.path.insert(0, os.path.dirname(HERE))
from qmp import QMP, die_with_parent, free_port  # noqa: E402

QEMU = os.environ.get('QEMU', os.path.join(TOP, 'build', 'qemu', 'qemu-system-x86_64'))
ELF = os.environ.get('KVM_GUEST', os.path.join(TOP, 'build', 'kvm-guest', 'kvm-guest.elf'))


PVMIG = os.path.join(TOP, 'build', 'pvmig')


def kvm_check():
    """What `pvmig kvm-check` says of this machine: (True, text) when KVM's
    device opens read-write, (False, why) when not.  The harness's
    accelerator probe asks the same question, in the same code, so a test
    and a run never disagree on whether the host has KVM (and
    PVMIG_KVM_DEVICE hides it from both).  Raises FileNotFoundError when
    the harness is not built."""
    r = subprocess.run([PVMIG, 'kvm-check'], capture_output=True, text=True, timeout=30)
    text = (r.stdout.strip() or r.stderr.strip()).replace('kvm: not usable: ', '')
    return r.returncode == 0, text


def layout():
    """The KG_* integer constants of layout.h, the one place they live."""
    c = {}
    with open(os.path.join(HERE, 'layout.h')) as f:
        for m in re.finditer(r'^#define\s+KG_(\w+)\s+(0x[0-9a-fA-F]+|\d+)', f.read(), re.M):
            c[m.group(1)] = int(m.group(2), 0)
    return c


L = layout()
PAGE = 4096

# struct kg_status in guest.c, in order (all le32)
STATUS_FIELDS = ('magic phase fpb_bit answers last_cmd_id h_pages_after h_writes '
                 'w_writes_after w_gen loops w_pages h_pages loops_at_answer').split()
PHASES = {1: 'boot', 2: 'running', 3: 'answered', 9: 'failed'}


def status_from_dump(dump):
    """The guest's status words from a pmemsave image of guest RAM."""
    a = L['STATUS_ADDR']
    vals = struct.unpack_from('<%dI' % len(STATUS_FIELDS), dump, a)
    return dict(zip(STATUS_FIELDS, vals))


def build_guest():
    """make the guest (quiet when it is up to date); returns an error text or None."""
    r = subprocess.run(['make', '-s', '-C', HERE], capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(ELF):
        return 'make -C %s failed: %s' % (HERE, (r.stdout + r.stderr).strip()[-300:])
    return None


class Console:
    """Follows the guest's debugcon file; each line gets the host time
    (time.monotonic()) at which this reader first saw it."""
    def __init__(self, path):
        self.path, self.pos, self.part, self.lines = path, 0, b'', []

    def poll(self):
        try:
            with open(self.path, 'rb') as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return
        self.pos += len(data)
        now = time.monotonic()
        data = self.part + data
        *full, self.part = data.split(b'\n')
        for ln in full:
            self.lines.append((now, ln.decode('latin-1')))

    def wait(self, pattern, deadline, fail=r'^kg: FAILED'):
        """The first line matching pattern (a regex), as (time, line, match),
        or None when deadline (time.monotonic()) passes or a line matches
        fail first."""
        rx, fx = re.compile(pattern), re.compile(fail)
        i = 0
        while True:
            self.poll()
            while i < len(self.lines):
                t, ln = self.lines[i]
                i += 1
                if fx.search(ln):
                    return None
                m = rx.search(ln)
                if m:
                    return t, ln, m
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)

    def find(self, pattern):
        self.poll()
        rx = re.compile(pattern)
        return [(t, ln, rx.search(ln)) for t, ln in self.lines if rx.search(ln)]

    def loop_rate(self):
        """loops/s from the tick lines seen so far (host time between the first
        and the last), or None with fewer than two."""
        ticks = [(t, int(m.group(1))) for t, ln, m in self.find(r'^kg: tick loops (\d+)')]
        ticks = ticks[1:] if len(ticks) > 2 else ticks   # the first may be seen late
        if len(ticks) < 2 or ticks[-1][0] <= ticks[0][0]:
            return None
        return (ticks[-1][1] - ticks[0][1]) / (ticks[-1][0] - ticks[0][0])

    def text(self, n=5):
        self.poll()
        return ' | '.join(ln for _, ln in self.lines[-n:]) or '(nothing)'


class Guest:
    """One QEMU running the tiny guest, with QMP.  close() kills it (by pid)."""
    def __init__(self, name, tmp, mem='256', dev='free-page-bitmap=on', append='',
                 accel='kvm', incoming=None, trace=(), extra=(), msg_timestamp=False):
        self.name, self.tmp = name, tmp
        self.qmp_path = os.path.join(tmp, name + '.qmp')
        self.con_path = os.path.join(tmp, name + '.con')
        self.log_path = os.path.join(tmp, name + '.log')
        self.err_path = os.path.join(tmp, name + '.err')
        for p in (self.qmp_path, self.con_path, self.log_path):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        cmd = [QEMU, '-L', '/usr/share/qemu', '-bios', 'qboot.rom', '-M', 'pc',
               '-accel', accel, '-cpu', 'host' if accel == 'kvm' else 'max',
               '-m', str(mem), '-display', 'none', '-nodefaults',
               '-kernel', ELF, '-append', append,
               '-debugcon', 'file:' + self.con_path,
               '-device', 'virtio-balloon-pci,id=balloon0' + (',' + dev if dev else ''),
               '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
               '-D', self.log_path]
        for t in trace:
            cmd += ['-trace', t]
        if msg_timestamp:
            cmd += ['-msg', 'timestamp=on']
        if incoming:
            cmd += ['-incoming', incoming, '-S']
        cmd += list(extra)
        self.cmdline = cmd
        self.err = open(self.err_path, 'wb')
        self.proc = subprocess.Popen(cmd, preexec_fn=die_with_parent,
                                     stdout=self.err, stderr=subprocess.STDOUT)
        self.qmp = None
        self.con = Console(self.con_path)
        try:
            self.qmp = QMP(self.qmp_path)
        except Exception:
            self.close()
            raise RuntimeError('%s: QEMU did not come up: %s' % (name, self.stderr()))

    def stderr(self):
        self.err.flush()
        try:
            with open(self.err_path, 'rb') as f:
                return f.read().decode('latin-1').strip()[-400:]
        except FileNotFoundError:
            return ''

    def alive(self):
        return self.proc.poll() is None

    def pmemsave(self, size, path):
        r = self.qmp.cmd('pmemsave', val=0, size=size, filename=path)
        if 'error' in r:
            raise RuntimeError('%s: pmemsave: %s' % (self.name, r['error']))
        with open(path, 'rb') as f:
            data = f.read()
        os.unlink(path)
        return data

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
