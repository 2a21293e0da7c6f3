#!/usr/bin/env python3
"""What does the full dirty-log clear before the free page request cost?

Before it asks the guest, the device re-protects the KVM dirty log of all
guest RAM at once (ram_dirty_log_reprotect(), patch 0003, under the BQL),
where migration would otherwise clear it lazily, chunk by chunk, as it sends
pages (KVM's manual protection with INITIALLY_SET exists for that).  This
times migration setup under KVM with the tiny guest of kvm_guest/, for each
guest size, with the driver present (the guest negotiates the feature and
answers at once, with no ranges) and absent (the guest does not negotiate
it, so QEMU neither re-protects nor asks):

  - setup-time of query-migrate (includes the wait for the guest's answer);
  - from trace timestamps (log backend, -msg timestamp=on): the re-protect
    itself (ram_dirty_log_reprotect to virtio_balloon_fpb_request), the
    first bitmap sync, and savevm_state_setup to
    migration_thread_setup_complete.

Each migration goes to "exec:cat >/dev/null" and is cancelled as soon as
setup is over: only setup is measured.  Before each migration the guest
writes one word into every page of RAM below the PCI hole from 64 MiB
(--touch low, default), so that KVM has those pages mapped, as in a guest
that used its memory; the re-protect cost depends on mapped pages.  A 32-bit
guest reaches RAM above 4 GiB only through paging (--touch all: PSE-36
paging); on a host whose KVM refuses that (this project's build machine runs
kvm_pvm, where CR0.PG faults) the guest dies and the run says so.

Writes runs.csv and summary.json (QEMU version, accelerator, host facts, the
fit) to --out (default results/kvm-clear-cost/<timestamp>/), fits each time
against GiB of RAM and of touched RAM by least squares, and prints the fit
projected to 128 GiB.

Usage: measure_clear_cost.py [--sizes 1G,2G,4G,8G,10G] [--repeats 3]
       [--touch none|low|all] [--out DIR]     QEMU=, KVM_GUEST= override
"""
import argparse, datetime, json, os, platform, re, shutil, subprocess, sys, tempfile, time
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'kvm_guest'))
import kg  # noqa: E402
from kg import L  # noqa: E402

TRACE = ['ram_dirty_log_reprotect', 'virtio_balloon_fpb_request', 'virtio_balloon_fpb_no_request',
         'virtio_balloon_fpb_wait', 'virtio_balloon_fpb_done', 'savevm_state_setup',
         'migration_bitmap_sync_start', 'migration_bitmap_sync_end',
         'migration_thread_setup_complete']
# pid@sec.usec:event args   (log backend with -msg timestamp=on)
TRACE_RX = re.compile(r'^\d+@(\d+)\.(\d{6}):(\w+)')


def parse_size(s):
    m = re.fullmatch(r'(\d+)([MG]?)', s.strip().upper())
    if not m:
        raise ValueError('size %r: want e.g. 512M or 4G' % s)
    return int(m.group(1)) << (20 if m.group(2) == 'M' else 30)


def low_ram(ram):
    """RAM below 4 GiB on QEMU's pc machine (i440fx, gigabyte_align)."""
    return ram if ram < 0xe0000000 else 0xc0000000


def touch_args(ram, touch):
    lo_mib = max(0, (low_ram(ram) - L['TOUCH_ADDR']) >> 20)
    lo_mib = min(lo_mib, L['TOUCH_MAX_MIB'])
    hi_mib = (ram - low_ram(ram)) >> 20
    if touch == 'none':
        return '', 0
    if touch == 'low' or not hi_mib:
        return 'touch=%d' % lo_mib, lo_mib
    return 'touch=%d touchhi=%d' % (lo_mib, hi_mib), lo_mib + hi_mib


def trace_events(path):
    """[(seconds, event)] in file order."""
    out = []
    try:
        with open(path, errors='replace') as f:
            for ln in f:
                m = TRACE_RX.match(ln)
                if m:
                    out.append((int(m.group(1)) + int(m.group(2)) / 1e6, m.group(3)))
    except FileNotFoundError:
        pass
    return out


def first(ev, name, after=None):
    for t, n in ev:
        if n == name and (after is None or t >= after):
            return t
    return None


def one(tmp, ram, mode, touch, boot_wait):
    """One source QEMU, one migration cancelled after setup; a dict."""
    ta, touched = touch_args(ram, touch)
    append = 'tick=31 w=0 h=0 ' + ta + (' nofpb' if mode == 'absent' else '')
    row = {'ram_gib': ram / 2**30, 'driver': mode, 'touched_gib': touched / 1024,
           'append': append.strip()}
    g = kg.Guest('src', tmp, mem='%dM' % (ram >> 20), dev='free-page-bitmap=on',
                 append=append, trace=TRACE, msg_timestamp=True)
    try:
        kvm = g.qmp.cmd('query-kvm')['return']
        row['kvm'] = bool(kvm.get('enabled') and kvm.get('present'))
        t0 = time.monotonic()
        r = g.con.wait(r'^kg: ready', t0 + boot_wait)
        if r is None:
            row['error'] = 'no "kg: ready" within %d s (alive %s): %s' % (
                boot_wait, g.alive(), g.con.text(3))
            return row
        row['boot_s'] = round(r[0] - t0, 2)
        fb = g.con.find(r'^kg: fpb feature')
        row['guest_fpb'] = fb[0][1][len('kg: fpb feature '):] if fb else ''
        q = g.qmp
        q.cmd('migrate-set-parameters', **{'max-bandwidth': 10**10})
        r = q.cmd('migrate', uri='exec:cat >/dev/null')
        if 'error' in r:
            row['error'] = 'migrate: %s' % r['error']
            return row
        end = time.monotonic() + 120
        worst = 0.0
        while time.monotonic() < end:
            # Each answer needs the main loop (and the BQL): the slowest
            # one during setup is what the setup cost the monitor.
            t_q = time.monotonic()
            m = q.cmd('query-migrate')['return']
            worst = max(worst, time.monotonic() - t_q)
            if m.get('status') != 'setup':
                break
            time.sleep(0.005)
        row['max_qmp_ms_in_setup'] = round(worst * 1000, 1)
        row['status_after_setup'] = m.get('status')
        row['setup_time_ms'] = m.get('setup-time')
        q.cmd('migrate_cancel')
        try:
            q.wait_migration(60)
        except RuntimeError:
            pass
        row['stats'] = q.stats()
        time.sleep(0.2)     # let the log be written
    finally:
        g.close()
    ev = trace_events(g.log_path)
    t_setup = first(ev, 'savevm_state_setup')
    t_done = first(ev, 'migration_thread_setup_complete')
    t_s0 = first(ev, 'migration_bitmap_sync_start')
    t_s1 = first(ev, 'migration_bitmap_sync_end', t_s0)
    t_rp = first(ev, 'ram_dirty_log_reprotect')
    t_req = first(ev, 'virtio_balloon_fpb_request', t_rp)
    t_wait = first(ev, 'virtio_balloon_fpb_wait')
    us = lambda a, b: round((b - a) * 1e6) if a is not None and b is not None else None
    row['trace_setup_us'] = us(t_setup, t_done)
    row['first_sync_us'] = us(t_s0, t_s1)
    row['reprotect_us'] = us(t_rp, t_req) if t_rp is not None else 0
    row['request_to_wait_end_us'] = us(t_req, t_wait)
    row['trace_events'] = len(ev)
    if row.get('stats'):
        s = row['stats']
        row['fpb'] = 'requests %d completed %d no_driver %d timeouts %d' % (
            s['requests'], s['completed'], s['no_driver'], s['timeouts'])
    if t_setup is None:
        row['error'] = row.get('error') or 'no trace timestamps in %s' % g.log_path
    return row


def fit(xs, ys):
    """Least squares y = a + b x; None with fewer than two distinct x."""
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None]
    if len({x for x, _ in pts}) < 2:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    b = sum((x - mx) * (y - my) for x, y in pts) / sxx
    a = my - b * mx
    ss = sum((y - a - b * x) ** 2 for x, y in pts)
    st = sum((y - my) ** 2 for _, y in pts)
    return {'intercept': a, 'slope_per_gib': b, 'r2': 1 - ss / st if st else 1.0, 'n': n,
            'at_128gib': a + 128 * b}


def host_facts():
    def read(p):
        try:
            with open(p) as f:
                return f.read().strip()
        except OSError:
            return None
    cpu = None
    for ln in (read('/proc/cpuinfo') or '').splitlines():
        if ln.startswith('model name'):
            cpu = ln.split(':', 1)[1].strip()
            break
    mem = re.search(r'MemTotal:\s+(\d+)', read('/proc/meminfo') or '')
    mods = sorted(m for m in os.listdir('/sys/module') if m.startswith('kvm'))
    params = {}
    for m in mods:
        d = '/sys/module/%s/parameters' % m
        for p in ('ept', 'enable_pml', 'pml', 'eager_page_split', 'tdp_mmu', 'nested'):
            v = read(os.path.join(d, p))
            if v is not None:
                params['%s.%s' % (m, p)] = v
    return {'kernel': platform.release(), 'cpu': cpu, 'cpus': os.cpu_count(),
            'mem_kib': int(mem.group(1)) if mem else None, 'kvm_modules': mods,
            'kvm_params': params, 'thp': read('/sys/kernel/mm/transparent_hugepage/enabled'),
            'loadavg': read('/proc/loadavg'), 'hostname': platform.node()}


def qemu_version():
    try:
        v = subprocess.run([kg.QEMU, '--version'], capture_output=True, text=True,
                           timeout=10).stdout.splitlines()[0]
    except Exception as e:
        v = 'unknown (%s)' % e
    src = os.path.join(kg.TOP, 'build', 'src', 'source-version')
    try:
        with open(src) as f:
            srcv = f.read().strip()
    except OSError:
        srcv = None
    try:
        series = subprocess.run(['git', '-C', kg.TOP, 'log', '-1', '--format=%h %cI', '--',
                                 'impl/qemu'], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(['git', '-C', kg.TOP, 'status', '--porcelain', '--',
                                'impl/qemu'], capture_output=True, text=True).stdout.strip()
    except Exception:
        series, dirty = None, ''
    return {'binary': kg.QEMU, 'version': v, 'source_package': srcv,
            'series_commit': series, 'series_tree_clean': not dirty}


CSV_COLS = ['ram_gib', 'touched_gib', 'driver', 'repeat', 'setup_time_ms', 'trace_setup_us',
            'first_sync_us', 'reprotect_us', 'request_to_wait_end_us', 'boot_s', 'kvm',
            'guest_fpb', 'fpb', 'status_after_setup', 'error', 'max_qmp_ms_in_setup']


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sizes', default='1G,2G,4G,8G,10G')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--touch', choices=('none', 'low', 'all'), default='low')
    ap.add_argument('--out', default=None)
    ap.add_argument('--boot-wait', type=int, default=0,
                    help='seconds to wait for the guest (default 30 + 20 per touched GiB)')
    a = ap.parse_args()
    sizes = [parse_size(s) for s in a.sizes.split(',')]
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    out = a.out or os.path.join(kg.TOP, 'results', 'kvm-clear-cost', stamp)
    os.makedirs(out, exist_ok=True)
    err = kg.build_guest()
    if err:
        sys.exit(err)
    usable, why = kg.kvm_check()
    if not usable:
        sys.exit('measure_clear_cost: this measures KVM only, and KVM is not usable: ' + why)
    meta = {'what': 'migration setup time with the free page bitmap driver present and absent',
            'started': stamp, 'qemu': qemu_version(), 'accel': 'kvm', 'host': host_facts(),
            'inputs': {'sizes_gib': [s / 2**30 for s in sizes], 'repeats': a.repeats,
                       'touch': a.touch, 'target': 'exec:cat >/dev/null, cancelled after setup',
                       'machine': 'pc', 'cpu': 'host', 'guest': kg.ELF}}
    print('QEMU %s; host %s, %s CPUs, kernel %s, KVM modules %s' % (
        meta['qemu']['version'], meta['host']['cpu'], meta['host']['cpus'],
        meta['host']['kernel'], ','.join(meta['host']['kvm_modules'])), flush=True)
    rows = []
    tmp = tempfile.mkdtemp(prefix='clearcost-')
    try:
        for ram in sizes:
            for rep in range(a.repeats):
                # alternate which goes first, so neither always runs on a
                # host just warmed (or cluttered) by the other
                for mode in (('present', 'absent') if rep % 2 == 0 else ('absent', 'present')):
                    _, touched = touch_args(ram, a.touch)
                    bw = a.boot_wait or int(30 + 20 * touched / 1024)
                    try:
                        row = one(tmp, ram, mode, a.touch, bw)
                    except Exception as e:
                        row = {'ram_gib': ram / 2**30, 'driver': mode,
                               'error': '%s: %s' % (type(e).__name__, e)}
                    row['repeat'] = rep
                    rows.append(row)
                    print('%5.1f GiB (touched %.1f) driver %-7s rep %d: setup-time %s ms, '
                          'trace setup %s us, first sync %s us, re-protect %s us, '
                          'slowest QMP answer in setup %s ms%s' % (
                              row['ram_gib'], row.get('touched_gib', 0), mode, rep,
                              row.get('setup_time_ms'), row.get('trace_setup_us'),
                              row.get('first_sync_us'), row.get('reprotect_us'),
                              row.get('max_qmp_ms_in_setup'),
                              ('; ERROR ' + row['error']) if row.get('error') else ''),
                          flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    good = [r for r in rows if not r.get('error')]
    fits = {}
    for mode in ('present', 'absent'):
        rs = [r for r in good if r['driver'] == mode]
        for key in ('setup_time_ms', 'trace_setup_us', 'first_sync_us', 'reprotect_us',
                    'max_qmp_ms_in_setup'):
            for xk in ('ram_gib', 'touched_gib'):
                f = fit([r[xk] for r in rs], [r.get(key) for r in rs])
                if f:
                    fits['%s/%s/per_%s' % (mode, key, xk)] = f
    meta['fits'] = fits
    meta['rows'] = rows
    meta['finished'] = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    with open(os.path.join(out, 'runs.csv'), 'w') as f:
        f.write(','.join(CSV_COLS) + '\n')
        for r in rows:
            f.write(','.join(str(r.get(c, '')).replace(',', ';') for c in CSV_COLS) + '\n')
    with open(os.path.join(out, 'summary.json'), 'w') as f:
        json.dump(meta, f, indent=1, default=str)
    print('fits (y = intercept + slope x GiB, least squares over all repeats):')
    for k in sorted(fits):
        f = fits[k]
        print('  %-45s intercept %10.1f slope %10.1f /GiB r2 %.3f n %d -> at 128 GiB %.0f'
              % (k, f['intercept'], f['slope_per_gib'], f['r2'], f['n'], f['at_128gib']))
    if not fits:
        print('  none: fewer than two distinct sizes without errors')
    print('%d of %d runs without error; results in %s' % (len(good), len(rows), out))
    sys.exit(0 if good and len(good) == len(rows) else 1)


if __name__ == '__main__':
    main()
