import json, socket, sys, time

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
        json.loads(self.f.readline())
        self.cmd('qmp_capabilities')
    def cmd(self, name, **args):
        m = {'execute': name}
        if args: m['arguments'] = args
        self.f.write(json.dumps(m) + '\n'); self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if 'event' in r: self.events.append(r); continue
            return r
    def stats(self, dev='/machine/peripheral/balloon0'):
        return self.cmd('qom-get', path=dev, property='free-page-bitmap-stats')['return']
    def wait_migration(self, deadline=60):
        end = time.time() + deadline
        while time.time() < end:
            r = self.cmd('query-migrate')['return']
            st = r.get('status')
            if st in ('completed', 'failed', 'cancelled'):
                return r
            time.sleep(0.05)
        raise RuntimeError('migration did not finish: %s' % r)
