import ctypes, json, signal, socket, sys, time


def die_with_parent():
    """preexec_fn for a QEMU the test starts: the kernel sends it SIGTERM
    when the test process dies, even by SIGKILL, so no QEMU outlives it."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port():
    """A loopback TCP port nothing listens on or uses right now.  A fixed
    port can be taken by another socket's ephemeral end, and a destination
    QEMU whose -incoming cannot bind exits under the test's feet."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port

class QMP:
    def __init__(self, path, timeout=30):
        for _ in range(200):
            try:
                self.s = socket.socket(socket.AF_UNIX); self.s.connect(path); break
            except OSError:
                time.sleep(0.05)
        self.s.settimeout(timeout)
        self.f = self.s.makefile('rw')
        self.events = []
        self.last_id = 0
        json.loads(self.f.readline())
        self.cmd('qmp_capabilities')
    def cmd(self, name, **args):
        # Every command carries an id and only its own reply is taken: a
        # reply left over from a command whose caller gave up (a timeout
        # under a slow sanitizer build) must not answer the next one.
        self.last_id += 1
        m = {'execute': name, 'id': self.last_id}
        if args: m['arguments'] = args
        self.f.write(json.dumps(m) + '\n'); self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if 'event' in r: self.events.append(r); continue
            if r.get('id') != self.last_id: continue
            return r
    def stats(self, dev='/machine/peripheral/balloon0'):
        """The device's counters, named as in C (QAPI's dashes read as
        underscores), so the tests say hinted_pages as the code does."""
        r = self.cmd('qom-get', path=dev, property='free-page-bitmap-stats')['return']
        return {k.replace('-', '_'): v for k, v in r.items()}
    def wait_status(self, want, deadline=30):
        """Poll query-migrate until its status is one of want, or failed
        or cancelled, or the deadline: the status last seen (the caller
        judges it; a postcopy control expects to see no end)."""
        end = time.time() + deadline
        st = None
        while time.time() < end:
            st = self.cmd('query-migrate')['return'].get('status')
            if st in want or st in ('failed', 'cancelled'):
                return st
            time.sleep(0.02)
        return st
    def wait_migration(self, deadline=60):
        end = time.time() + deadline
        while time.time() < end:
            r = self.cmd('query-migrate')['return']
            st = r.get('status')
            if st in ('completed', 'failed', 'cancelled'):
                return r
            time.sleep(0.05)
        raise RuntimeError('migration did not finish: %s' % r)
    def wait_incoming(self, deadline=60):
        """On a destination: wait until its own end of the migration is
        over, not the source's.  The source says 'completed' once it has
        sent the last byte; the destination may still be loading then
        (seconds on a loaded host), and a read of its memory before its
        own 'completed' sees the page as it was.  Fails fast on 'failed'
        or 'cancelled' and on a VM state that only a failed load leaves."""
        end = time.time() + deadline
        r = {}
        while time.time() < end:
            r = self.cmd('query-migrate')['return']
            st = r.get('status')
            if st in ('failed', 'cancelled'):
                raise RuntimeError('incoming migration %s: %s' % (st, r.get('error-desc', '')))
            if st == 'completed':
                vm = self.cmd('query-status')['return']['status']
                if vm in ('internal-error', 'shutdown', 'guest-panicked'):
                    raise RuntimeError('destination VM %s after loading' % vm)
                if vm != 'inmigrate':
                    return r
            time.sleep(0.05)
        raise RuntimeError('destination did not finish loading in %g s: %s' % (deadline, r))
