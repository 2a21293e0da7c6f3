#!/bin/bash
# The long-running guest end to end on a small guest: a finished job's
# churn (case4), the page cache read off the ext4 image, the live service
# reporting its throughput across the migration, under the memory checker.
# Needs root; prints PASS/FAIL/SKIP lines.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
vm_test_begin long-running longrun

# The real case4 file, scaled to a 1 GiB guest and a short churn with
# --set: under TCG the guest faults memory in at about 55 MB/s, so 80% of
# 1 GiB takes ~15 s.
"$PVMIG" run case4 --mem "$MEM" --repeat 1 --iperf-s 0 --methods baseline,pv-bitmap \
	--set churn_mem_pct=80 --set churn_s=20 --set page_cache_pct=25 \
	--set service_wss_mib=64 --set service_dirty_mib_s=16 --set warmup_s=8 \
	--set observe_after_s=3 --set settle_ms=0 \
	--memcheck-mib 64 --results "$TMP/r" >"$TMP/out" 2>"$TMP/err"
rc=$?
csv=$(ls "$TMP"/r/case4/*/runs.csv 2>/dev/null | head -n1)
json=$(ls "$TMP"/r/case4/*/run.json 2>/dev/null | head -n1)
if [ -z "$csv" ]; then
	fail "long-running: no results (exit $rc: $(tail -n 2 "$TMP/err" | tr '\n' ' '))"
	exit 0
fi
check "long-running: harness exits 0 (got $rc)" [ "$rc" -eq 0 ]
for row in 1 2; do
	m=$(csv_field "$csv" $row method)
	st=$(csv_field "$csv" $row status)
	mm=$(csv_field "$csv" $row memcheck_mismatches)
	ok=false
	[ "$st" = completed ] && [ "$mm" = 0 ] && ok=true
	check "long-running: $m completed ($st) with 0 lost pages ($mm)" $ok
	b=$(csv_field "$csv" $row guest_ops_before)
	d=$(csv_field "$csv" $row guest_ops_during)
	a=$(csv_field "$csv" $row guest_ops_after)
	check "long-running: $m: service throughput before/during/after ($b/$d/$a ops/s)" \
		awk -v b="$b" -v d="$d" -v a="$a" 'BEGIN { exit !(b > 0 && d > 0 && a > 0) }'
done
check "long-running: the throughput series spans the migration window" \
	jq_ok "$json" '.migrations[0] | (.guest_throughput | length) > 20 and
		(.guest_throughput | map(.t_ms) | (min < 0 and max > 0))'
check "long-running: --set keys name the scenario ($(basename "$(dirname "$csv")"))" \
	bash -c '[[ $0 == *_churn_mem_pct-80_churn_s-20_page_cache_pct-25_* ]]' "$(basename "$(dirname "$csv")")"
check "long-running: run.json records the churn" \
	jq_ok "$json" '.params.case3.churn_mem_pct == 80 and .params.case3.churn_s == 20'
grep -q '^pvmig: churn: stress-ng' "$TMP/err" && grep -q 'successful run completed' "$TMP/err"
check "long-running: the churn job ran to its end in the guest" [ $? -eq 0 ]
# The churn is what makes case4 differ from case3: the memory it dirtied
# stays non-zero after the job exits, so the baseline sends it as normal
# pages, never as zero pages.  How much it dirtied is its peak RSS, which
# the harness records: on a slow guest the 20 s limit ends the job before
# it has touched all of its 80%, so a fixed share of RAM is no yardstick.
rss=$(jq -r '.migrations[] | select(.method == "baseline") | .stress_rss_kb // 0' "$json")
normal=$(csv_method_field "$csv" baseline normal_pages)
zero=$(csv_method_field "$csv" baseline zero_pages)
mib=$(jq -r '.params.mem_mib' "$json")
check "long-running: run.json records what the churn touched ($((rss / 1024)) of $mib MiB)" \
	[ "$rss" -gt 0 ]
check "long-running: baseline sends the churned memory as normal pages ($((normal / 256)) MiB, churn $((rss / 1024)) MiB)" \
	[ "$((normal * 4))" -ge "$rss" ]
check "long-running: none of it as zero pages ($((zero / 256)) MiB zero, at most $((mib - rss / 1024)) MiB untouched)" \
	[ "$((zero * 4))" -le "$((mib * 1024 - rss))" ]
skipped=$(csv_method_field "$csv" pv-bitmap skipped_pages)
check "long-running: pv-bitmap skipped some of it ($skipped pages)" [ "${skipped:-0}" -gt 0 ]
check "long-running: nothing left behind" nothing_left
