#!/bin/bash
# The series under AddressSanitizer and UndefinedBehaviorSanitizer:
# build/qemu-asan (make qemu-asan) runs the component tests and one
# migration of every harness method; every QEMU writes its sanitizer
# reports to a file of its own (log_path=.../san.<pid>), which are scanned
# afterwards.  Prints PASS/FAIL per component and method and a summary line,
# and writes results/sanitizers/<date>/summary.md (what ran, versions, every
# report verbatim or "none") with the logs beside it.
#
#   scripts/sanitizer-run.sh [PART...]    PART: fpb_tests fpb_hostile fpb_eject
#                                         fpb_layout tcg_dirty test_fpb fpb_fuzz
#                                         harness (default: all)
# Environment:
#   SANITIZER_OUT      output directory (default results/sanitizers/<date>)
#   SANITIZER_METHODS  harness methods, comma-separated (default: every
#                      method of harness/src/methods/methods.c)
#   SANITIZER_MEM      guest size for the harness and test_fpb (default 1G)
#   FUZZ_SECONDS       length of the fpb_fuzz part (default 60)
# Needs root for the harness part (network namespaces), like make test.
# The stock method runs build/qemu-stock, which has no sanitizers: it is
# listed, but nothing of the series runs in it.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
BIN=$TOP/build/qemu-asan/qemu-system-x86_64
OUT=${SANITIZER_OUT:-$TOP/results/sanitizers/$(date +%Y%m%d-%H%M%S)}
MEM=${SANITIZER_MEM:-1G}
PARTS=${*:-fpb_tests fpb_hostile fpb_eject fpb_layout tcg_dirty test_fpb fpb_fuzz harness}
INITRD=$TOP/build/guest/initramfs.cpio

if [ ! -x "$BIN" ]; then
	echo "SKIP: sanitizers: $BIN is not built (make qemu-asan)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
# ASan honours log_path; GCC's UBSan runtime, loaded beside ASan's, does
# not, and writes to the process's stderr, which the tests and the harness
# keep in scratch files or drop.  So every part runs QEMU through this
# wrapper: it is the same process (exec), whose stderr also goes to
# $SAN_DIR/stderr.<pid>.
WRAP=$OUT/qemu-asan
cat >"$WRAP" <<EOF
#!/bin/bash
exec "$BIN" "\$@" 2> >(tee -a "\${SAN_DIR:-$OUT/logs}/stderr.\$\$" >&2)
EOF
chmod +x "$WRAP"
SUMMARY=$OUT/summary.md
npass=0 nfail=0 nskip=0
# What counts as a report in a san.<pid> file.
SAN_RE='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:|LeakSanitizer has encountered a fatal error'
# Reports that cannot be read from one line: each part's files, in full.
san_env() {	# DIR: the sanitizer options for processes of one part
	mkdir -p "$1"
	export SAN_DIR=$1
	# ASan: stop at the first error (what follows is unreliable); leaks are
	# checked at exit.  UBSan: log and go on, so one report does not hide
	# the rest of the run.  Both into DIR/san.<pid>.
	export ASAN_OPTIONS="log_path=$1/san:halt_on_error=1:abort_on_error=0:detect_leaks=1:print_summary=1:symbolize=1:allocator_may_return_null=0"
	export UBSAN_OPTIONS="log_path=$1/san:print_stacktrace=1:halt_on_error=0:print_summary=1"
	export LSAN_OPTIONS="log_path=$1/san"
}

# verdict NAME DIR RC INFO: PASS when the part exited 0 and its processes
# wrote no sanitizer report; every report goes verbatim into summary.md.
verdict() {
	local name=$1 dir=$2 rc=$3 info=$4 files n
	files=$(grep -lE "$SAN_RE" "$dir"/san.* "$dir"/stderr.* 2>/dev/null)
	n=$(echo "$files" | grep -c . )
	{
		echo "## $name"
		echo
		echo "- exit status: $rc; $info"
		echo "- QEMU processes: $(ls "$dir" | grep -c '^stderr\.') (stderr.<pid>: UBSan, and QEMU's own messages); ASan log files: $(ls "$dir" | grep -c '^san\.') (san.<pid>: each has ASan's start-up warning about swapcontext); files with a report: $n"
		echo
		if [ "$n" -eq 0 ]; then
			echo "Reports: none"
		else
			for f in $files; do
				echo "Report ${f#"$OUT/"}:"
				echo
				echo '```'
				cat "$f"
				echo '```'
				echo
			done
		fi
		echo
	} >>"$SUMMARY"
	if [ "$n" -gt 0 ]; then
		nfail=$((nfail + 1))
		echo "FAIL: sanitizers: $name: $n report(s): $(grep -hE "$SAN_RE" $files | head -n 2 | tr '\n' ' ')"
	elif [ "$rc" -ne 0 ]; then
		nfail=$((nfail + 1))
		echo "FAIL: sanitizers: $name: exited $rc ($info)"
	else
		npass=$((npass + 1))
		echo "PASS: sanitizers: $name: no report ($info)"
	fi
}

series_sha=$(cd "$TOP/impl/qemu" && { cat series; for p in $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' series); do cat "$p"; done; } | sha256sum | cut -d' ' -f1)
{
	echo "# Sanitizer run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo "- QEMU: $BIN: $("$BIN" --version | head -n1)"
	echo "- Debian source: $(cat "$TOP/build/qemu-asan/source-version" 2>/dev/null)"
	echo "- series sha256 (impl/qemu/series and its patches): $series_sha; last series commit $(git -C "$TOP" log -1 --format='%h %s' -- impl/qemu/series 'impl/qemu/*.patch' | cut -c1-80)"
	echo "- build: --enable-asan --enable-ubsan with build-qemu.sh's other configure flags; stamp $(cat "$TOP/build/qemu-asan/.series-stamp" 2>/dev/null)"
	echo "- harness: $(git -C "$TOP" rev-parse --short HEAD)$(git -C "$TOP" diff --quiet HEAD -- harness/src impl scripts || echo +local)"
	echo "- parts: $PARTS"
	echo "- ASAN_OPTIONS: halt_on_error=1 detect_leaks=1; UBSAN_OPTIONS: halt_on_error=0 print_stacktrace=1; log_path=<part>/san (file san.<pid> per process)"
	echo
} >"$SUMMARY"

for part in $PARTS; do
	dir=$OUT/logs/$part
	case $part in
	fpb_tests)
		san_env "$dir"
		QEMU=$WRAP FPB_TMP=$dir/tmp python3 "$TOP/impl/qemu/tests/fpb_tests.py" >"$dir/out.log" 2>&1
		rc=$?
		verdict "qemu device tests (fpb_tests.py)" "$dir" $rc "$(tail -n1 "$dir/out.log")"
		;;
	fpb_hostile)
		# The hostile guest's huge, flooding and over-the-limit answers;
		# its latency checks are for the plain build (TIMING=0 here).
		san_env "$dir"
		QEMU=$WRAP FPB_TMP=$dir/tmp TIMING=0 python3 "$TOP/impl/qemu/tests/fpb_hostile.py" \
			>"$dir/out.log" 2>&1
		rc=$?
		verdict "hostile guest (fpb_hostile.py)" "$dir" $rc "$(tail -n1 "$dir/out.log")"
		;;
	fpb_eject)
		# The guest ejects its balloon at each point of a request: a use
		# of the freed device is an ASan report here.
		san_env "$dir"
		QEMU=$WRAP FPB_TMP=$dir/tmp python3 "$TOP/impl/qemu/tests/fpb_eject.py" >"$dir/out.log" 2>&1
		rc=$?
		verdict "guest ejects the balloon mid-request (fpb_eject.py)" "$dir" $rc "$(tail -n1 "$dir/out.log")"
		;;
	fpb_layout)
		san_env "$dir"
		QEMU=$WRAP FPB_TMP=$dir/tmp python3 "$TOP/impl/qemu/tests/fpb_layout.py" >"$dir/out.log" 2>&1
		rc=$?
		verdict "queue layout on both ends (fpb_layout.py)" "$dir" $rc "$(tail -n1 "$dir/out.log")"
		;;
	tcg_dirty)
		san_env "$dir"
		rc=0
		for layout in one two; do
			QEMU=$WRAP FPB_TMP=$dir/tmp LAYOUT=$layout SYNCS=4 WAIT=120 \
				python3 "$TOP/impl/qemu/tests/tcg_dirty.py" 1 >>"$dir/out.log" 2>&1 || rc=$?
		done
		verdict "TCG dirty tracking (tcg_dirty.py, layouts one and two)" "$dir" $rc \
			"$(grep -cE ' OK$' "$dir/out.log") migrations OK"
		;;
	test_fpb)
		if [ ! -f "$INITRD" ]; then
			nskip=$((nskip + 1)); echo "SKIP: sanitizers: guest driver test: the guest is not built (make guest)"
			continue
		fi
		san_env "$dir"
		QEMU=$WRAP INITRD=$INITRD MEM=$MEM python3 "$TOP/impl/guest/tests/test_fpb.py" >"$dir/out.log" 2>&1
		rc=$?
		verdict "guest driver (test_fpb.py, $MEM)" "$dir" $rc \
			"$(grep -c '^PASS' "$dir/out.log") PASS, $(grep -c '^FAIL' "$dir/out.log") FAIL"
		;;
	fpb_fuzz)
		san_env "$dir"
		QEMU=$WRAP FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_SECONDS=${FUZZ_SECONDS:-60} FUZZ_TMP=$dir/tmp \
			python3 "$TOP/impl/qemu/tests/fpb_fuzz.py" >"$dir/out.log" 2>&1
		rc=$?
		verdict "device fuzzer (fpb_fuzz.py, seed ${FUZZ_SEED:-1}, ${FUZZ_SECONDS:-60} s)" "$dir" $rc \
			"$(tail -n1 "$dir/out.log")"
		;;
	harness)
		if [ "$(id -u)" -ne 0 ]; then
			nskip=$((nskip + 1)); echo "SKIP: sanitizers: harness methods: needs root for network namespaces"
			continue
		fi
		methods=${SANITIZER_METHODS:-$(sed -n 's/^[[:space:]]*\.name = "\([^"]*\)".*/\1/p' "$TOP/harness/src/methods/methods.c" | paste -sd, -)}
		san_env "$dir"
		PVMIG_QEMU_BIN=$WRAP "$TOP/build/pvmig" run case1 --mem "$MEM" --repeat 1 --iperf-s 0 \
			--memcheck-mib 128 --methods "$methods" --results "$dir/results" >"$dir/out.log" 2>&1
		rc=$?
		csv=$(ls "$dir"/results/case1/*/runs.csv 2>/dev/null | head -n1)
		# One line per method: its migration's status; the reports of
		# all QEMUs of the run are scanned together below, and each
		# report names its QEMU's pid, which run.json's logs tie to a method.
		for m in $(echo "$methods" | tr , ' '); do
			st=$([ -n "$csv" ] && awk -F, -v m="$m" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
				$h["method"] == m { print $h["status"] "/" $h["memcheck_mismatches"]; exit }' "$csv")
			if [ "$st" = completed/0 ]; then
				npass=$((npass + 1)); echo "PASS: sanitizers: method $m migrated (completed, 0 lost pages)"
			elif [ "${st%%/*}" = refused ]; then
				# A pair QEMU refuses (postcopy+multifd on 10.0): its row
				# is the refusal; its QEMUs' logs are scanned all the same.
				npass=$((npass + 1)); echo "PASS: sanitizers: method $m: QEMU refused its settings, the row the method records"
			else
				nfail=$((nfail + 1)); echo "FAIL: sanitizers: method $m: ${st:-no result} (see $dir/out.log)"
			fi
		done
		verdict "harness, case1, one migration of each of $methods ($MEM, build/qemu-stock for stock)" \
			"$dir" $rc "pvmig exit $rc"
		;;
	*) echo "sanitizer-run.sh: unknown part $part" >&2; exit 2 ;;
	esac
done
echo "summary: ${SUMMARY#"$TOP/"}"
echo "$npass passed, $nfail failed, $nskip skipped"
