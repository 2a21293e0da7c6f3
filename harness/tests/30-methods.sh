#!/bin/bash
# Every method on a small guest, under the memory checker: it completes,
# the destination answers, and no byte is lost; what operators turn on
# instead (multifd, compression, postcopy) alone and with the bitmap.
# Needs root; prints PASS/FAIL/SKIP lines.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
vm_test_begin methods methods

methods="baseline pv-bitmap pv-bitmap-async fph fpr pv-bitmap+fpr balloon pv-bitmap+balloon stock"
"$PVMIG" run case1 --mem "$MEM" --repeat 1 --iperf-s 0 --memcheck-mib 128 \
	--methods "$(echo $methods | tr ' ' ,)" --results "$TMP/r" >"$TMP/out" 2>"$TMP/err"
csv=$(ls "$TMP"/r/case1/*/runs.csv 2>/dev/null | head -n1)
json=$(ls "$TMP"/r/case1/*/run.json 2>/dev/null | head -n1)
if [ -z "$csv" ]; then
	fail "methods: no results ($(tail -n 2 "$TMP/err" | tr '\n' ' '))"
	exit 0
fi
# jq with m(NAME): the migrations of method NAME, whatever their order
jqm() {
	jq_ok "$1" 'def m(n): .migrations[] | select(.method == n); '"$2"
}
n=$(echo $methods | wc -w)
check "methods: the order was shuffled from a recorded seed, each migration at its place 1..$n" \
	jq_ok "$json" '.params.order == "shuffled" and (.params.order_seed | type == "number") and
		([.migrations[].position] == [range(1; $n + 1)]) and
		([.migrations[].method] | sort) == ($all | split(" ") | sort)' \
	--argjson n "$n" --arg all "$methods"
# check_completed CSV METHOD...: each completed, its destination answers,
# and the memory checker found no lost page.
check_completed() {
	local f=$1 m st mm ag ok
	shift
	for m in "$@"; do
		st=$(csv_method_field "$f" "$m" status)
		mm=$(csv_method_field "$f" "$m" memcheck_mismatches)
		ag=$(csv_method_field "$f" "$m" dst_agent_ok)
		# Compute first: "check desc [ a ] && [ b ]" would check only a.
		ok=false
		[ "$st" = completed ] && [ "$ag" = 1 ] && [ "$mm" = 0 ] && ok=true
		check "methods: $m completed ($st), destination answers, 0 lost pages ($mm)" $ok
	done
}
check_completed "$csv" $methods
ok=false
[ -n "$(csv_field "$csv" 1 src_cpu)" ] && [ -n "$(csv_field "$csv" 1 dst_cpu)" ] && ok=true
check "methods: CPU cost measured for both QEMUs" $ok
check "methods: balloon inflated before migrating and counted it as preparation" \
	jqm "$json" 'm("balloon") | .counters.balloon.outcome == "reached" and .prep_time_ms > 0'
check "methods: balloon left the destination deflated" \
	jqm "$json" 'm("balloon") | .counters.balloon.deflate_ms > 0 and (.counters.balloon.outcome | test("deflate") | not)'
check "methods: fpr waited for reporting to settle" \
	jqm "$json" '[m("fpr", "pv-bitmap+fpr") | .prep_time_ms >= 2500 and .counters.reporting.rss_after_kb > 0] | length == 2 and all'
check "methods: pv-bitmap-async did not wait, and hinted pages" \
	jqm "$json" 'm("pv-bitmap-async") | .counters.free_page_bitmap | .wait_us == 0 and .hinted_pages > 0 and
		.hinted_pages >= .skipped_pages'
check "methods: pv-bitmap+fpr: the bitmap skipped pages beside reporting" \
	jqm "$json" 'm("pv-bitmap+fpr") | .skipped_pages > 0'
check "methods: end-to-end time is preparation plus total time" \
	jq_ok "$json" '[.migrations[] | select(.end_to_end_ms != null) | .end_to_end_ms == .prep_time_ms + .total_time_ms] | all'
check "methods: stock ran the build without the series, the others the patched one" \
	jqm "$json" '(m("stock").qemu_cmdline.src | startswith("'"$TOP"'/build/qemu-stock/")) and
		(m("baseline").qemu_cmdline.src | startswith("'"$TOP"'/build/qemu/")) and
		(m("baseline").qemu_cmdline.dst | test("-incoming"))'
check "methods: stop-and-copy span from QEMU's events, within the total time" \
	jq_ok "$json" '[.migrations[] | select(.status == "completed") |
		.stop_copy_ms >= 0 and .stop_copy_ms <= .total_time_ms and
		([.migration_events[].status] | index("completed") != null)] | all'
check "methods: per-thread figures name the migration thread and the vCPU" \
	jq_ok "$json" '.migrations[0].threads.src | map(.name) | (index("mig/src/main") != null) and (any(startswith("CPU 0/")))'
ok=false
[ -n "$(csv_field "$csv" 1 src_mig_cpu_ms)" ] && [ -n "$(csv_field "$csv" 1 dst_main_cpu_ms)" ] &&
	[ -n "$(csv_field "$csv" 1 src_minflt)" ] && ok=true
check "methods: runs.csv has the migration thread's CPU and both QEMUs' faults" $ok
check "methods: balloon: source backing before and after inflation, guest auto-init recorded" \
	jqm "$json" 'm("balloon") | .counters.backing.src_before_prep.anon_kb > 0 and
		.counters.backing.src_after_prep.anon_kb > 0 and
		(.counters.guest_mem_auto_init | type == "string")'
check "methods: host THP mode and both QEMU versions recorded" \
	jq_ok "$json" '(.host.thp_enabled | type == "string") and (.versions.qemu_source | test("10\\.0")) and
		(.versions.qemu_stock_source == .versions.qemu_source)'
check "methods: nothing left behind" nothing_left

# --- what operators turn on instead: multifd, compression, postcopy ---
# Each alone and with the bitmap, once, under the memory checker.
# postcopy+multifd is refused by QEMU 10.0, and that refusal (in QEMU's
# words) is its row.  The postcopy methods run apart, with a 1 ms
# downtime limit: precopy cannot converge while the checker writes, so
# each of them does switch after its first pass (at the default limit a
# fast first pass sometimes ended in precopy, and nothing was tested).
users="multifd multifd-zp-legacy multifd-zstd pv-bitmap+multifd"
postcopies="postcopy postcopy-preempt pv-bitmap+postcopy fph+postcopy"
"$PVMIG" run case1 --mem "$MEM" --repeat 1 --iperf-s 0 --memcheck-mib 128 \
	--methods "$(echo $users postcopy+multifd | tr ' ' ,)" --results "$TMP/u" >"$TMP/uout" 2>"$TMP/uerr"
rc=$?
"$PVMIG" run case1 --mem "$MEM" --repeat 1 --iperf-s 0 --memcheck-mib 128 --downtime-ms 1 \
	--methods "$(echo $postcopies | tr ' ' ,)" --results "$TMP/p" >"$TMP/pout" 2>"$TMP/perr"
prc=$?
ucsv=$(ls "$TMP"/u/case1/*/runs.csv 2>/dev/null | head -n1)
ujson=$(ls "$TMP"/u/case1/*/run.json 2>/dev/null | head -n1)
pcsv=$(ls "$TMP"/p/case1/*/runs.csv 2>/dev/null | head -n1)
pjson=$(ls "$TMP"/p/case1/*/run.json 2>/dev/null | head -n1)
if [ -z "$ucsv" ] || [ -z "$pcsv" ]; then
	fail "users' methods: no results ($(tail -n 2 "$TMP/uerr" "$TMP/perr" | tr '\n' ' '))"
	exit 0
fi
ok=false
[ $rc -eq 0 ] && [ $prc -eq 0 ] && ok=true
check "users' methods: the harness exits 0, a refusal is no failure (got $rc, $prc)" $ok
check_completed "$ucsv" $users
check_completed "$pcsv" $postcopies
check "methods: postcopy+multifd is refused by QEMU, with its message" \
	jqm "$ujson" 'm("postcopy+multifd") | .status == "refused" and (.error | test("multifd"))'
check "methods: each side holds the method's settings, as read back" \
	jqm "$ujson" '(m("multifd-zstd").migration_settings | .src.parameters["multifd-compression"] == "zstd"
			and .dst.parameters["multifd-compression"] == "zstd"
			and .src.capabilities.multifd and .dst.capabilities.multifd
			and .src.parameters["multifd-channels"] == 2) and
		(m("multifd-zp-legacy").migration_settings.src.parameters["zero-page-detection"] == "legacy")'
check "methods: postcopy-preempt's destination holds its capability" \
	jqm "$pjson" 'm("postcopy-preempt").migration_settings.dst.capabilities["postcopy-preempt"]'
check "methods: multifd's channels did the sending (busiest send channel CPU recorded)" \
	jqm "$ujson" '[m("multifd", "multifd-zstd", "pv-bitmap+multifd") | .src_send_max_cpu_ms > 0 and
		.dst_recv_max_cpu_ms > 0] | length == 3 and all'
check "methods: every postcopy method switched after its first pass, and the phases add up" \
	jqm "$pjson" '[m("postcopy", "postcopy-preempt", "pv-bitmap+postcopy", "fph+postcopy") |
		.postcopy.trigger == "after the first pass" and
		.postcopy.precopy_phase_ms > 0 and .postcopy.postcopy_phase_ms >= 0 and
		(.postcopy.blocktime_ms | type == "number")] | length == 4 and all'
check "methods: pv-bitmap beside multifd still skipped free pages" \
	jqm "$ujson" 'm("pv-bitmap+multifd") | .skipped_pages > 0'
# Whether the destination asks for a page here depends on a race: a
# 1 GiB guest's postcopy pass can end before a vCPU touches a page
# not yet received.  That a skipped page arrives on demand is asserted
# deterministically in impl/qemu/tests/fpb_tests.py's postcopy cases;
# here the count must be recorded, and the data intact (above).
check "methods: pv-bitmap with postcopy skipped free pages, and recorded the destination's page requests" \
	jqm "$pjson" 'm("pv-bitmap+postcopy") | .skipped_pages > 0 and (.postcopy.requests | type == "number")
		and .postcopy.requests >= 0'
check "methods: the destination's request trace was read for every postcopy migration" \
	jqm "$pjson" '[m("postcopy", "postcopy-preempt", "pv-bitmap+postcopy", "fph+postcopy") |
		.postcopy.dst_requests | type == "number" and . >= 0] | length == 4 and all'
# The same race: a latency needs a request.  Over four migrations under
# the checker there is nearly always one; where there is none, say so.
asked=$(jq '[.migrations[] | .postcopy.dst_requests // 0] | add' "$pjson" 2>/dev/null)
if [ "${asked:-0}" -gt 0 ]; then
	check "methods: postcopy request latency is timed where the destination asked ($asked pages)" \
		jqm "$pjson" '[.migrations[] | select((.postcopy.dst_requests // 0) > 0) |
			.postcopy.request_median_us > 0 and .postcopy.request_max_us >= .postcopy.request_median_us] | all'
else
	skip "methods: postcopy request latency: no postcopy migration here asked for a page (a race on a 1 GiB guest)"
fi
check "methods: nothing left behind after the users' methods" nothing_left

# --- pv-bitmap with auto-converge, under the memory checker ---
# Auto-converge syncs the bitmap from the main loop while it throttles
# (cpu_throttle_dirty_sync_timer_tick()), besides the migration thread's
# syncs: PROTOCOL.md's rule 3 must hold against those too.
"$PVMIG" run case1 --mem "$MEM" --repeat 1 --iperf-s 0 --memcheck-mib 128 --capability auto-converge \
	--methods pv-bitmap --results "$TMP/ac" >"$TMP/acout" 2>"$TMP/acerr"
acsv=$(ls "$TMP"/ac/case1/*_capauto-converge*/runs.csv 2>/dev/null | head -n1)
ajson=$(ls "$TMP"/ac/case1/*_capauto-converge*/run.json 2>/dev/null | head -n1)
if [ -z "$acsv" ]; then
	fail "auto-converge: no results under a _capauto-converge run id ($(tail -n 2 "$TMP/acerr" | tr '\n' ' '))"
	exit 0
fi
check_completed "$acsv" pv-bitmap
check "methods: auto-converge was on at both ends, beside the bitmap's skipping" \
	jqm "$ajson" 'm("pv-bitmap") | .migration_settings.src.capabilities["auto-converge"] and
		.migration_settings.dst.capabilities["auto-converge"] and .skipped_pages > 0'
echo "  auto-converge: highest CPU throttle seen: $(jq '[.migrations[].progress[]?["cpu-throttle-percentage"] // 0] | max' "$ajson")%"
check "methods: nothing left behind after auto-converge" nothing_left
