#!/bin/bash
# Every hinting or ballooning method on a small guest, under the memory
# checker: it completes, the destination answers, and no byte is lost.
# Needs root; prints PASS/FAIL/SKIP lines.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
vm_test_begin methods methods

methods="baseline pv-bitmap fph fpr balloon pv-bitmap+balloon"
"$PVMIG" run case1 --mem "$MEM" --repeat 1 --iperf-s 0 --memcheck-mib 128 \
	--methods "$(echo $methods | tr ' ' ,)" --results "$TMP/r" >"$TMP/out" 2>"$TMP/err"
csv=$(ls "$TMP"/r/case1/*/runs.csv 2>/dev/null | head -n1)
json=$(ls "$TMP"/r/case1/*/run.json 2>/dev/null | head -n1)
if [ -z "$csv" ]; then
	fail "methods: no results ($(tail -n 2 "$TMP/err" | tr '\n' ' '))"
	exit 0
fi
row=0
for m in $methods; do
	row=$((row + 1))
	st=$(csv_field "$csv" $row status)
	mm=$(csv_field "$csv" $row memcheck_mismatches)
	ag=$(csv_field "$csv" $row dst_agent_ok)
	check "methods: $m completed ($st), destination answers, 0 lost pages ($mm)" \
		[ "$(csv_field "$csv" $row method)" = "$m" ] && [ "$st" = completed ] &&
		[ "$ag" = 1 ] && [ "$mm" = 0 ]
done
check "methods: CPU cost measured for both QEMUs" \
	[ -n "$(csv_field "$csv" 1 src_cpu)" ] && [ -n "$(csv_field "$csv" 1 dst_cpu)" ]
check "methods: balloon inflated before migrating and counted it as preparation" \
	jq_ok "$json" '.migrations[4].counters.balloon.outcome == "reached" and .migrations[4].prep_time_ms > 0'
check "methods: balloon left the destination deflated" \
	jq_ok "$json" '.migrations[4].counters.balloon.deflate_ms > 0 and (.migrations[4].counters.balloon.outcome | test("deflate") | not)'
check "methods: fpr waited for reporting to settle" \
	jq_ok "$json" '.migrations[3].prep_time_ms >= 2500 and .migrations[3].counters.reporting.rss_after_kb > 0'
check "methods: end-to-end time is preparation plus total time" \
	jq_ok "$json" '[.migrations[] | select(.end_to_end_ms != null) | .end_to_end_ms == .prep_time_ms + .total_time_ms] | all'
check "methods: nothing left behind" nothing_left
