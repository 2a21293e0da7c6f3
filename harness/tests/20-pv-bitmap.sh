#!/bin/bash
# The seed's system end to end: pv-bitmap migrations of small guests under
# the memory checker (soak), the checker catching a deliberately unsafe
# QEMU, and the fault cases. Needs root; prints PASS/FAIL/SKIP lines.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
vm_test_begin pv-bitmap pv
CHECK_MIB=${PVMIG_TEST_MEMCHECK_MIB:-256}
SOAK=${PVMIG_TEST_SOAK:-20}

if ! "$TOP/build/qemu/qemu-system-x86_64" -device virtio-balloon-pci,help 2>/dev/null |
	grep -q free-page-bitmap; then
	fail "pv-bitmap: QEMU lacks free-page-bitmap (impl/qemu series not applied)"
	exit 0
fi

# run NAME ARGS...: one harness invocation into its own results root.
run() {
	name=$1; shift
	"$PVMIG" run case1 --mem "$MEM" --iperf-s 0 --memcheck-mib "$CHECK_MIB" \
		--results "$TMP/$name" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $?
}
csv_of() { ls "$TMP/$1"/case1/*/runs.csv 2>/dev/null | head -n1; }
json_of() { ls "$TMP/$1"/case1/*/run.json 2>/dev/null | head -n1; }
# col NAME ROW COLUMN
col() { csv_field "$(csv_of "$1")" "$2" "$3"; }
# counter NAME ROW KEY: free-page-bitmap-stats value of migration ROW
counter() { jq -r ".migrations[$(($2 - 1))].counters.free_page_bitmap.$3 // empty" "$(json_of "$1")"; }

# --- soak: many pv-bitmap migrations under load, not one byte lost ---
run soak --repeat "$SOAK" --methods pv-bitmap >/dev/null
csv=$(csv_of soak)
if [ -z "$csv" ]; then
	fail "soak: no results ($(tail -n 2 "$TMP/soak.err" | tr '\n' ' '))"
else
	done_n=$(awk -F, 'NR > 1 && $5 == "completed"' "$csv" | wc -l)
	check "soak: $done_n of $SOAK pv-bitmap migrations completed" [ "$done_n" -eq "$SOAK" ]
	bad=$(awk -F, -v c="$(head -1 "$csv" | tr ',' '\n' | grep -nx memcheck_mismatches | cut -d: -f1)" \
		'NR > 1 && $c != "0"' "$csv" | wc -l)
	check "soak: the memory checker verified every migration with 0 mismatches ($bad bad)" [ "$bad" -eq 0 ]
	skipped=$(awk -F, -v c="$(head -1 "$csv" | tr ',' '\n' | grep -nx skipped_pages | cut -d: -f1)" \
		'NR > 1 && $c > 0' "$csv" | wc -l)
	check "soak: free pages were skipped in every migration ($skipped of $SOAK)" [ "$skipped" -eq "$SOAK" ]
fi
check "soak: nothing left behind" nothing_left

# --- a preallocated source (--src-prealloc on): the scenario the report's
# "Source regimes" reads.  Both methods complete with nothing lost, the
# source QEMU really preallocated, and the run id and run.json say so. ---
run srcpre --repeat 1 --methods baseline,pv-bitmap --src-prealloc on >/dev/null
spjson=$(json_of srcpre)
check "src-prealloc: the run id names the scenario ($(basename "$(dirname "$spjson")"))" \
	bash -c "case '$(basename "$(dirname "$spjson")")' in *_srcprealloc) true ;; *) false ;; esac"
check "src-prealloc: run.json records it, and the source QEMU got -mem-prealloc (the destination has it by default)" \
	jq_ok "$spjson" '.params.src_prealloc == true and
		([.migrations[].qemu_cmdline.src | test(" -mem-prealloc( |$)")] | all) and
		([.migrations[].qemu_cmdline.dst | test(" -mem-prealloc( |$)")] | all)'
check "src-prealloc: a source as booted is not preallocated" \
	jq_ok "$(json_of soak)" '.params.src_prealloc == false and
		([.migrations[].qemu_cmdline.src | test(" -mem-prealloc( |$)")] | any | not)'
for row in 1 2; do
	check "src-prealloc $(col srcpre $row method): completed with 0 mismatches ($(col srcpre $row status))" \
		[ "$(col srcpre $row status)" = completed -a "$(col srcpre $row memcheck_mismatches)" = 0 ]
done
check "src-prealloc: nothing left behind" nothing_left

# --- the checker must be able to fail: QEMU's deliberately unsafe mode ---
run unsafe --repeat 2 --methods pv-bitmap --x-device-props x-free-page-bitmap-unsafe=on >/dev/null
lost=0
for row in 1 2; do
	m=$(col unsafe $row memcheck_mismatches)
	[ -n "$m" ] && [ "$m" -gt 0 ] && lost=$((lost + m))
done
check "must-fail: the checker reports lost pages under x-free-page-bitmap-unsafe ($lost pages)" [ "$lost" -gt 0 ]

# --- faults: migration goes on (or fails cleanly), the source guest stays correct ---
run nodriver --repeat 1 --methods pv-bitmap --x-driver none >/dev/null
check "fault: driver absent: migration completed" [ "$(col nodriver 1 status)" = completed ]
check "fault: driver absent: counted as no_driver ($(counter nodriver 1 no_driver))" \
	[ "$(counter nodriver 1 no_driver)" -ge 1 ]
ok=false
[ "$(col nodriver 1 skipped_pages)" = 0 ] && [ "$(col nodriver 1 memcheck_mismatches)" = 0 ] && ok=true
check "fault: driver absent: no pages skipped, 0 mismatches $(col nodriver 1 error)" $ok

run silent --repeat 1 --methods pv-bitmap --x-driver-args fpb_silent=1 >/dev/null
check "fault: driver silent: migration completed" [ "$(col silent 1 status)" = completed ]
ok=false
[ "$(counter silent 1 timeouts)" -ge 1 ] 2>/dev/null && [ "$(col silent 1 setup_time_ms)" -lt 5000 ] 2>/dev/null && ok=true
check "fault: driver silent: the wait timed out ($(counter silent 1 timeouts)) and was bounded (setup $(col silent 1 setup_time_ms) ms)" $ok
check "fault: driver silent: 0 mismatches $(col silent 1 error)" [ "$(col silent 1 memcheck_mismatches)" = 0 ]

for mode in 1 2 3 4; do
	run bogus$mode --repeat 1 --methods pv-bitmap --x-driver-args fpb_bogus=$mode >/dev/null
	# counter prints nothing when run.json or the key is missing, and an
	# empty operand made the sum a bash syntax error that abandoned this
	# loop and all its checks without a FAIL.  A missing counter adds 0
	# and fails the check.  The verdict is one command: check's arguments
	# end at the first &&, which would leave the rest unchecked.
	rej=0 missing=
	for key in rejected rejected_ranges late; do
		v=$(counter bogus$mode 1 $key)
		case $v in
		'' | *[!0-9]*) missing="$missing $key" ;;
		*) rej=$((rej + v)) ;;
		esac
	done
	st=$(col bogus$mode 1 status) mm=$(col bogus$mode 1 memcheck_mismatches)
	ok=false
	[ -z "$missing" ] && [ "$st" = completed ] && [ "$rej" -gt 0 ] && [ "$mm" = 0 ] && ok=true
	check "fault: bogus answers (fpb_bogus=$mode): completed ($st), $rej rejected, 0 mismatches ($mm)${missing:+, no counter:$missing} $(col bogus$mode 1 error)" \
		$ok
done
check "fault: bogus PFNs are never skipped" [ "$(col bogus1 1 skipped_pages)" = 0 ]

# Cancel while the guest's answer is in flight (the driver holds it 3 s).
run cancel --repeat 1 --methods pv-bitmap --x-driver-args fpb_delay_ms=3000 --x-cancel-at-ms 300 >/dev/null
check "fault: migrate_cancel in flight: migration cancelled ($(col cancel 1 status))" \
	[ "$(col cancel 1 status)" = cancelled ]
check "fault: migrate_cancel in flight: source still runs and answers" \
	grep -q 'source running, agent answers' "$(csv_of cancel)"
check "fault: migrate_cancel in flight: source guest verified, 0 mismatches" \
	[ "$(col cancel 1 memcheck_mismatches)" = 0 ]

# Destination killed while the bulk stage runs (a slowed link keeps it going).
run killdst --repeat 1 --methods pv-bitmap --max-bandwidth-gbit 0.5 --x-kill-dst-at-ms 400 >/dev/null
check "fault: destination killed: migration failed ($(col killdst 1 status))" \
	[ "$(col killdst 1 status)" = failed ]
check "fault: destination killed: source still runs and answers" \
	grep -q 'source running, agent answers' "$(csv_of killdst)"
check "fault: destination killed: source guest verified, 0 mismatches" \
	[ "$(col killdst 1 memcheck_mismatches)" = 0 ]

# The guest's preparation fails once (injected after its workload): the
# migration runs on fresh guests and the record keeps the first error.
run prepretry --repeat 1 --methods pv-bitmap --x-fail-prep-once >/dev/null
check "fault: preparation failed once: the migration ran again on fresh guests ($(col prepretry 1 status))" \
	[ "$(col prepretry 1 status)" = completed ]
check "fault: preparation failed once: run.json keeps the first attempt's error" \
	[ "$(jq -r '.migrations[0].prep_retry_error // empty' "$(json_of prepretry)")" = \
	  "injected preparation failure (--x-fail-prep-once)" ]
check "fault: preparation failed once: guest verified, 0 mismatches" \
	[ "$(col prepretry 1 memcheck_mismatches)" = 0 ]
check "fault: a migration without a retry records none" \
	[ "$(jq '.migrations[0] | has("prep_retry_error") and .prep_retry_error == null' \
	     "$(json_of killdst)")" = true ]
check "faults: nothing left behind" nothing_left
