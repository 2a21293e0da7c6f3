#!/bin/bash
# Integration tests of the harness: bad input, one real baseline migration
# of a small guest across the namespace link, and an interrupted run.
# Needs root (namespaces); prints PASS/FAIL/SKIP lines.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
vm_test_begin integration it

# --- bad input: one line on stderr, exit 2, earlier results untouched ---
mkdir -p "$TMP/results/case1/earlier" "$TMP/cases"
echo "sentinel" > "$TMP/results/case1/earlier/runs.csv"
before=$(cd "$TMP/results" && find . -type f | sort | xargs sha256sum)
printf 'mem = 8G\nbogus line\n' > "$TMP/cases/broken.case"

bad_input() { # DESCRIPTION EXPECTED-TEXT ARGS...
	desc=$1 want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	lines=$(wc -l < "$TMP/err")
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "$want" "$TMP/err"; then
		pass "bad input: $desc (exit 2: $(cat "$TMP/err"))"
	else
		fail "bad input: $desc (exit $rc, $lines lines: $(head -c 200 "$TMP/err"))"
	fi
}
bad_input "unknown case" "unknown case" "$PVMIG" run nosuchcase --results "$TMP/results"
bad_input "unknown method" "unknown method" "$PVMIG" run case1 --methods warp --results "$TMP/results"
bad_input "malformed case file" "expected key = value" "$PVMIG" run broken --cases "$TMP/cases" --results "$TMP/results"
bad_input "impossible size" "impossible guest size" "$PVMIG" run case1 --mem 64G --results "$TMP/results"
bad_input "garbage size" "impossible guest size" "$PVMIG" run case1 --mem lots --results "$TMP/results"
bad_input "unknown option" "unknown option" "$PVMIG" run case1 --frobnicate --results "$TMP/results"
bad_input "unknown case key" "unknown key 'frob'" "$PVMIG" run case1 --set frob=1 --results "$TMP/results"
bad_input "bad case value" "bad value 'lots' for 'warmup_s'" "$PVMIG" run case3 --set warmup_s=lots --results "$TMP/results"
bad_input "churn without the service" "churn_mem_pct needs workload = service" "$PVMIG" run case1 --set churn_mem_pct=50 --results "$TMP/results"
bad_input "missing privilege" "must run as root" setpriv --reuid=65534 --regid=65534 --clear-groups "$PVMIG" run case1 --mem 1G --results "$TMP/results"
after=$(cd "$TMP/results" && find . -type f | sort | xargs sha256sum)
check "bad input: earlier results untouched" [ "$before" = "$after" ]

# --- one baseline migration of a small guest ---
"$PVMIG" run case1 --mem "$MEM" --repeat 1 --methods baseline --iperf-s 2 \
	--results "$TMP/results" >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
check "baseline: harness exits 0 (got $rc)" [ $rc -eq 0 ]
run=$(ls -d "$TMP"/results/case1/*_mem* 2>/dev/null | head -n1)
csv=$run/runs.csv
if [ -f "$csv" ]; then
	status=$(csv_field "$csv" 1 status)
	agent=$(csv_field "$csv" 1 dst_agent_ok)
	kb=$(csv_field "$csv" 1 transferred_kb)
	used=$(csv_field "$csv" 1 guest_used_kb)
	mem_mib=$(csv_field "$csv" 1 mem_mib)
	check "baseline: migration completed ($status)" [ "$status" = completed ]
	check "baseline: destination guest answers the agent" [ "$agent" = 1 ]
	# Every used page is sent once at least; zero pages cost a header
	# each; a few re-sent dirty pages are allowed on top.
	lo=$((used / 2))
	hi=$((used * 2 + mem_mib * 1024 / 4096 * 16 / 1024 + 65536))
	ok=false
	[ -n "$kb" ] && [ "$kb" -ge "$lo" ] && [ "$kb" -le "$hi" ] && ok=true
	check "baseline: transferred ${kb} KB is plausible for ${used} KB used (${lo}..${hi})" $ok
	check "baseline: run.json is valid and has a progress history" \
		jq_ok "$run/run.json" '.migrations[0].progress | length >= 2'
	check "baseline: run.json names accel, link and versions" \
		jq_ok "$run/run.json" '.accel.name and .link.measured_gbit > 0 and .versions.qemu_source and .versions.guest_kernel'
	check "baseline: the link figure is the median of three iperf3 samples" \
		jq_ok "$run/run.json" '.link | (.samples_gbit | length == 3 and all(. > 0)) and .measured_gbit == (.samples_gbit | sort | .[1])'
	check "baseline: progress is sampled at 20 Hz or more" \
		jq_ok "$run/run.json" '.migrations[0] | (.progress | length) >= (.total_time_ms / 50) - 2' 
	check "baseline: the table was printed" grep -q 'transferred ram(KB)' "$TMP/run.out"
else
	fail "baseline: no runs.csv written ($(tail -n 3 "$TMP/run.err" | tr '\n' ' '))"
fi
check "baseline: nothing left behind after a normal run" nothing_left

# --- SIGINT in mid-migration: a slow migration, interrupted ---
"$PVMIG" run case1 --mem "$MEM" --repeat 1 --methods baseline --iperf-s 0 \
	--max-bandwidth-gbit 0.05 --results "$TMP/results-int" >"$TMP/int.out" 2>"$TMP/int.err" &
hpid=$!
for _ in $(seq 1 600); do
	grep -q 'migrating:' "$TMP/int.err" 2>/dev/null && break
	kill -0 $hpid 2>/dev/null || break
	sleep 0.2
done
sleep 1
kill -INT $hpid 2>/dev/null
for _ in $(seq 1 150); do kill -0 $hpid 2>/dev/null || break; sleep 0.2; done
if kill -0 $hpid 2>/dev/null; then
	fail "sigint: harness still running 30 s after SIGINT"
	kill -KILL $hpid
fi
wait $hpid
rc=$?
check "sigint: harness exits 130 (got $rc)" [ $rc -eq 130 ]
check "sigint: it was interrupted mid-migration" grep -q 'migrating:' "$TMP/int.err"
irun=$(ls -d "$TMP"/results-int/case1/*_mem* 2>/dev/null | head -n1)
check "sigint: run.json is well-formed and says interrupted" \
	jq_ok "$irun/run.json" '.error == "interrupted"' 
check "sigint: nothing left behind" nothing_left
