#!/usr/bin/env python3
"""Source and destination disagree on free-page-bitmap or
free-page-reporting: where does the migration stop?

free-page-reporting adds a queue ahead of the free page bitmap's two, so
with it on one side only the driver's fpb-cmd and fpb-report (queues 3 and
4) become 4 and 5 on the other, and virtio_load() compares no queue
numbers: the guest's command ring would land on the destination's
reporting queue.  A source that offers free-page-bitmap sends an
early-setup section naming its layout and the offered features that place
the queues (impl/PROTOCOL.md, "Cross-version rules"); the destination
compares them and refuses before any RAM page, naming the property to set.

Every combination of the two properties on both sides is tried (16), with
the guest's driver up on the source (qtest, vqdrv.py) and a slow link, so
that RAM would take seconds:

- source free-page-bitmap=on, anything different on the destination (6):
  the migration fails, the destination's error names the property that
  differs, and the source sent no RAM page (ram.transferred 0, normal 0);
- source free-page-bitmap=off (no section; the guest cannot have the
  feature): the fpb queues of a destination that has it come after every
  queue the guest knows, so with free-page-reporting equal on both sides
  the migration completes (2 + 2 where everything matches); with
  free-page-reporting on the source only, upstream's rule applies (the
  reporting queue must exist on both sides) and this test only reports
  what happened, as that is not the series' to decide.

Prints PASS/FAIL lines and a summary; exit 1 on failure.
Usage: fpb_layout.py; env QEMU, FPB_TMP."""
import itertools, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP, die_with_parent, free_port
from vqdrv import QTest, Balloon

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
Q = os.environ.get('QEMU', os.path.join(TOP, 'build', 'qemu', 'qemu-system-x86_64'))
D = os.environ.get('FPB_TMP', '/tmp/fpblayout')
results = []


def check(name, cond, info=''):
    results.append(cond)
    print('%s: %s %s' % ('PASS' if cond else 'FAIL', name, info), flush=True)


def launch(name, dev_opts, incoming=None):
    for f in ('qmp', 'qt'):
        try:
            os.unlink('%s/%s.%s' % (D, name, f))
        except FileNotFoundError:
            pass
    cmd = [Q, '-L', '/usr/share/qemu', '-bios', 'qboot.rom', '-M', 'pc', '-accel', 'qtest',
           '-m', '1G', '-display', 'none', '-nodefaults',
           '-qtest', 'unix:%s/%s.qt,server=on,wait=off' % (D, name), '-qtest-log', 'none',
           '-device', 'virtio-balloon-pci,id=balloon0,addr=0x4,' + dev_opts,
           '-qmp', 'unix:%s/%s.qmp,server=on,wait=off' % (D, name)]
    if incoming:
        cmd += ['-incoming', incoming]
    p = subprocess.Popen(cmd, preexec_fn=die_with_parent, stdout=subprocess.DEVNULL,
                         stderr=open('%s/%s.err' % (D, name), 'w'))
    return p, QMP('%s/%s.qmp' % (D, name)), QTest('%s/%s.qt' % (D, name))


def opts(fpb, fpr):
    return 'free-page-bitmap=%s,free-page-reporting=%s' % ('on' if fpb else 'off', 'on' if fpr else 'off')


def label(fpb, fpr):
    return 'fpb %s fpr %s' % ('on' if fpb else 'off', 'on' if fpr else 'off')


def expected_message(src, dst):
    """The property the destination must name, or None if it may accept."""
    (sfpb, sfpr), (dfpb, dfpr) = src, dst
    if not sfpb:
        return None
    if not dfpb:
        return 'the source offers free-page-bitmap and this destination does not'
    if sfpr != dfpr:
        return ('free-page-reporting is %s here and %s on the source'
                % ('on' if dfpr else 'off', 'on' if sfpr else 'off'))
    return None


def one(src, dst):
    name = 'layout: source %s -> destination %s' % (label(*src), label(*dst))
    uri = 'tcp:127.0.0.1:%d' % free_port()
    sp, sq, st = launch('src', opts(*src))
    dp, dq, dt = launch('dst', opts(*dst), incoming=uri)
    try:
        # 100 MiB/s: 1 GiB of RAM would take about 10 s
        sq.cmd('migrate-set-parameters', **{'max-bandwidth': 100 * 2**20})
        b = None
        if src[0]:
            b = Balloon(st)            # the guest's driver takes the feature
            b.post_cmd()
        t0 = time.time()
        sq.cmd('migrate', uri=uri)
        if b:
            c = b.wait_cmd(10)         # answer at once: nothing to wait for
            if c:
                b.report(c[0], [], last=True)
        r = sq.wait_migration(90)
        dt_s = time.time() - t0
        try:
            dp.wait(10)
        except subprocess.TimeoutExpired:
            pass
        err = open('%s/dst.err' % D).read().strip().replace('\n', ' | ')
        ram = r.get('ram', {})
        print('  %s: %s after %.2f s, ram transferred %d normal %d; destination: %s'
              % (name, r['status'], dt_s, ram.get('transferred', 0), ram.get('normal', 0),
                 err[-300:] or '(nothing)'), flush=True)
        want = expected_message(src, dst)
        if want:
            check('%s: refused' % name, r['status'] == 'failed', r['status'])
            check('%s: destination names the property' % name, want in err, err[-300:])
            check('%s: refused before any RAM page' % name,
                  ram.get('transferred', 0) == 0 and ram.get('normal', 0) == 0 and dt_s < 5.0,
                  '%d bytes, %d pages, %.2f s' % (ram.get('transferred', 0), ram.get('normal', 0), dt_s))
        elif src[0] or src[1] == dst[1]:
            check('%s: completes' % name, r['status'] == 'completed',
                  '%s %s' % (r['status'], err[-200:]))
        else:
            # source without the feature, free-page-reporting on the source
            # only: upstream's business (the guest's reporting queue must
            # exist on the destination), reported, not judged
            print('  %s: not the series\' to decide: %s' % (name, r['status']), flush=True)
    finally:
        for p in (sp, dp):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def main():
    os.makedirs(D, exist_ok=True)
    combos = list(itertools.product((False, True), repeat=2))
    for src in combos:
        for dst in combos:
            if not src[0] and src == dst:
                continue           # stock: nothing of the series runs
            print('== source %s, destination %s' % (label(*src), label(*dst)), flush=True)
            try:
                one(src, dst)
            except Exception as e:
                import traceback
                traceback.print_exc()
                check('layout: %s -> %s raised' % (label(*src), label(*dst)), False, repr(e))
    npass = sum(1 for c in results if c)
    print('%d passed, %d failed' % (npass, len(results) - npass))
    return 0 if results and all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
