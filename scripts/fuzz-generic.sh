#!/bin/bash
# QEMU's libFuzzer generic-fuzz target on the free page bitmap device:
# build/qemu-fuzz/qemu-fuzz-x86_64 (make qemu-fuzz: clang-14, ASan, UBSan)
# on a q35 machine with virtio-balloon-pci,free-page-bitmap=on, fuzzing the
# virtio memory regions (MMIO and PIO) and DMA.  It never starts a
# migration, so it covers negotiation, queue set-up and buffers rejected
# without an open request; impl/qemu/tests/fpb_fuzz.py covers the rest.
#
#   scripts/fuzz-generic.sh SECONDS OUTDIR [SEED]
#
# Writes OUTDIR/corpus/, OUTDIR/artifacts/ (crash-*, timeout-*, leak-*,
# oom-*, which fail the run, and slow-unit-*, which is only listed; each
# one reproduces with `qemu-fuzz-x86_64 --fuzz-target=generic-fuzz FILE`
# and the same environment), OUTDIR/fuzz.log (libFuzzer's output) and
# OUTDIR/summary.txt (inputs, versions, execs, coverage, corpus, findings).
# Prints PASS/FAIL lines and "N passed, N failed"; exit status 1 on failure.
# The corpus directory is kept and reused when OUTDIR is reused.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${QEMU_FUZZ_BIN:-$TOP/build/qemu-fuzz/qemu-fuzz-x86_64}
[ $# -ge 2 ] || { echo "usage: fuzz-generic.sh SECONDS OUTDIR [SEED]" >&2; exit 2; }
SECS=$1 OUT=$2 SEED=${3:-1}
if [ ! -x "$BIN" ]; then
	echo "SKIP: generic-fuzz: $BIN is not built (make qemu-fuzz)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"
OUT=$(cd "$OUT" && pwd)

# The device as the series' tests use it; -L for the firmware q35 loads.
# One line: the fuzzer splits it with wordexp(), which refuses a newline
# (and QEMU then starts with no arguments at all).
export QEMU_FUZZ_ARGS="-machine q35 -nodefaults -L /usr/share/seabios -L /usr/share/qemu -device virtio-balloon-pci,id=balloon0,free-page-bitmap=on,free-page-bitmap-timeout=1000"
export QEMU_FUZZ_OBJECTS="virtio*"
# Sanitizer reports end the run; libFuzzer saves the input as crash-*.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

start=$(date +%s)
corpus_before=$(ls "$OUT/corpus" | wc -l)
"$BIN" --fuzz-target=generic-fuzz -seed="$SEED" -max_total_time="$SECS" -print_final_stats=1 \
	-artifact_prefix="$OUT/artifacts/" "$OUT/corpus" >"$OUT/fuzz.log" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))

last=$(grep -E '^#[0-9]+' "$OUT/fuzz.log" | tail -n1)
field() { echo "$last" | grep -oE "$1: [0-9]+" | head -n1 | awk '{print $2}'; }
stat() { sed -n "s/^stat::$1:[[:space:]]*//p" "$OUT/fuzz.log" | tail -n1; }
execs=$(stat number_of_executed_units)
[ -n "$execs" ] || execs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
cov=$(field cov) ft=$(field ft)
corpus=$(ls "$OUT/corpus" | wc -l)
corpus_kb=$(du -sk "$OUT/corpus" | cut -f1)
regions=$(sed -n 's/^  \* //p' "$OUT/fuzz.log" | sort -u | paste -sd, -)
artifacts=$(ls "$OUT/artifacts" 2>/dev/null | tr '\n' ' ')
reports=$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$OUT/fuzz.log" | sort -u | head -n 10)

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "binary: $BIN"
	echo "qemu: $(cat "$TOP/build/qemu-fuzz/source-version" 2>/dev/null), build stamp $(cat "$TOP/build/qemu-fuzz/.series-stamp" 2>/dev/null)"
	echo "series: $(git -C "$TOP" log -1 --format='%h %s' -- impl/qemu/series 'impl/qemu/*.patch' | cut -c1-80)"
	echo "QEMU_FUZZ_ARGS: $QEMU_FUZZ_ARGS"
	echo "QEMU_FUZZ_OBJECTS: $QEMU_FUZZ_OBJECTS"
	echo "fuzzed regions: ${regions:-none}"
	echo "seed: $SEED"
	echo "max_total_time_s: $SECS"
	echo "elapsed_s: $elapsed"
	echo "exit_status: $rc"
	echo "execs: ${execs:-unknown}"
	echo "execs_per_s: $(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$OUT/fuzz.log" | tail -n1)"
	echo "cov: ${cov:-unknown}"
	echo "ft: ${ft:-unknown}"
	echo "corpus_files: $corpus (was $corpus_before)"
	echo "corpus_kb: $corpus_kb"
	echo "peak_rss_mb: $(stat peak_rss_mb)"
	echo "artifacts: ${artifacts:-none}"
	echo "balloon functions first reached in this run (NEW_FUNC): $(grep -oE 'NEW_FUNC.* in virtio_balloon[a-z_0-9]*' "$OUT/fuzz.log" | sed 's/.* in //' | sort -u | paste -sd' ' - )"
	echo "reports:"
	if [ -n "$reports" ]; then echo "$reports" | sed 's/^/  /'; else echo "  none"; fi
	echo "last status line: $last"
} >"$OUT/summary.txt"

npass=0 nfail=0
ok() { npass=$((npass + 1)); echo "PASS: generic-fuzz: $*"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: generic-fuzz: $*"; }
if ! echo "$regions" | grep -q balloon; then
	bad "no virtio-balloon memory region matched QEMU_FUZZ_OBJECTS (exit $rc): $(grep -vE '^(INFO|#)' "$OUT/fuzz.log" | tail -n 3 | tr '\n' ' ')"
elif [ -z "$last" ] || [ "${execs:-0}" -eq 0 ]; then
	bad "no input ran (exit $rc): $(grep -vE '^(INFO|#)' "$OUT/fuzz.log" | tail -n 3 | tr '\n' ' ')"
else
	echo "  generic-fuzz: seed $SEED, ${elapsed} s, ${execs} execs, cov ${cov}, ft ${ft}, corpus ${corpus} files (${corpus_kb} KiB)"
	# slow-unit-*: an input that took longer than libFuzzer's report
	# threshold (10 s) and still finished; a hang is a timeout-* artifact.
	findings=$(ls "$OUT/artifacts" 2>/dev/null | grep -v '^slow-unit-' | tr '\n' ' ')
	slow=$(ls "$OUT/artifacts" 2>/dev/null | grep -c '^slow-unit-')
	if [ "$rc" -eq 0 ] && [ -z "$findings" ] && [ -z "$reports" ]; then
		ok "virtio-balloon-pci,free-page-bitmap=on on q35: no crash, hang or sanitizer report in $execs inputs"
	else
		bad "exit $rc, artifacts: ${findings:-none}; $(echo "$reports" | head -n 2 | tr '\n' ' ') (see $OUT)"
	fi
	if [ "$slow" -gt 0 ]; then
		echo "  generic-fuzz: $slow slow unit(s) (finished, over libFuzzer's 10 s report threshold): reproduce each with the binary and QEMU_FUZZ_ARGS above and see where it spends its time"
	fi
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
