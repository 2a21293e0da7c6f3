#!/usr/bin/env python3
"""Do a KVM vCPU's writes after the free page hint reach the destination?

The device tests (fpb_tests.py, also with ACCEL=kvm) write guest memory
through qtest, i.e. through QEMU's own dirty bitmap, never through KVM's
dirty log; the harness's guests ran under TCG.  Here a real vCPU under KVM
writes: the tiny multiboot guest of kvm_guest/ (see guest.c) writes a stamp
into every page of a region W round-robin, answers the free page request at
once with ranges covering a region H it never wrote plus the upper half of
W, and from then on writes H as well.  Pages of H reach the destination only
if KVM's dirty log catches the writes made after the hint: the hint cleared
their bits from the migration bitmap, and QEMU itself never writes them.

Each run migrates the guest from a source QEMU (-accel kvm) to a destination
on 127.0.0.1 kept paused (-S), at BW bytes/s with a 1 ms downtime limit, so
that it iterates (each pass ends with a bitmap sync); after SYNCS syncs the
limits are raised so that the next pass completes.  Then both memories are
saved (pmemsave) and compared byte for byte: all of RAM, H, W.

  safe     free-page-bitmap=on: the memories must match, the request must be
           answered with pages skipped, the guest must have written H after
           its answer, and the destination must hold some of those writes.
  control  x-free-page-bitmap-unsafe=on (asks before dirty logging, re-applies
           the hints after every sync): the memories must differ; if they
           match, the check could not catch a loss and that is a FAIL.

A machine where KVM cannot run even this guest (`pvmig kvm-check` says its
device does not open, the harness's own question; query-kvm says no; or no
debugcon output within BOOT_WAIT s) gets "SKIP: ...: host lacks ..." with the
reason, never a PASS; make test counts that as a fact about the host.  Prints PASS/FAIL/SKIP lines and "N passed, N failed,
N skipped"; exit status 1 if anything failed.

Usage: [MEM=256] [BW=32000000] [SYNCS=4] [WAIT=90] [BOOT_WAIT=30] kvm_dirty.py
       [safe] [control]      (both by default); QEMU=, KVM_GUEST= override
       the binary and the guest image, FPB_TMP= the scratch directory.
"""
import os, shutil, struct, sys, tempfile, time
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'kvm_guest'))
import kg  # noqa: E402
from kg import L, PAGE  # noqa: E402

MEM = int(os.environ.get('MEM', 256))          # MiB, below the PCI hole
BW = int(os.environ.get('BW', 16 * 10**6))
SYNCS = int(os.environ.get('SYNCS', 4))
WAIT = float(os.environ.get('WAIT', 90))
BOOT_WAIT = float(os.environ.get('BOOT_WAIT', 30))
W_PAGES = int(os.environ.get('W_PAGES', L['W_PAGES_DEFAULT']))
H_PAGES = int(os.environ.get('H_PAGES', L['H_PAGES_DEFAULT']))
RAM = MEM << 20

counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}


def verdict(kind, msg):
    counts[kind] += 1
    print('%s: kvm dirty log: %s' % (kind, msg), flush=True)


def check(name, ok, info=''):
    verdict('PASS' if ok else 'FAIL', name + (' (%s)' % info if info else ''))
    return ok


class Skip(Exception):
    pass


def diff_pages(a, b, start, npages):
    """Guest-physical addresses of the pages in [start, start+npages) that differ."""
    out = []
    end = min(start + npages * PAGE, len(a), len(b))
    if a[start:end] == b[start:end]:
        return out
    ma, mb = memoryview(a), memoryview(b)
    for o in range(start, end, PAGE):
        if ma[o:o + PAGE] != mb[o:o + PAGE]:
            out.append(o)
    return out


def stamped(dump, start, npages, magic):
    """How many pages of a region carry the guest's stamp."""
    m = magic.to_bytes(4, 'little')
    return sum(1 for i in range(npages) if dump[start + i * PAGE:start + i * PAGE + 4] == m)


def given_up(dump, g):
    """Pages the guest hinted free and did not write again after its answer
    (stamp's loop count not above loops_at_answer, or no stamp): their
    content may legitimately differ on the destination.  Empty once the
    guest wrote W and H through after the answer."""
    out = set()
    if not g.get('answers'):
        return out
    ranges = [(L['H_ADDR'], H_PAGES, L['STAMP_H'])]
    if W_PAGES >= 2:
        ranges.append((L['W_ADDR'] + (W_PAGES // 2) * PAGE, W_PAGES - W_PAGES // 2, L['STAMP_W']))
    for start, n, magic in ranges:
        for i in range(n):
            o = start + i * PAGE
            m, _gen, _idx, loops = struct.unpack_from('<4I', dump, o)
            if m != magic or loops <= g['loops_at_answer']:
                out.add(o)
    return out


def sync_count(q):
    r = q.cmd('query-migrate')['return']
    return r.get('status'), r.get('ram', {}).get('dirty-sync-count', 0), r


def one_run(mode, tmp):
    """Returns a dict of facts; raises Skip when KVM cannot run the guest."""
    unsafe = mode == 'control'
    dev = 'free-page-bitmap=on' + (',x-free-page-bitmap-unsafe=on' if unsafe else '')
    append = 'tick=15 w=%d h=%d' % (W_PAGES, H_PAGES)
    uri = 'tcp:127.0.0.1:%d' % kg.free_port()
    trace = ['virtio_balloon_fpb_*', 'ram_dirty_log_reprotect',
             'ram_free_page_hint_bitmap_only', 'kvm_clear_dirty_log']
    guests = []
    try:
        src = kg.Guest('src-' + mode, tmp, mem=MEM, dev=dev, append=append, trace=trace)
        guests.append(src)
        dst = kg.Guest('dst-' + mode, tmp, mem=MEM, dev='free-page-bitmap=on', append=append,
                       incoming=uri)
        guests.append(dst)
        f = {'mode': mode}
        kvm = src.qmp.cmd('query-kvm')['return']
        f['kvm'] = kvm
        if not (kvm.get('enabled') and kvm.get('present')):
            raise Skip('query-kvm on the source says %s' % kvm)
        t0 = time.monotonic()
        r = src.con.wait(r'^kg: ready', t0 + BOOT_WAIT)
        if r is None:
            raise Skip('KVM did not run the guest: no "kg: ready" on debugcon within %g s '
                       '(alive: %s; console: %s; stderr: %s)'
                       % (BOOT_WAIT, src.alive(), src.con.text(), src.stderr()))
        f['boot_s'] = r[0] - t0
        fb = src.con.find(r'^kg: fpb feature (bit (\d+)|not)')
        f['fpb_line'] = fb[0][1] if fb else '(none)'
        f['fpb_bit'] = int(fb[0][2].group(2)) if fb and fb[0][2].group(2) else 0
        # Three ticks (2^15 loops apart) give the loop rate before migration
        tick_end = time.monotonic() + 2 * BOOT_WAIT
        while len(src.con.find(r'^kg: tick loops')) < 3 and time.monotonic() < tick_end:
            time.sleep(0.02)
        if len(src.con.find(r'^kg: tick loops')) < 3:
            raise Skip('guest under KVM too slow: fewer than 3 ticks of 32768 loops in %g s (%s)'
                       % (2 * BOOT_WAIT, src.con.text()))
        f['rate_before'] = src.con.loop_rate()
        if not f['fpb_bit']:
            f['error'] = 'guest did not negotiate the feature: ' + f['fpb_line']
            return f

        q = src.qmp
        q.cmd('migrate-set-parameters', **{'max-bandwidth': BW, 'downtime-limit': 1})
        ticks_before = len(src.con.find(r'^kg: tick'))
        t_mig = time.monotonic()
        r = q.cmd('migrate', uri=uri)
        if 'error' in r:
            f['error'] = 'migrate: %s' % r['error']
            return f
        end = t_mig + WAIT
        # Hold the migration iterating until SYNCS syncs are done and the
        # guest wrote all of W and H after its answer (so no page is left
        # whose content it gave up), or WAIT runs out.
        through = [p for p, n in ((r'^kg: W written through', W_PAGES),
                                  (r'^kg: H written through', H_PAGES)) if n]

        def held():
            return n < SYNCS or not all(src.con.find(p) for p in through)
        status, n, _ = sync_count(q)
        while held() and status in ('setup', 'active') and time.monotonic() < end:
            time.sleep(0.05)
            src.con.poll()      # host time of each line to within ~50 ms
            status, n, _ = sync_count(q)
        f['syncs_iterating'] = n
        f['status_at_release'] = status
        f['written_through'] = all(src.con.find(p) for p in through)
        # Completes on the next pass, whatever the dirty rate.
        q.cmd('migrate-set-parameters', **{'downtime-limit': 60000, 'max-bandwidth': 10**10})
        try:
            r = q.wait_migration(max(end - time.monotonic(), 20))
        except RuntimeError:
            r = q.cmd('query-migrate')['return']
        t_done = time.monotonic()
        f['migration_s'] = t_done - t_mig
        f['status'] = r.get('status')
        f['syncs'] = r.get('ram', {}).get('dirty-sync-count', 0)
        f['mig'] = {k: r.get(k) for k in ('total-time', 'setup-time', 'downtime')}
        f['ram'] = {k: r.get('ram', {}).get(k) for k in
                    ('transferred', 'normal', 'duplicate', 'dirty-sync-count')}
        ticks = [(t, ln) for t, ln in src.con.lines if ln.startswith('kg: tick')][ticks_before:]
        f['ticks_during'] = len(ticks)
        f['stats'] = q.stats()
        f['cmd_lines'] = [ln for _, ln, _m in src.con.find(r'^kg: cmd id')]
        f['h_through'] = [ln for _, ln, _m in src.con.find(r'^kg: H written through')]
        if f['status'] != 'completed':
            f['error'] = 'migration %s after %d syncs: %s' % (f['status'], f['syncs'],
                                                             r.get('error-desc', ''))
            return f
        st = q.cmd('query-status')['return']['status']
        f['src_state'] = st
        dst.qmp.wait_incoming()
        a = src.pmemsave(RAM, os.path.join(tmp, 'src.mem'))
        b = dst.pmemsave(RAM, os.path.join(tmp, 'dst.mem'))
        f['guest'] = g = kg.status_from_dump(a)
        f['may_differ'] = given_up(a, g)
        ans = src.con.find(r'^kg: cmd id \d+ len 16 answered')
        if ans and g['loops'] > g['loops_at_answer']:
            f['rate_during'] = (g['loops'] - g['loops_at_answer']) / max(t_done - ans[0][0], 1e-3)
        f['diff_all'] = diff_pages(a, b, 0, RAM // PAGE)
        f['diff_h'] = diff_pages(a, b, L['H_ADDR'], H_PAGES)
        f['diff_w'] = diff_pages(a, b, L['W_ADDR'], W_PAGES)
        f['diff_must'] = [p for p in f['diff_all'] if p not in f['may_differ']]
        f['h_stamped_src'] = stamped(a, L['H_ADDR'], H_PAGES, L['STAMP_H'])
        f['h_stamped_dst'] = stamped(b, L['H_ADDR'], H_PAGES, L['STAMP_H'])
        with open(src.log_path, errors='replace') as lf:
            log = lf.read()
        f['clear_dirty_log_calls'] = log.count('kvm_clear_dirty_log')
        f['reprotects'] = log.count('ram_dirty_log_reprotect')
        return f
    finally:
        for g in guests:
            g.close()


def show(f):
    keep = {k: v for k, v in f.items() if k not in ('diff_all', 'diff_h', 'diff_w', 'diff_must',
                                                     'may_differ', 'kvm')}
    keep['may_differ'] = '%d pages' % len(f.get('may_differ', ()))
    for k in ('diff_all', 'diff_h', 'diff_w', 'diff_must'):
        if k in f:
            keep[k] = '%d pages%s' % (len(f[k]), (' first ' + ','.join(hex(x) for x in f[k][:4]))
                                      if f[k] else '')
    for k in sorted(keep):
        print('  %s: %s' % (k, keep[k]), flush=True)


def judge_safe(f):
    s, g = f.get('stats', {}), f.get('guest', {})
    rate = f.get('rate_before')
    check('KVM ran the guest', True, 'query-kvm enabled, present; ready %.1f s after start, '
          '%s loops/s before migration (2 page writes a loop); %s'
          % (f['boot_s'], '%.0f' % rate if rate else '?', f['fpb_line'][4:]))
    if 'error' in f and 'stats' not in f:
        check('safe: migration', False, f['error'])
        return
    check('safe: request answered, pages skipped',
          s.get('completed', 0) >= 1 and s.get('skipped_pages', 0) > 0,
          'requests %s completed %s timeouts %s hinted %s skipped %s latency %s us'
          % (s.get('requests'), s.get('completed'), s.get('timeouts'), s.get('hinted_pages'),
             s.get('skipped_pages'), s.get('latency_us')))
    if 'error' in f:
        check('safe: migration completed', False, f['error'])
        return
    check('safe: migration completed after iterating',
          f['syncs_iterating'] >= SYNCS,
          '%d syncs in all, %d while the guest ran; %.1f s; KVM_CLEAR_DIRTY_LOG calls %d'
          % (f['syncs'], f['syncs_iterating'], f['migration_s'], f['clear_dirty_log_calls']))
    rd = f.get('rate_during')
    check('safe: guest wrote H after its answer',
          g.get('magic') == L['STATUS_MAGIC'] and g.get('answers', 0) >= 1 and
          g.get('h_pages_after', 0) > 0,
          'distinct H pages %s of %d, H writes %s, W writes after %s, all of W and H '
          'rewritten before completion: %s; %s loops/s after the answer'
          % (g.get('h_pages_after'), H_PAGES, g.get('h_writes'), g.get('w_writes_after'),
             'yes' if f['written_through'] else 'NO', '%.0f' % rd if rd else '?'))
    check('safe: destination holds the H pages written after the hint',
          f['h_stamped_dst'] > 0 and f['h_stamped_dst'] == f['h_stamped_src'],
          'stamped H pages: src %d dst %d' % (f['h_stamped_src'], f['h_stamped_dst']))
    gu = len(f['may_differ'])
    check('safe: source and destination memory match byte for byte' +
          (' (except %d hinted pages not rewritten)' % gu if gu else ''),
          not f['diff_must'],
          'all %d MiB: %d pages differ (H %d, W %d), %d of them outside the given-up pages%s'
          % (MEM, len(f['diff_all']), len(f['diff_h']), len(f['diff_w']), len(f['diff_must']),
             (' first ' + ','.join(hex(x) for x in f['diff_must'][:4])) if f['diff_must'] else ''))


def judge_control(f):
    s, g = f.get('stats', {}), f.get('guest', {})
    if 'error' in f:
        check('control (x-free-page-bitmap-unsafe): migration', False, f['error'])
        return
    lost = len(f['diff_must'])
    info = ('%d pages written after the answer differ (%d in all: H %d, W %d); stamped H '
            'pages src %d dst %d; guest H pages written %s; skipped %s; %d syncs'
            % (lost, len(f['diff_all']), len(f['diff_h']), len(f['diff_w']), f['h_stamped_src'],
               f['h_stamped_dst'], g.get('h_pages_after'), s.get('skipped_pages'), f['syncs']))
    if lost:
        check('control (x-free-page-bitmap-unsafe): the comparison catches the lost writes',
              True, info)
    else:
        check('control (x-free-page-bitmap-unsafe): the comparison catches the lost writes',
              False, 'NOTHING LOST, so this check could not catch a loss: ' + info)


def main():
    modes = sys.argv[1:] or ['safe', 'control']
    for m in modes:
        if m not in ('safe', 'control'):
            sys.exit('kvm_dirty.py: unknown run %r (safe, control)' % m)
    tmp = tempfile.mkdtemp(prefix='kvmdirty-', dir=os.environ.get('FPB_TMP'))
    try:
        if not os.path.exists(kg.QEMU):
            verdict('SKIP', 'QEMU not built: %s (make qemu)' % kg.QEMU)
            return
        err = kg.build_guest()
        if err:
            check('guest image builds', False, err)
            return
        if not os.path.exists(kg.PVMIG):
            verdict('SKIP', 'the harness is not built: %s (make harness)' % kg.PVMIG)
            return
        usable, why = kg.kvm_check()
        if not usable:
            verdict('SKIP', 'host lacks KVM (%s)' % why)
            return
        for m in modes:
            try:
                f = one_run(m, tmp)
            except Skip as e:
                # the device opens, yet KVM cannot run even this guest
                # (nested KVM): a fact about the host, as no device is
                verdict('SKIP', 'host lacks a KVM that runs a guest (%s)' % e)
                return
            except Exception as e:   # a run that died is a FAIL, with why
                check('%s run' % m, False, '%s: %s' % (type(e).__name__, e))
                continue
            print('  %s run:' % m, flush=True)
            show(f)
            (judge_safe if m == 'safe' else judge_control)(f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        print('%d passed, %d failed, %d skipped' % (counts['PASS'], counts['FAIL'],
                                                   counts['SKIP']), flush=True)


if __name__ == '__main__':
    main()
    sys.exit(1 if counts['FAIL'] else 0)
