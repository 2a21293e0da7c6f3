#!/usr/bin/env python3
"""Measure one free page bitmap request: boot a guest of MEM, optionally run
a memory workload that ends before the migration (stress-ng vm), migrate to
/dev/null and print what the driver and QEMU saw, as one JSON object.

  measure_fpb.py [--mem 8G] [--workload-mib 7000] [--args a=1,b=2]"""
import argparse, json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmctl import VM
from test_fpb import qstats, gstats, migrate, P

ap = argparse.ArgumentParser()
ap.add_argument("--mem", default="8G")
ap.add_argument("--workload-mib", type=int, default=0)
ap.add_argument("--args", default="")
ap.add_argument("--no-fpb", action="store_true", help="fpb_silent=1: stock precopy")
o = ap.parse_args()

append = "pvmig.balloon=pv" + (f" pvmig.balloon_args={o.args}" if o.args else "")
vm = VM(name="pvb", mem=o.mem, append=append,
        device_opts=",free-page-bitmap=on,free-page-bitmap-timeout=5000",
        initrd=os.environ.get("INITRD"))
res = {"mem": o.mem, "workload_mib": o.workload_mib, "module_args": o.args}
try:
    vm.wait_ready(600)
    if o.workload_mib:
        # pvmig-memcheck fills its pages with non-zero patterns; once it
        # exits they are free and full of stale data (the seed's case 2)
        t = time.time()
        vm.out(f"pvmig-memcheck run --daemonize --mem {o.workload_mib} "
               f"--low-water-pct 100 --reserve-mib 64 --status /tmp/w.json > /tmp/w.pid")
        end = time.time() + 1200
        while time.time() < end:
            st = json.loads(vm.out("cat /tmp/w.json"))
            if st["held_mib"] >= o.workload_mib or st["alloc_deferrals"]:
                break
            time.sleep(2)
        vm.out("p=$(cat /tmp/w.pid); kill -TERM $p; while kill -0 $p 2>/dev/null; do sleep 0.5; done", 600)
        res["free_kib_after_workload"] = int(vm.out("grep MemFree /proc/meminfo").split()[1])
        res["workload_held_mib"] = st["held_mib"]
        res["workload_s"] = round(time.time() - t, 1)
    if o.no_fpb:
        vm.out(f"echo 1 > {P}/fpb_silent")
    res["buddyinfo"] = vm.out("cat /proc/buddyinfo")
    info = migrate(vm, "exec:cat > /dev/null", timeout=1800)
    res["guest"] = gstats(vm)
    res["qemu"] = qstats(vm)
    res["migration"] = {k: info.get(k) for k in ("status", "total-time", "setup-time",
                                                  "downtime")}
    res["migration"]["ram"] = info.get("ram")
finally:
    vm.close()
print(json.dumps(res, indent=1))
