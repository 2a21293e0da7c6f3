#!/bin/bash
# The long fuzzing run (make fuzz-long): writes results/fuzz/<date>/.
#  1. generic-fuzz (libFuzzer, build/qemu-fuzz) on the device for
#     FUZZ_LONG_SECONDS (default 3600): generic/summary.txt has execs,
#     cov/ft, corpus size, artifacts and any sanitizer report;
#  2. fpb_fuzz.py against build/qemu-asan (ASan/UBSan; build/qemu if that is
#     not built) for FUZZ_LONG_PY_SECONDS (default 1800), seed FUZZ_SEED
#     (default: the date), reports of that QEMU in fpb_fuzz/san.<pid>.
# The seed (one for both) is in summary.txt; a run repeats with it.
# GENERIC_CORPUS=DIR starts generic-fuzz from an earlier corpus (copied);
# FUZZ_TIMEOUT_MS (e.g. 300) gives fpb_fuzz.py a short device timeout.
set -u -o pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${FUZZ_OUT:-$TOP/results/fuzz/$STAMP}
SECS=${FUZZ_LONG_SECONDS:-3600}
PYSECS=${FUZZ_LONG_PY_SECONDS:-1800}
SEED=${FUZZ_SEED:-$(date +%Y%m%d)}
mkdir -p "$OUT/generic/corpus" "$OUT/fpb_fuzz"
if [ -n "${GENERIC_CORPUS:-}" ]; then
	cp -n "$GENERIC_CORPUS"/* "$OUT/generic/corpus/" 2>/dev/null || true
fi
status=0

echo "== generic-fuzz, $SECS s, seed $SEED -> $OUT/generic"
"$TOP/scripts/fuzz-generic.sh" "$SECS" "$OUT/generic" "$SEED" | tee "$OUT/generic/verdict.txt" || status=1

QEMU=$TOP/build/qemu-asan/qemu-system-x86_64
[ -x "$QEMU" ] || QEMU=$TOP/build/qemu/qemu-system-x86_64
echo "== fpb_fuzz.py, $PYSECS s, seed $SEED, $QEMU -> $OUT/fpb_fuzz"
ASAN_OPTIONS="log_path=$OUT/fpb_fuzz/san:halt_on_error=1:detect_leaks=1" \
UBSAN_OPTIONS="log_path=$OUT/fpb_fuzz/san:print_stacktrace=1:halt_on_error=0" \
QEMU=$QEMU FUZZ_SEED=$SEED FUZZ_SECONDS=$PYSECS FUZZ_TMP=$OUT/fpb_fuzz/tmp \
	python3 "$TOP/impl/qemu/tests/fpb_fuzz.py" >"$OUT/fpb_fuzz/out.log" 2>&1 || status=1
grep -E '^(PASS|FAIL|SKIP)|^  |passed' "$OUT/fpb_fuzz/out.log" | tee "$OUT/fpb_fuzz/verdict.txt"

{
	echo "fuzz-long $STAMP, seed $SEED"
	echo "series: $(git -C "$TOP" log -1 --format='%h %s' -- impl/qemu/series 'impl/qemu/*.patch' | cut -c1-80)"
	echo
	echo "== generic-fuzz ($SECS s)"
	cat "$OUT/generic/summary.txt"
	echo
	echo "== fpb_fuzz.py ($PYSECS s, $QEMU)"
	cat "$OUT/fpb_fuzz/verdict.txt"
	echo "sanitizer logs: $(ls "$OUT/fpb_fuzz" | grep -c '^san\.') file(s)"
	echo
	echo "verdict: $([ $status -eq 0 ] && echo 'no crash, hang or sanitizer report' || echo 'FAILURES, see above')"
} >"$OUT/summary.txt"
echo "summary: $OUT/summary.txt"
exit $status
