#!/usr/bin/env python3
"""Drive a test guest for pvmig_balloon: QEMU under TCG, a shell on the serial
console (over a unix socket) and QMP.  Used by the tests next to it; every
wait is bounded."""
import json, os, re, shutil, socket, subprocess, sys, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(TOP, "impl/qemu/tests"))
from qmp import die_with_parent  # noqa: E402  (the QEMU tests' helper)
QEMU = os.environ.get("QEMU", os.path.join(TOP, "build/qemu/qemu-system-x86_64"))
# The driver's counters (debugfs, mounted by the guest's init) and its
# module parameters: knobs and test switches.
DEBUGFS = "/sys/kernel/debug/pvmig_balloon"
PARAMS = "/sys/module/pvmig_balloon/parameters"


def guest_kernel(sel=None):
    """The guest kernel to boot: GUEST_KERNEL (or @sel), a version that
    scripts/build-guest.sh built into build/guest/<version>/, or a prefix
    of one that names a single kernel ("6.12", "6.1"); unset or "default":
    the build's default, build/kernel-version."""
    sel = sel if sel is not None else os.environ.get("GUEST_KERNEL", "")
    try:
        with open(os.path.join(TOP, "build/kernel-versions")) as f:
            built = f.read().split()
    except OSError:
        built = []
    if not sel or sel == "default":
        with open(os.path.join(TOP, "build/kernel-version")) as f:
            return f.read().strip()
    if sel in built:
        return sel
    # "6.1" names 6.1.0-57-amd64, not 6.12.118+deb12-amd64
    hits = [k for k in built if any(k.startswith(sel + c) for c in ".-+")]
    if len(hits) != 1:
        raise SystemExit(f"GUEST_KERNEL={sel}: {'ambiguous' if hits else 'not built'}"
                         f" (built: {', '.join(built) or 'none'}; make guest)")
    return hits[0]


def result_prefix():
    """"<kver>: " in front of each result when GUEST_KERNEL chose the
    kernel (harness/tests/41-guest-driver.sh runs each kernel in turn), so
    that the two kernels' results read apart."""
    return f"{guest_kernel()}: " if os.environ.get("GUEST_KERNEL") else ""


def guest_files(kver):
    """(vmlinux, initramfs) of guest kernel @kver."""
    d = os.path.join(TOP, "build/guest", kver)
    return os.path.join(d, "vmlinux"), os.path.join(d, "initramfs.cpio")


class VM:
    def __init__(self, name="pvb", mem="1G", append="", device_opts="",
                 extra=(), initrd=None, kernel=None, incoming=None):
        # per process: two tests (e.g. a sanitizer run beside a plain one)
        # must not share sockets; removed by close() unless PVB_KEEP=1
        self.dir = f"/tmp/{name}.{os.getpid()}"
        os.makedirs(self.dir, exist_ok=True)
        self.qmp_path = f"{self.dir}/qmp.sock"
        self.ser_path = f"{self.dir}/serial.sock"
        for p in (self.qmp_path, self.ser_path):
            if os.path.exists(p):
                os.unlink(p)
        # INITRD= (initrd) must be built for the kernel GUEST_KERNEL names:
        # the modules in it load only into that kernel.
        self.kver = guest_kernel()
        k, i = guest_files(self.kver)
        kernel = kernel or k
        initrd = initrd or i
        args = [QEMU, "-L", "/usr/share/qemu", "-L", "/usr/share/seabios", "-M", "pc", "-accel", "tcg", "-cpu", "max", "-m", mem,
                "-smp", "1", "-nodefaults", "-display", "none", "-no-reboot",
                "-kernel", kernel, "-initrd", initrd,
                "-append", "console=ttyS0 quiet panic=-1 pvmig.shell=1 " + append,
                "-chardev", f"socket,id=ser0,path={self.ser_path},server=on,wait=off",
                "-serial", "chardev:ser0",
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                "-device", "virtio-balloon-pci,id=balloon0" + device_opts]
        args += list(extra)
        if incoming:
            args += ["-incoming", incoming]
        self.log = open(f"{self.dir}/qemu.log", "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=die_with_parent)
        self.buf = b""
        self.ser = self._connect(self.ser_path)
        self.qmp_sock = self._connect(self.qmp_path)
        self.qmp_file = self.qmp_sock.makefile("rwb")
        json.loads(self.qmp_file.readline())
        self.qmp("qmp_capabilities")
        self.n = 0

    def _connect(self, path, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("qemu exited: " + open(self.log.name).read())
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                return s
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(path)

    def qmp(self, cmd, **args):
        # Tagged with an id, and only the reply with that id is taken: a
        # reply to a command whose caller gave up must not answer this one.
        self.qmp_id = getattr(self, "qmp_id", 0) + 1
        msg = {"execute": cmd, "id": self.qmp_id}
        if args:
            msg["arguments"] = args
        self.qmp_file.write(json.dumps(msg).encode() + b"\n")
        self.qmp_file.flush()
        while True:
            r = json.loads(self.qmp_file.readline())
            if "event" in r or r.get("id") != self.qmp_id:
                continue
            if "error" in r:
                raise RuntimeError(f"{cmd}: {r['error']}")
            return r["return"]

    def read_until(self, pattern, timeout):
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        end = time.time() + timeout
        self.ser.settimeout(0.2)
        while True:
            m = rx.search(self.buf)
            if m:
                out = self.buf[:m.end()]
                self.buf = self.buf[m.end():]
                return out.decode(errors="replace")
            if time.time() > end:
                raise TimeoutError(f"waiting for {pattern!r}; got:\n"
                                   + self.buf.decode(errors="replace")[-3000:])
            try:
                d = self.ser.recv(65536)
                if not d and self.proc.poll() is not None:
                    raise RuntimeError("qemu exited")
                self.buf += d
            except socket.timeout:
                pass

    def wait_ready(self, timeout=120):
        self.read_until(r"PVMIG-READY", timeout)
        time.sleep(1)
        # No echo and no prompt: a prompt's bytes can arrive after the
        # next command's output buffer was reset and read as output ('#
        # requests 1' from a counter read on a loaded host).
        self.sh("stty -echo 2>/dev/null; PS1=''; true", 20)

    def sh(self, cmd, timeout=60):
        """Run a shell command on the console, return (status, output)."""
        self.n += 1
        self.buf = b""
        tag = f"__E{self.n}__"
        # The tag is split in the command so the echo of it cannot match.
        self.ser.sendall(f"{cmd}; echo __E{self.n}\"\"__ $?\n".encode())
        out = self.read_until(tag + r" (\d+)\r?\n", timeout)
        m = re.search(re.escape(tag) + r" (\d+)", out)
        body = out[:m.start()]
        # drop the echoed command line if echo is still on
        lines = body.replace("\r", "").split("\n")
        if lines and cmd[:20] in lines[0]:
            lines = lines[1:]
        lines = [re.sub(r"^(~|/\S*) # ", "", l) for l in lines]
        # A fragment of the earlier prompt (a bare "# ", its path part
        # already consumed) can land before the first line of output:
        # seen as '# 196608' from a counter read on a loaded host.
        first = next((i for i, l in enumerate(lines) if l.strip()), None)
        if first is not None and lines[first].startswith("# "):
            lines[first] = lines[first][2:]
        return int(m.group(1)), "\n".join(lines).strip()

    def kernel_complaints(self, pattern):
        """The guest's dmesg lines that match pattern (an ERE that Python's re
        reads the same way).  The guest's grep keeps the output short; the
        lines are matched again here because a fragment of an earlier shell
        prompt (a lone '#') can reach any command's output, and must not
        read as a complaint."""
        _, out = self.sh(f"dmesg | grep -E '{pattern}'; true")
        rx = re.compile(pattern)
        return [l for l in out.splitlines() if rx.search(l)]

    def out(self, cmd, timeout=60):
        st, o = self.sh(cmd, timeout)
        if st:
            raise RuntimeError(f"{cmd!r} exited {st}: {o}")
        return o

    def param(self, name):
        """A module parameter of the driver."""
        return self.out(f"cat {PARAMS}/{name}")

    def counter(self, name):
        """One of the driver's counters (debugfs), as an int."""
        out = self.out(f"cat {DEBUGFS}/{name}")
        # The number is the file's one line: the last line of the output,
        # whatever fragment of a prompt came before it.
        m = re.fullmatch(r"(?:.*\n)?(?:# )?(-?\d+)", out, re.S)
        if not m:
            raise ValueError(f"counter {name}: {out!r}")
        return int(m.group(1))

    def check_kernel(self, check):
        """check(name, ok, detail) that the guest runs the kernel chosen."""
        st, out = self.sh("uname -r")
        check(f"guest runs kernel {self.kver}", st == 0 and out.strip() == self.kver,
              out.strip())

    def balloon_to(self, mib, timeout=120):
        """Set the guest's target size and wait (bounded) until reached."""
        self.qmp("balloon", value=mib << 20)
        end = time.time() + timeout
        while time.time() < end:
            if self.qmp("query-balloon")["actual"] == mib << 20:
                return time.time()
            time.sleep(0.5)
        raise TimeoutError(f"balloon to {mib} MiB: at "
                           f"{self.qmp('query-balloon')['actual'] >> 20} MiB")

    def close(self):
        try:
            self.qmp("quit")
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        if not os.environ.get("PVB_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


def meminfo(vm, key):
    st, out = vm.sh(f"grep '^{key}:' /proc/meminfo")
    return int(out.split()[1])
