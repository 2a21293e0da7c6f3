#!/usr/bin/env python3
"""Free page bitmap tests of pvmig_balloon against QEMU with the
free-page-bitmap series: requests triggered by real migrations, the fault
injection switches, and a migration to a real destination with
pvmig-memcheck proving that no page in use was skipped.

  test_fpb.py [main] [fpr] [numa] [legacy]      (default: all four)

main: the above on a plain 1 GiB guest.  fpr: the bitmap beside free page
reporting (free-page-reporting=on): both negotiated, reported memory leaves
QEMU's RSS, hints and memcheck still right.  numa: two NUMA nodes with a
memory backend each, i.e. two RAM regions side by side: no range crosses a
memory section (so neither the node boundary), QEMU rejects none, memcheck
clean.  legacy: bitmap and reporting over the legacy virtio-pci transport
(32 feature bits: bit 23 must still get through).

Prints PASS/FAIL/SKIP lines and a summary; exit status 1 on failure.
Migrations go to files (exec:), so only one VM runs at a time."""
import json, os, re, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmctl import VM, DEBUGFS, PARAMS, result_prefix

INITRD = os.environ.get("INITRD")
MEM = os.environ.get("MEM", "1G")
TIMEOUT_MS = 3000                 # free-page-bitmap-timeout
DEV = f",deflate-on-oom=on,free-page-bitmap=on,free-page-bitmap-timeout={TIMEOUT_MS}"
BALLOON = "/machine/peripheral/balloon0"
P = PARAMS                        # knobs and test switches
D = DEBUGFS                       # counters
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}: {result_prefix()}{name}" +
          (f" ({detail})" if detail else ""),
          flush=True)


def qstats(vm):
    """QEMU's counters, QAPI's dashes read as underscores (the C names)."""
    r = vm.qmp("qom-get", path=BALLOON, property="free-page-bitmap-stats")
    return {k.replace("-", "_"): v for k, v in r.items()}


def gstats(vm):
    """The driver's counters, "name value" per line.  A line of any other
    shape (the guest agent's output has carried one: a console message?)
    is shown, not fatal, so the checks that use the counters still run."""
    out = vm.out(f"cat {D}/fpb_stats")
    stats = {}
    for line in out.splitlines():
        # no counter's name starts with '#': that is a prompt's fragment
        words = re.sub(r"^# ", "", line).split()
        if len(words) == 2 and words[1].isdigit():
            stats[words[0]] = int(words[1])
        elif line.strip():
            print(f"  unexpected line in fpb_stats output: {line!r}", flush=True)
    return stats


# Values that are not counters: shown as they are, not as differences
NOT_COUNTERS = ("cmd_id", "active", "wait_us", "latency_us", "collect_us")


def delta(a, b):
    return {k: b[k] - a.get(k, 0) for k in b
            if isinstance(b[k], int) and k not in NOT_COUNTERS
            and not k.startswith("last_") and b[k] - a.get(k, 0)}


def migrate(vm, uri, cancel_after_request=False, timeout=300):
    """Run one migration; returns query-migrate at the end."""
    vm.qmp("migrate-set-parameters", **{"max-bandwidth": 10 << 30})
    before = qstats(vm)["requests"]
    vm.qmp("migrate", uri=uri)
    end = time.time() + timeout
    while time.time() < end:
        if cancel_after_request and qstats(vm)["requests"] > before:
            vm.qmp("migrate_cancel")
            cancel_after_request = False
        info = vm.qmp("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.05)
    else:
        raise TimeoutError("migration: " + json.dumps(vm.qmp("query-migrate")))
    if vm.qmp("query-status")["status"] != "running":
        vm.qmp("cont")
    return info


def step(vm, name, setup, expect, cancel=False, settle=0.0):
    """Set module parameters, migrate to /dev/null, compare counter deltas."""
    for k, v in setup.items():
        vm.out(f"echo {v} > {P}/{k}")
    q0, g0 = qstats(vm), gstats(vm)
    info = migrate(vm, "exec:cat > /dev/null", cancel_after_request=cancel)
    time.sleep(settle)
    q1, g1 = qstats(vm), gstats(vm)
    dq, dg = delta(q0, q1), delta(g0, g1)
    for k in setup:
        vm.out(f"echo 0 > {P}/{k}")
    bad = {f"{side}.{k}": (d.get(k), v) for side, want, d in
           (("qemu", expect[0], dq), ("guest", expect[1], dg))
           for k, v in want.items()
           if not (v(d.get(k, 0)) if callable(v) else d.get(k, 0) == v)}
    ram = info.get("ram", {})
    check(name, not bad and info["status"] == ("cancelled" if cancel else "completed"),
          f"migration {info['status']}, {ram.get('transferred', 0) >> 20} MiB sent; "
          f"qemu {dq}; guest {dg}" + (f"; MISMATCH {bad}" if bad else ""))
    return dq, dg, info


def main():
    known = ("main", "fpr", "numa", "legacy")
    parts = sys.argv[1:] or list(known)
    bad = [p for p in parts if p not in known]
    if bad:
        print(f"unknown part(s) {bad}: {', '.join(known)}", file=sys.stderr)
        return 2
    if "main" in parts:
        test_main()
    if "fpr" in parts:
        test_fpr()
    if "numa" in parts:
        test_numa()
    if "legacy" in parts:
        test_legacy()
    return finish()


def test_main():
    src = VM(name="pvb", mem=MEM, append="pvmig.balloon=pv", device_opts=DEV,
             initrd=INITRD)
    try:
        src.wait_ready(300)
        src.check_kernel(check)
        _, out = src.sh("dmesg | grep 'pvmig_balloon virtio'")
        check("probe: feature negotiated", "free page bitmap on" in out, out)
        if "free page bitmap on" not in out:
            return

        src.out(f"echo 1 > {P}/fpb_dry_run")
        g = gstats(src)
        print(f"  dry run: {g['last_collect_us']} us, {g['last_blocks']} blocks, "
              f"{g['last_ranges']} ranges, {g['last_pages']} of "
              f"{g['last_free_pages']} free frames", flush=True)

        # 1. a real request, answered
        dq, dg, info = step(src, "migration: request answered", {},
                            ({"requests": 1, "completed": 1, "timeouts": 0,
                              "rejected": 0, "rejected_ranges": 0,
                              "hinted_pages": lambda n: n > 0},
                             {"requests": 1, "answers": 1, "abandoned": 0}))
        q = qstats(src)
        g = gstats(src)
        check("hinted pages: device count == driver count",
              dq.get("hinted_pages") == dg.get("pages") == g["last_pages"],
              f"qemu {dq.get('hinted_pages')}, guest {dg.get('pages')}")
        print(f"  request: collect {g['last_collect_us']} us (qemu saw {q['collect_us']}), "
              f"latency {q['latency_us']} us, wait {q['wait_us']} us, "
              f"{g['last_ranges']} ranges / {g['last_blocks']} blocks, "
              f"{g['last_pages']} frames of {g['last_free_pages']} free, "
              f"{q['hint_bytes']} hint bytes total, skipped {dq.get('skipped_pages')} pages; "
              f"{info['ram']['transferred'] >> 20} MiB sent in {info.get('total-time')} ms",
              flush=True)
        hinted = info["ram"]["transferred"]

        # 2. silent guest: QEMU times out, migration goes on as stock
        _, _, info = step(src, "fpb_silent=1: device times out, migration completes",
                          {"fpb_silent": 1},
                          ({"requests": 1, "completed": 0, "timeouts": 1},
                           {"requests": 1, "ignored": 1, "answers": 0}))
        print(f"  without hints: {info['ram']['transferred'] >> 20} MiB sent "
              f"(with hints {hinted >> 20} MiB)", flush=True)

        # 3. malformed answers
        # beyond RAM: clipped to nothing (outside_pages); wrapping, empty: rejected
        step(src, "fpb_bogus=1: invalid ranges rejected or clipped off, request completes",
             {"fpb_bogus": 1},
             ({"completed": 1, "rejected_ranges": 2, "outside_pages": 16,
               "hinted_pages": 0, "timeouts": 0},
              {"bogus_sent": 1}))
        step(src, "fpb_bogus=2: truncated buffers rejected, request times out",
             {"fpb_bogus": 2},
             ({"completed": 0, "rejected": 2, "hinted_pages": 0, "timeouts": 1},
              {"bogus_sent": 1}))
        step(src, "fpb_bogus=3: stale cmd_id rejected, request times out",
             {"fpb_bogus": 3},
             ({"completed": 0, "rejected": lambda n: n >= 1, "hinted_pages": 0,
               "timeouts": 1}, {"bogus_sent": 1, "answers": 0}))
        step(src, "fpb_bogus=4: buffer after LAST counted late",
             {"fpb_bogus": 4},
             ({"completed": 1, "late": 1, "timeouts": 0,
               "hinted_pages": lambda n: n > 0}, {"bogus_sent": 1, "answers": 1}))

        # 4. delay past the device's timeout: the late answer is rejected
        step(src, "fpb_delay_ms > timeout: late answer rejected, nothing hinted",
             {"fpb_delay_ms": TIMEOUT_MS + 1500},
             ({"requests": 1, "completed": 0, "timeouts": 1, "hinted_pages": 0,
               "late": 1},
              {"requests": 1, "answers": 1}), settle=3.0)

        # 5. migration cancelled while the guest delays; then a new one
        #    arrives while the old answer is still pending
        src.out(f"echo 2000 > {P}/fpb_delay_ms")
        q0, g0 = qstats(src), gstats(src)
        info = migrate(src, "exec:cat > /dev/null", cancel_after_request=True)
        # the guest has taken the command (and re-posted the buffer)
        end = time.time() + 30
        while gstats(src)["requests"] == g0["requests"] and time.time() < end:
            time.sleep(0.2)
        info2 = migrate(src, "exec:cat > /dev/null")
        time.sleep(1)
        q1, g1 = qstats(src), gstats(src)
        src.out(f"echo 0 > {P}/fpb_delay_ms")
        dq, dg = delta(q0, q1), delta(g0, g1)
        check("cancel during delay, new migration: old answer abandoned, new one answered",
              info["status"] == "cancelled" and info2["status"] == "completed" and
              dq.get("requests") == 2 and dq.get("completed") == 1 and
              dq.get("hinted_pages", 0) > 0 and
              dg.get("abandoned") == 1 and dg.get("answers") == 1,
              f"qemu {dq}; guest {dg}")

        # 6. unload while a request waits in the delay
        src.out(f"echo 5000 > {P}/fpb_delay_ms")
        n = gstats(src)["requests"]
        src.qmp("migrate", uri="exec:cat > /dev/null")
        end = time.time() + 30
        while gstats(src)["requests"] == n and time.time() < end:
            time.sleep(0.1)
        t = time.time()
        st, out = src.sh("rmmod pvmig_balloon", 60)
        check("rmmod during a pending request", st == 0 and time.time() - t < 5,
              f"{time.time() - t:.1f} s {out}")
        while src.qmp("query-migrate")["status"] not in ("completed", "failed"):
            time.sleep(0.2)
        if src.qmp("query-status")["status"] != "running":
            src.qmp("cont")
        st, out = src.sh("insmod /lib/modules/pvmig_balloon.ko && "
                         f"cat {D}/fpb_requests")
        check("insmod again", st == 0, out)
        step(src, "request answered after reload", {},
             ({"requests": 1, "completed": 1, "hinted_pages": lambda n: n > 0},
              {"requests": 1, "answers": 1}))
        # the command buffer is posted again after freeze/restore
        st, out = src.sh("echo devices > /sys/power/pm_test && "
                         "echo freeze > /sys/power/state; r=$?; "
                         "echo none > /sys/power/pm_test; [ $r = 0 ]", 120)
        check("suspend/resume (pm_test=devices)", st == 0, out)
        step(src, "request answered after resume", {},
             ({"requests": 1, "completed": 1, "hinted_pages": lambda n: n > 0},
              {"requests": 1, "answers": 1}))

        bad = src.kernel_complaints("WARNING|BUG|Call Trace|list_(add|del) corruption")
        check("no kernel warnings on the source", not bad, "\n".join(bad)[:500])

        # 7. the real thing: a destination, with memcheck churning throughout
        integrity(src)
    finally:
        src.close()


def integrity(src, dev=DEV, extra=(), mem=MEM, label="integrity", ranges_ok=None):
    """Migrate @src to a file with pvmig-memcheck churning, start a
    destination from it (same @dev, @extra) and verify every page.  With
    @ranges_ok, a function of the answer's cmd_id, it also checks the
    driver's ranges of that answer (fpb_dump must be on).  Closes @src."""
    if src.sh("command -v pvmig-memcheck")[0]:
        print(f"SKIP: {label}: pvmig-memcheck not in the initramfs")
        return
    src.out("pvmig-memcheck run --daemonize --mem 256 --chunk 1024 "
            "--status /tmp/mc.json > /tmp/mc.pid")
    time.sleep(5)
    img = f"/tmp/pvb-mig.{os.getpid()}.bin"
    q0, g0 = qstats(src), gstats(src)
    info = migrate(src, f"exec:cat > {img}")
    dq, dg = delta(q0, qstats(src)), delta(g0, gstats(src))
    check(f"{label}: source migration with hints",
          info["status"] == "completed" and dq.get("completed") == 1 and
          dq.get("hinted_pages", 0) > 0 and not dq.get("rejected_ranges") and
          not dq.get("rejected"),
          f"{info['ram']['transferred'] >> 20} MiB, skipped {dq.get('skipped_pages')} pages, "
          f"hinted {dq.get('hinted_pages')}, rejected {dq.get('rejected', 0)} buffers "
          f"{dq.get('rejected_ranges', 0)} ranges")
    if ranges_ok:
        ranges_ok(gstats(src)["last_cmd_id"])
    src.close()
    dst = VM(name="pvb", mem=mem, append="pvmig.balloon=pv", device_opts=dev,
             extra=extra, initrd=INITRD, incoming=f"exec:cat {img}")
    try:
        end = time.time() + 300
        while dst.qmp("query-status")["status"] != "running":
            if time.time() > end:
                raise TimeoutError("destination never ran")
            time.sleep(0.5)
        time.sleep(2)
        dst.sh("true", 30)
        dst.out("kill -USR1 $(cat /tmp/mc.pid)")
        end = time.time() + 300
        while time.time() < end:
            st, out = dst.sh("cat /tmp/mc.json")
            if '"state": "verified"' in out:
                break
            time.sleep(2)
        mc = json.loads(out)
        check(f"{label}: memcheck clean on the destination",
              mc["state"] == "verified" and mc["mismatches"] == 0 and
              mc["last_full_pass"]["complete"],
              f"state {mc['state']}, mismatches {mc['mismatches']}, "
              f"held {mc['held_mib']} MiB, written {mc['pages_written']} pages")
        st, out = dst.sh("rmmod pvmig_balloon && insmod /lib/modules/pvmig_balloon.ko")
        bad = dst.kernel_complaints("WARNING|BUG|Call Trace|corruption")
        check(f"{label}: destination kernel clean, driver reloads", st == 0 and not bad,
              f"reload exited {st}: {out[:200]}" if st else "\n".join(bad)[:500])
    finally:
        dst.close()
        if os.path.exists(img):
            os.unlink(img)


def probe_line(vm):
    _, out = vm.sh("dmesg | grep 'pvmig_balloon virtio.*ready:'")
    return out


def qemu_rss_mib(vm):
    with open(f"/proc/{vm.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) >> 10
    return -1


def wait_for(what, cond, timeout, poll=1.0):
    """Poll cond() (bounded); returns its last value."""
    end = time.time() + timeout
    while True:
        v = cond()
        if v or time.time() > end:
            return v
        time.sleep(poll)


FPR_DEV = DEV + ",free-page-reporting=on"


def booted_with_fpr(label, device_opts):
    """A booted guest whose balloon negotiated both the bitmap and free
    page reporting, or None after a FAIL saying which step failed."""
    try:
        vm = VM(name="pvb", mem=MEM, append="pvmig.balloon=pv",
                device_opts=device_opts, initrd=INITRD)
    except RuntimeError as e:
        check(f"{label}: QEMU starts with {device_opts}", False, str(e)[-300:])
        return None
    try:
        vm.wait_ready(300)
        out = probe_line(vm)
    except Exception:
        vm.close()
        raise
    both = "free page bitmap on" in out and "free page reporting on" in out
    check(f"{label}: bitmap and reporting both negotiated", both, out)
    if not both:
        vm.close()
        return None
    return vm


def test_fpr():
    """The bitmap beside upstream free page reporting (pv-bitmap+fpr)."""
    vm = booted_with_fpr("fpr", FPR_DEV)
    if vm is None:
        return
    try:
        # boot's free memory is reported 2 s after the driver registers,
        # a share per pass
        n = wait_for("reports", lambda: vm.counter("fpr_reports"), 60)
        check("fpr: free memory reported after boot", n > 0,
              f"{n} reports, {vm.counter('fpr_pages')} frames")

        # a program touches 384 MiB and exits: QEMU's RSS grows, then the
        # freed memory is reported and discarded
        mib = 384
        p0 = vm.counter("fpr_pages")
        rss0 = qemu_rss_mib(vm)
        st, out = vm.sh(f"dd if=/dev/zero of=/dev/null bs={mib}M count=1", 120)
        rss1 = qemu_rss_mib(vm)
        pages = wait_for("reported", lambda: vm.counter("fpr_pages") - p0
                         if vm.counter("fpr_pages") - p0 >= (mib << 8) // 2 else 0,
                         90)
        rss2 = wait_for("rss", lambda: qemu_rss_mib(vm)
                        if rss1 - qemu_rss_mib(vm) >= mib // 2 else 0, 30)
        rss2 = rss2 or qemu_rss_mib(vm)
        check(f"fpr: {mib} MiB freed in the guest is reported and leaves QEMU's RSS",
              st == 0 and pages >= (mib << 8) // 2 and rss1 - rss2 >= mib // 2,
              f"dd exit {st}; RSS {rss0} -> {rss1} -> {rss2} MiB; "
              f"{pages} frames reported since")

        # a request is answered on the queue after reporting_vq
        step(vm, "fpr: request answered with reporting on", {},
             ({"requests": 1, "completed": 1, "rejected": 0, "rejected_ranges": 0,
               "hinted_pages": lambda n: n > 0},
              {"requests": 1, "answers": 1}))

        # fpr=0: REPORTING offered, not negotiated; its queue still exists
        # in front of the bitmap's, so the driver must still name it
        st, out = vm.sh("rmmod pvmig_balloon && "
                        "insmod /lib/modules/pvmig_balloon.ko fpr=0", 60)
        line = probe_line(vm).splitlines()[-1:]
        check("fpr=0: bitmap on, reporting off",
              st == 0 and line and "free page bitmap on" in line[0] and
              "free page reporting off" in line[0], f"{out} {line}")
        step(vm, "fpr=0: request answered (reporting_vq named, unused)", {},
             ({"requests": 1, "completed": 1, "rejected": 0, "rejected_ranges": 0,
               "hinted_pages": lambda n: n > 0},
              {"requests": 1, "answers": 1}))
        st, out = vm.sh("rmmod pvmig_balloon && insmod /lib/modules/pvmig_balloon.ko", 60)
        line = probe_line(vm).splitlines()[-1:]
        check("fpr: reload with reporting", st == 0 and line and
              "free page reporting on" in line[0], f"{out} {line}")
        bad = vm.kernel_complaints("WARNING|BUG|Call Trace|list_(add|del) corruption")
        check("fpr: no kernel warnings", not bad, "\n".join(bad)[:500])

        # a migration still hints, and loses nothing
        integrity(vm, dev=FPR_DEV, label="fpr: integrity")
    finally:
        vm.close()


# Two NUMA nodes with a memory backend each: two RAM regions side by side.
NUMA_EXTRA = ("-object", "memory-backend-ram,id=m0,size=512M",
              "-object", "memory-backend-ram,id=m1,size=512M",
              "-numa", "node,nodeid=0,memdev=m0",
              "-numa", "node,nodeid=1,memdev=m1")
NODE_BOUNDARY = (512 << 20) >> 12     # 4 KiB frames
SECTION_FRAMES = (128 << 20) >> 12    # x86-64: 128 MiB sections


def dumped_ranges(vm, cmd_id):
    """The ranges fpb_dump logged for @cmd_id (0: dry runs), the latest
    answer's if it was logged more than once."""
    _, out = vm.sh(f"dmesg | grep 'fpb_dump {cmd_id} '", 120)
    runs, cur = [], []
    for line in out.splitlines():
        m = re.search(r"fpb_dump (\d+) (\d+) (\d+)$", line)
        if m:
            cur.append((int(m.group(2)), int(m.group(3))))
        elif re.search(r"fpb_dump \d+ end ", line):
            runs.append(cur)
            cur = []
    return runs[-1] if runs else None


def check_ranges(name, ranges, ram_frames):
    """No range crosses a section (so neither the node boundary), each lies
    in RAM, and none overlaps another."""
    if ranges is None:
        check(name, False, "no fpb_dump output")
        return
    cross = [(p, n) for p, n in ranges
             if p // SECTION_FRAMES != (p + n - 1) // SECTION_FRAMES]
    outside = [(p, n) for p, n in ranges if n <= 0 or p + n > ram_frames]
    srt = sorted(ranges)
    overlap = [(a, b) for a, b in zip(srt, srt[1:]) if a[0] + a[1] > b[0]]
    # ranges that touch: split on purpose at a section boundary
    split = sum(1 for a, b in zip(srt, srt[1:]) if a[0] + a[1] == b[0])
    at_node = any(a[0] + a[1] == NODE_BOUNDARY == b[0] for a, b in zip(srt, srt[1:]))
    node = [sum(n for p, n in ranges if p < NODE_BOUNDARY),
            sum(n for p, n in ranges if p >= NODE_BOUNDARY)]
    check(name, bool(ranges) and not cross and not outside and not overlap,
          f"{len(ranges)} ranges, {node[0]} + {node[1]} frames in node 0 + 1, "
          f"{split} touching pairs ({'one' if at_node else 'none'} at the node "
          f"boundary); crossing {cross[:4]}, outside RAM "
          f"{outside[:4]}, overlapping {overlap[:4]}")


def test_numa():
    """Two RAM regions next to each other: ranges stop at their boundary."""
    vm = VM(name="pvb", mem="1G", append="pvmig.balloon=pv", device_opts=DEV,
            extra=NUMA_EXTRA, initrd=INITRD)
    ram = (1 << 30) >> 12
    try:
        vm.wait_ready(300)
        st, _ = vm.sh("test -d /sys/devices/system/node/node1")
        if st:
            print("SKIP: numa: the guest sees one node")
            return
        _, out = vm.sh("cat /sys/devices/system/node/node*/meminfo | grep MemTotal")
        print("  " + out.replace("\n", "; "), flush=True)
        vm.out(f"echo 1 > {P}/fpb_dump")
        vm.out(f"echo 1 > {P}/fpb_dry_run")
        check_ranges("numa: dry run: no range crosses a section or the node boundary",
                     dumped_ranges(vm, 0), ram)
        # the walk resumes from a PFN cursor after every 2 blocks
        g0 = gstats(vm)
        vm.out(f"echo 2 > {P}/fpb_max_per_lock && echo 1 > {P}/fpb_dry_run && "
               f"echo 1024 > {P}/fpb_max_per_lock")
        g1 = gstats(vm)
        d = delta(g0, g1)
        check("numa: dry run resuming every 2 blocks finds the same free memory",
              d.get("lock_breaks", 0) > 0 and not d.get("skipped") and
              abs(g1["last_pages"] - g0["last_pages"]) < g0["last_pages"] // 20,
              f"lock breaks {d.get('lock_breaks')}, lost cursors "
              f"{d.get('lost_cursors', 0)}, skipped {d.get('skipped', 0)}; "
              f"{g1['last_pages']} frames vs {g0['last_pages']} in one go")
        check_ranges("numa: resumed dry run: ranges still within sections",
                     dumped_ranges(vm, 0), ram)
        out = probe_line(vm)
        check("numa: feature negotiated", "free page bitmap on" in out, out)
        if "free page bitmap on" not in out:
            return
        integrity(vm, extra=NUMA_EXTRA, mem="1G", label="numa: integrity",
                  ranges_ok=lambda cmd_id: check_ranges(
                      "numa: the answer's ranges cross no section or node boundary",
                      dumped_ranges(vm, cmd_id), ram))
    finally:
        vm.close()


def test_legacy():
    """The legacy transport has 32 feature bits: bit 23 still fits."""
    vm = booted_with_fpr("legacy", FPR_DEV + ",disable-modern=on,disable-legacy=off")
    if vm is None:
        return
    try:
        step(vm, "legacy: request answered", {},
             ({"requests": 1, "completed": 1, "rejected": 0, "rejected_ranges": 0,
               "hinted_pages": lambda n: n > 0},
              {"requests": 1, "answers": 1}))
        n = wait_for("reports", lambda: vm.counter("fpr_reports"), 60)
        check("legacy: free memory reported", n > 0, f"{n} reports")
    finally:
        vm.close()


def finish():
    n_fail = results.count(False)
    print(f"SUMMARY: {len(results) - n_fail} passed, {n_fail} failed")
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
