#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# test_binary.sh - run the real pvmig-memcheck on the host.
#
#   sh tests/test_binary.sh path/to/pvmig-memcheck
#
# 1. clean run: churns, stays under --mem, verifies with 0 mismatches, exits 0
#    on SIGTERM;  2. --rate-mib-s is honoured;  3. must-fail: every
#    --test-corrupt kind is reported as exactly one mismatch of its kind;
# 4. --daemonize with closed stdio;  5. growth stops at the MemAvailable
# reserve;  6. bad options are refused.
# Prints PASS/FAIL lines and "N passed, N failed"; exits non-zero on failure.

BIN=${1:?usage: test_binary.sh BINARY}
DIR=$(mktemp -d /tmp/memcheck-test.XXXXXX)
PASSED=0
FAILED=0
trap 'rm -rf "$DIR"' EXIT

check() { # check CONDITION-EXIT-CODE MESSAGE
	if [ "$1" -eq 0 ]; then
		echo "PASS: $2"; PASSED=$((PASSED + 1))
	else
		echo "FAIL: $2"; FAILED=$((FAILED + 1))
	fi
}

# num FILE KEY: first numeric value of "KEY": N in FILE
num() { grep -o "\"$2\": [0-9]*" "$1" | head -n1 | sed 's/.*: //'; }
str() { grep -o "\"$2\": \"[^\"]*\"" "$1" | head -n1 | sed 's/.*: "//; s/"$//'; }

# wait_state FILE STATE SECONDS: bounded; gives up at once on state "error"
wait_state() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		s=$(str "$1" state 2>/dev/null)
		[ "$s" = "$2" ] && return 0
		[ "$s" = error ] && { echo "  status says error: $(str "$1" error)"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "  timed out waiting for state $2 (last: ${s:-none})"
	return 1
}

rss_mib() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$1/status" 2>/dev/null; }

# ---- 1. clean run --------------------------------------------------------
S=$DIR/clean.json
"$BIN" run --mem 64 --chunk 256 --status "$S" --seed 1 &
PID=$!
wait_state "$S" running 5
check $? "clean run starts and reports running"
MAX_RSS=0
MAX_HELD=0
i=0
while [ $i -lt 30 ]; do # 3 s of churn, sampling memory use
	r=$(rss_mib $PID); [ -n "$r" ] && [ "$r" -gt $MAX_RSS ] && MAX_RSS=$r
	h=$(num "$S" held_mib); [ -n "$h" ] && [ "$h" -gt $MAX_HELD ] && MAX_HELD=$h
	sleep 0.1
	i=$((i + 1))
done
SEQ1=$(num "$S" status_seq)
echo "  after 3 s: written $(num "$S" pages_written) verified $(num "$S" pages_verified)" \
     "allocs $(num "$S" allocs) frees $(num "$S" frees) status_seq $SEQ1" \
     "max held ${MAX_HELD} MiB max RSS ${MAX_RSS} MiB"
[ "$(num "$S" allocs)" -gt 64 ] && [ "$(num "$S" frees)" -gt 0 ]
check $? "memory churns: chunks are mapped and unmapped repeatedly"
[ "$SEQ1" -ge 10 ]
check $? "status file is rewritten about every 200 ms"
[ $MAX_HELD -le 64 ] && [ $MAX_RSS -le 72 ]
check $? "held memory stays within --mem 64 (RSS <= 64 MiB + 8 MiB overhead)"
[ "$(num "$S" mismatches)" = 0 ]
check $? "no mismatches while churning"

kill -USR1 $PID
wait_state "$S" verified 30
check $? "SIGUSR1 leads to state verified"
cp "$S" "$DIR/verified.json"
HELD_PAGES=$(num "$DIR/verified.json" held_pages)
PASS_PAGES=$(grep -o '"last_full_pass": {"pages": [0-9]*' "$DIR/verified.json" | sed 's/.*: //')
echo "  full pass: $PASS_PAGES pages of $HELD_PAGES held," \
     "$(grep -o '"duration_ms": [0-9]*' "$DIR/verified.json" | sed 's/.*: //') ms"
[ "$(num "$DIR/verified.json" mismatches)" = 0 ] &&
	grep -q '"first_mismatch": null' "$DIR/verified.json" &&
	grep -q '"complete": true' "$DIR/verified.json"
check $? "full pass finds 0 mismatches"
[ -n "$PASS_PAGES" ] && [ "$PASS_PAGES" -gt 0 ] && [ "$PASS_PAGES" = "$HELD_PAGES" ]
check $? "full pass checked every held page"
W1=$(num "$S" pages_written)
sleep 0.5
[ "$(num "$S" pages_written)" = "$W1" ] && kill -0 $PID 2>/dev/null
check $? "after verifying it idles (no writes) and stays alive"
[ "$(num "$S" pid)" = $PID ]
check $? "status reports the pid"
kill -TERM $PID
wait $PID
RC=$?
[ $RC -eq 0 ] && [ "$(str "$S" state)" = stopped ] && [ "$(num "$S" mismatches)" = 0 ]
check $? "SIGTERM: exit 0 with final status stopped (rc $RC)"

# ---- 2. rate limit -------------------------------------------------------
S=$DIR/rate.json
"$BIN" run --mem 64 --chunk 256 --rate-mib-s 16 --status "$S" &
PID=$!
wait_state "$S" running 5 && sleep 2
kill -USR1 $PID
wait_state "$S" verified 10
W=$(num "$S" pages_written)
T=$(num "$S" uptime_ms)
MIB_S=$(awk -v w="$W" -v t="$T" 'BEGIN { printf "%.1f", w * 4096 / 1048576 / (t / 1000) }')
echo "  wrote $W pages in $T ms: $MIB_S MiB/s"
awk -v r="$MIB_S" 'BEGIN { exit !(r > 8 && r < 20) }'
check $? "--rate-mib-s 16 keeps the write rate near 16 MiB/s"
kill -TERM $PID; wait $PID

# ---- 3. must-fail: deliberate corruption is reported ---------------------
for KIND in byte zero stale foreign; do
	case $KIND in
	byte) EXPECT=corrupt ;; zero) EXPECT=zero ;;
	stale) EXPECT=older_generation ;; foreign) EXPECT=other_page ;;
	esac
	S=$DIR/corrupt-$KIND.json
	"$BIN" run --mem 16 --chunk 64 --status "$S" --test-corrupt $KIND &
	PID=$!
	wait_state "$S" running 5 && sleep 1
	kill -USR1 $PID
	wait_state "$S" verified 10
	[ "$(num "$S" mismatches)" = 1 ] && [ "$(num "$S" $EXPECT)" = 1 ] &&
		[ "$(str "$S" detected_by)" = full_pass ] &&
		[ "$(str "$S" test_corrupt)" = $KIND ]
	check $? "--test-corrupt $KIND: 1 mismatch of kind $EXPECT found by the full pass"
	[ $KIND = zero ] && grep '"first_mismatch"' "$S" | sed 's/^/  /'
	kill -TERM $PID; wait $PID
done

# ---- 4. daemon with stdio closed -----------------------------------------
S=$DIR/daemon.json
DPID=$("$BIN" run --daemonize --mem 8 --chunk 64 --status "$S" </dev/null 2>&-)
[ -n "$DPID" ] && [ "$(num "$S" pid)" = "$DPID" ]
check $? "--daemonize prints the daemon pid once the status exists"
kill -USR1 "$DPID" 2>/dev/null
wait_state "$S" verified 10 && [ "$(num "$S" mismatches)" = 0 ]
check $? "daemon verifies on SIGUSR1"
kill -TERM "$DPID" 2>/dev/null
i=0
while kill -0 "$DPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(str "$S" state)" = stopped ]
check $? "daemon stops on SIGTERM"

S=$DIR/closed.json
"$BIN" run --mem 8 --chunk 64 --status "$S" <&- >&- 2>&- &
PID=$!
wait_state "$S" running 5 && kill -TERM $PID && wait $PID
check $? "runs with stdin, stdout and stderr closed"

# ---- 5. memory reserve ---------------------------------------------------
S=$DIR/reserve.json
"$BIN" run --mem 64 --chunk 256 --reserve-mib 1048576 --status "$S" &
PID=$!
wait_state "$S" running 5 && sleep 1
[ "$(num "$S" held_mib)" = 0 ] && [ "$(num "$S" alloc_deferrals)" -gt 0 ] && kill -0 $PID
check $? "MemAvailable below --reserve-mib: holds nothing, counts deferrals, keeps running"
kill -TERM $PID; wait $PID

# ---- 6. bad options ------------------------------------------------------
"$BIN" run --chunk 6 --status "$DIR/x.json" 2>/dev/null
[ $? -eq 2 ]
check $? "--chunk not a multiple of 4 KiB is refused (exit 2)"
"$BIN" run --mem 1 --chunk 2048 --status "$DIR/x.json" 2>/dev/null
[ $? -eq 2 ]
check $? "--mem smaller than one chunk is refused (exit 2)"
"$BIN" run --mem 8 --status "$DIR/no/such/dir/x.json" 2>/dev/null
[ $? -eq 2 ]
check $? "unwritable status path is refused (exit 2)"

echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
