#!/bin/bash
# The hosts mode through real OpenSSH: two network namespaces, each with
# its own sshd (sshhosts.sh), stand in for two machines.  The harness, in
# the root namespace, reaches them over management veths and migrates over
# a shaped veth between them.
#  - bad input: unknown host, refused key, missing checkout, version skew,
#    not enough memory: exit 2, one line, nothing started on either host;
#  - the ssh connection killed in mid-migration (with the host's
#    supervisor, so nothing could clean up there): the run fails with one
#    line, and the next run on that host removes what was left;
#  - that next run: a baseline and a pv-bitmap migration of a 1 GiB guest
#    under the memory checker, with --shape (qdisc removed afterwards);
#  - SIGINT and SIGTERM in mid-migration: nothing left on either host.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
. "$TOP/harness/tests/sshhosts.sh"
vm_test_begin hosts hosts
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null; then
	skip "hosts mode: openssh-server and openssh-client are not installed (make deps)"
	exit 0
fi
trap 'sshhosts_down; rm -rf "$TMP"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
if ! sshhosts_up "$TMP/ssh" 2>"$TMP/up.err"; then
	fail "hosts mode: cannot set up the two sshd namespaces: $(head -c 300 "$TMP/up.err")"
	exit 0
fi
HOSTS=(--src-host pvt60-src --dst-host pvt60-dst --migration-addr "$SSHH_MIG_ADDR"
       --ssh-config "$SSHH_CONFIG")

# Processes in a test namespace other than its sshd listener.
ns_extra() { # NS SSHD-PIDFILE
	local keep p
	keep=$(cat "$2")
	for p in $(ip netns pids "$1"); do
		[ "$p" = "$keep" ] || echo "$p $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | head -c 80)"
	done
}

# Nothing of the harness on either "host": no process but sshd in the
# namespaces, no scratch directory, and nothing local (lib.sh).  A few
# seconds are allowed for ssh sessions to wind down: root's shell runs
# its rc files for every command (here one starts `pyenv rehash` in the
# background), which may outlive the command by a moment.
nothing_left_on_hosts() {
	local left
	for _ in $(seq 1 25); do
		left=$(ns_extra "$SSHH_NS_SRC" "$TMP/ssh/sshd_1.pid"; ns_extra "$SSHH_NS_DST" "$TMP/ssh/sshd_2.pid")
		[ -z "$left" ] && break
		sleep 0.2
	done
	if [ -n "$left" ]; then
		echo "  left on a host: $(echo "$left" | head -n 2 | tr '\n' ';')"
		return 1
	fi
	if ls -d /tmp/pvmig-host-* >/dev/null 2>&1; then
		echo "  left: $(ls -d /tmp/pvmig-host-* | head -n1)"
		return 1
	fi
	nothing_left
}

# Wait until the harness (pid $1) logs "migrating:" in $2; 0 if it did.
wait_migrating() {
	for _ in $(seq 1 900); do
		grep -q 'migrating:' "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# Wait (bounded) for the harness pid $1 to exit; its status in $rc.
wait_harness() {
	for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
	if kill -0 "$1" 2>/dev/null; then
		echo "  harness still running after 60 s"
		kill -KILL "$1"
	fi
	wait "$1"
	rc=$?
}

# --- bad input: one line, exit 2, nothing started on either host ---
mkdir -p "$TMP/skew/build/qemu" "$TMP/skew/build/guest" "$TMP/skew/impl/guest"
ln -s "$TOP/build/qemu/qemu-system-x86_64" "$TMP/skew/build/qemu/qemu-system-x86_64"
ln -s "$TOP/build/guest/vmlinux" "$TMP/skew/build/guest/vmlinux"
ln -s "$TOP/build/guest/initramfs.cpio" "$TMP/skew/build/guest/initramfs.cpio"
cp "$TOP/build/guest/kernel-version" "$TMP/skew/build/guest/" 2>/dev/null
cp "$TOP/build/qemu/source-version" "$TMP/skew/build/qemu/" 2>/dev/null
echo "0000000000000000000000000000000000000000000000000000000000000000" > "$TMP/skew/build/qemu/.series-stamp"

hosts_bad_input() { # DESCRIPTION EXPECTED-TEXT ARGS...
	local desc=$1 want=$2 lines
	shift 2
	"$PVMIG" run case1 --mem "$MEM" --repeat 1 --methods baseline --iperf-s 0 \
		--results "$TMP/results-bad" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	lines=$(wc -l < "$TMP/err")
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "$want" "$TMP/err"; then
		pass "hosts bad input: $desc (exit 2: $(cat "$TMP/err"))"
	else
		fail "hosts bad input: $desc (exit $rc, $lines lines: $(head -c 300 "$TMP/err"))"
	fi
	check "hosts bad input: $desc: nothing started on either host" nothing_left_on_hosts
}
hosts_bad_input "unknown host" "Could not resolve hostname" \
	--src-host nosuch.invalid --dst-host pvt60-dst --migration-addr "$SSHH_MIG_ADDR" --ssh-config "$SSHH_CONFIG"
hosts_bad_input "refused key" "Permission denied" \
	--src-host pvt60-src --dst-host pvt60-badkey --migration-addr "$SSHH_MIG_ADDR" --ssh-config "$SSHH_CONFIG"
hosts_bad_input "missing checkout" "no built checkout at /nonexistent" \
	"${HOSTS[@]}" --remote-top /nonexistent
hosts_bad_input "version skew" "version skew: QEMU series" \
	--src-host pvt60-src --dst-host "pvt60-dst:$TMP/skew" --migration-addr "$SSHH_MIG_ADDR" --ssh-config "$SSHH_CONFIG"
hosts_bad_input "not enough memory" "not enough memory for a 61440 MiB guest" \
	"${HOSTS[@]}" --mem 60G
hosts_bad_input "a malformed --pin list" "each side a PU list" "${HOSTS[@]}" --pin 1,x/2
hosts_bad_input "migration address not on the destination" "no interface has the migration address" \
	--src-host pvt60-src --dst-host pvt60-dst --migration-addr 198.19.63.99 --ssh-config "$SSHH_CONFIG"
check "hosts bad input: no results directory was made" [ ! -d "$TMP/results-bad/case1" ]

# --- pvmig hosts-setup: make in each host's checkout, then the versions ---
# Stand-in checkouts whose Makefile only notes the targets it was asked
# for: the orchestration is what is tested here, not QEMU's build.
fake_checkout() { # DIR SERIES [broken]
	mkdir -p "$1/build/qemu" "$1/build/guest"
	if [ -n "${3:-}" ]; then
		printf 'deps qemu-stock guest:\n\t@echo $@ >> build/made\n' > "$1/Makefile"
		printf 'qemu:\n\t@echo "cc: error: it broke"; exit 1\n' >> "$1/Makefile"
	else
		printf 'deps qemu qemu-stock guest:\n\t@echo $@ >> build/made\n' > "$1/Makefile"
	fi
	echo "1:10.0.13+ds-0+deb13u1" > "$1/build/qemu/source-version"
	echo "$2" > "$1/build/qemu/.series-stamp"
	echo "6.1.0-99-amd64" > "$1/build/guest/kernel-version"
}
fake_checkout "$TMP/topA" aaaa
fake_checkout "$TMP/topB" aaaa
fake_checkout "$TMP/topC" cccc
fake_checkout "$TMP/topD" aaaa broken
"$PVMIG" hosts-setup --ssh-config "$SSHH_CONFIG" "pvt60-src:$TMP/topA" "pvt60-dst:$TMP/topB" \
	>"$TMP/setup.out" 2>"$TMP/setup.err"
rc=$?
check "hosts-setup: two hosts that agree: exit 0 (got $rc)" [ $rc -eq 0 ]
check "hosts-setup: says they are ready" grep -q 'are ready for pvmig run' "$TMP/setup.out"
check "hosts-setup: ran make deps qemu qemu-stock guest in each checkout" \
	[ "$(cat "$TMP/topA/build/made" 2>/dev/null | tr '\n' ' ')" = "deps qemu qemu-stock guest " -a \
	  "$(cat "$TMP/topB/build/made" 2>/dev/null | tr '\n' ' ')" = "deps qemu qemu-stock guest " ]
"$PVMIG" hosts-setup --ssh-config "$SSHH_CONFIG" "pvt60-src:$TMP/topA" "pvt60-dst:$TMP/topC" \
	>"$TMP/setup.out" 2>"$TMP/setup.err"
rc=$?
check "hosts-setup: version skew: exit 1 (got $rc) and names it" \
	bash -c "[ $rc -eq 1 ] && grep -q '^pvmig: hosts-setup: version skew: QEMU series aaaa on pvt60-src, cccc on pvt60-dst$' '$TMP/setup.err'"
"$PVMIG" hosts-setup --ssh-config "$SSHH_CONFIG" "pvt60-src:$TMP/topD" "pvt60-dst:$TMP/topB" \
	>"$TMP/setup.out" 2>"$TMP/setup.err"
rc=$?
check "hosts-setup: a failing build: exit 1 (got $rc) with its last lines" \
	bash -c "[ $rc -eq 1 ] && grep -q 'pvt60-src: make deps qemu qemu-stock guest failed' '$TMP/setup.err' && grep -q 'cc: error: it broke' '$TMP/setup.err'"
"$PVMIG" hosts-setup --ssh-config "$SSHH_CONFIG" nosuch.invalid pvt60-dst >"$TMP/setup.out" 2>"$TMP/setup.err"
rc=$?
check "hosts-setup: unknown host: exit 2 (got $rc), one line" \
	bash -c "[ $rc -eq 2 ] && [ \$(wc -l < '$TMP/setup.err') -eq 1 ] && grep -q 'Could not resolve hostname' '$TMP/setup.err'"
check "hosts-setup: nothing left on either host" nothing_left_on_hosts

# slow_run_bg TAG: a slow migration (0.05 Gbit/s, so there is time to
# interfere) in the background, output in $TMP/TAG.{out,err}, results in
# $TMP/results-TAG; its pid in hpid.
slow_run_bg() {
	"$PVMIG" run case1 --mem "$MEM" --repeat 1 --methods baseline --iperf-s 0 \
		--max-bandwidth-gbit 0.05 "${HOSTS[@]}" --results "$TMP/results-$1" \
		>"$TMP/$1.out" 2>"$TMP/$1.err" &
	hpid=$!
}

# --- the ssh connection killed mid-migration, with the supervisor ---
# A slow migration; then every process of the destination's ssh session
# (sshd's per-connection processes, the supervisor's sh and cat) gets
# SIGKILL: the connection is gone, and so is what would have cleaned up
# there.  QEMU stays behind, as on a host whose supervisor was killed.
slow_run_bg loss
if wait_migrating $hpid "$TMP/loss.err"; then
	sleep 1
	keep=$(cat "$TMP/ssh/sshd_2.pid") victims=
	for p in $(ip netns pids "$SSHH_NS_DST"); do
		[ "$p" = "$keep" ] && continue
		case $(cat /proc/$p/comm 2>/dev/null) in
		sshd|sh|cat) victims="$victims $p" ;;
		esac
	done
	# Stopped first, so the supervisor cannot start its cleanup when its
	# cat dies before it does.
	kill -STOP $victims
	kill -KILL $victims
	wait_harness $hpid
	check "ssh loss: the harness fails (exit 1, got $rc)" [ $rc -eq 1 ]
	check "ssh loss: it says the connection to pvt60-dst was lost" \
		grep -q '^pvmig: pvt60-dst: ssh connection lost; the run is incomplete$' "$TMP/loss.err"
	lrun=$(ls -d "$TMP"/results-loss/case1/*_hosts-* 2>/dev/null | head -n1)
	check "ssh loss: run.json is well-formed and names the loss" \
		jq_ok "$lrun/run.json" '.error == "ssh connection lost" and (.migrations[0].status != "completed")'
	check "ssh loss: the source host's QEMU logs were fetched into the results" \
		[ -f "$lrun/logs/src-qemu.log" -a -f "$lrun/logs/ssh-dst.log" ]
	check "ssh loss: the source host was cleaned up" \
		[ -z "$(ns_extra "$SSHH_NS_SRC" "$TMP/ssh/sshd_1.pid")" ]
	# (Its QEMU exits by itself once the incoming migration fails.)
	check "ssh loss: the destination's scratch directory is left (nothing could clean up there)" \
		bash -c "ls -d /tmp/pvmig-host-*-dst >/dev/null 2>&1"
else
	kill -INT $hpid 2>/dev/null
	wait_harness $hpid
	fail "ssh loss: the migration never started ($(tail -n 2 "$TMP/loss.err" | tr '\n' ' '))"
fi

# --- the next run: baseline and pv-bitmap under the memory checker ---
# KVM's device is hidden from this run behind a path in a directory that
# exists (so a shell's "<>" could create the file there): the probe on
# each host must report it absent and leave nothing behind.
# The pv-bitmap migration's thread waits 1.5 s between its request and the
# wait (a test-only knob of the series), so that it outlives the
# placement's ssh round trips: a 1 GiB migration at 10 Gbit/s can end
# before the harness's second placement attempt, the one that finds the
# migration thread.  (A bandwidth cap would not do: the memory checker
# then dirties faster than precopy sends, and the run never converges.)
mkdir -p "$TMP/hidden"
HIDDEN_KVM=$TMP/hidden/kvm
PVMIG_KVM_DEVICE=$HIDDEN_KVM "$PVMIG" run case1 --mem "$MEM" --repeat 1 --methods baseline,pv-bitmap --memcheck-mib 128 \
	--iperf-s 1 --shape --link-gbit 10 --x-device-props x-free-page-bitmap-delay-wait=1500 --pin 0,1,1,0/1,0,0,1 \
	"${HOSTS[@]}" --results "$TMP/results" \
	>"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
check "hosts: harness exits 0 (got $rc)" [ $rc -eq 0 ]
# Both test hosts share this machine's /tmp, so either one's supervisor
# may be the one that finds the destination's stale directory.
check "hosts: the run removed the state the killed one left on pvt60-dst" \
	grep -q 'removed stale state of an earlier run: /tmp/pvmig-host-[0-9]*-dst$' "$TMP/run.err"
run=$(ls -d "$TMP"/results/case1/*_hosts-pvt60-src-pvt60-dst* 2>/dev/null | head -n1)
csv=$run/runs.csv
if [ -f "$csv" ]; then
	for row in 1 2; do
		m=$(csv_field "$csv" $row method)
		check "hosts $m: migration completed ($(csv_field "$csv" $row status))" \
			[ "$(csv_field "$csv" $row status)" = completed ]
		check "hosts $m: destination guest answers the agent" [ "$(csv_field "$csv" $row dst_agent_ok)" = 1 ]
		check "hosts $m: the memory checker verified pages and found no mismatch" \
			[ "$(csv_field "$csv" $row memcheck_mismatches)" = 0 -a "$(csv_field "$csv" $row memcheck_verified)" -gt 0 ]
	done
	check "hosts pv-bitmap: free pages were skipped" \
		[ "$(csv_method_field "$csv" pv-bitmap skipped_pages)" -gt 0 ]
	# Per-thread figures of QEMUs on ssh hosts, read through ssh.
	check "hosts: per-thread figures of both QEMUs were read through ssh" \
		jq_ok "$run/run.json" '[.migrations[] | .threads.src, .threads.dst] | all(type == "array" and length > 0)'
	# pv-bitmap's migration thread lives at least the 1.5 s delay, six
	# sampler periods: a scan must have seen it.  (Baseline's can
	# end between two scans, and then has no row: README says so.)
	v=$(csv_method_field "$csv" pv-bitmap src_mig_cpu_ms)
	if awk -v v="$v" 'BEGIN { exit !(v + 0 > 0) }'; then
		pass "hosts pv-bitmap: the source's migration thread's CPU was read through ssh ($v ms)"
	else
		fail "hosts pv-bitmap: the source's migration thread's CPU was read through ssh (got '$v'; threads: $(jq -c \
			'[.migrations[] | select(.method == "pv-bitmap") | .threads.src[]? | .name]' "$run/run.json" 2>&1 |
			head -c 300); $(grep threadstats "$TMP/run.err" | head -n 2 | tr '\n' ' '))"
	fi
	check "hosts: run.json names the mode and both hosts' identities" \
		jq_ok "$run/run.json" '.mode == "hosts" and .hosts.mode == "hosts" and
			([.hosts.src, .hosts.dst] | all(.cpu_model and .cpus > 0 and .mem_mib > 0 and .kernel and .topology
				and .nic.mtu > 0 and .nic.driver and .nic.speed))'
	check "hosts: the migration NICs are the test's veths" \
		jq_ok "$run/run.json" '(.hosts.src.nic.ifname | startswith("pvt60m1")) and (.hosts.dst.nic.ifname | startswith("pvt60m2"))'
	check "hosts: the KVM probe on each host found the hidden device absent and says so" \
		jq_ok "$run/run.json" '.accel.hosts.src.how == $msg and .accel.hosts.dst.how == $msg' \
		--arg msg "no $HIDDEN_KVM on this host"
	check "hosts: ... and created nothing there" [ ! -e "$HIDDEN_KVM" ]
	check "hosts: the accelerator was chosen on each host" \
		jq_ok "$run/run.json" '(.accel.how | test("^src: .*; dst: ")) and .accel.name == "tcg" and
			.accel.hosts.src.name == "tcg" and .accel.hosts.dst.name == "tcg" and (.accel.hosts.dst.how | length > 0)'
	# --pin vCPU,main,migration,iothread per host: 0,1,1,0 and 1,0,0,1.  The
	# main loop's role covers every unnamed QEMU thread (there may be more
	# than one "qemu-system-x86": the main thread and helpers QEMU does not
	# name).
	# Every migration records its placement: the vCPU and the main loop
	# roles always; the migration thread's once the harness saw it (a
	# short migration placed over ssh may end first, and then says so in
	# migration_thread_seen); at least one migration must have placed it.
	pin_ok='.pinning.src == "0,1,1,0" and ([.migrations[] | .counters.placement |
			([.src[] | select(.thread | startswith("CPU ")) | .pu] == [0]) and
			([.src[] | select(.thread | test("^(mig/|live_migration)")) | .pu] | all(. == 1)) and
			(.migration_thread_seen == ([.src[] | select(.thread | test("^(mig/|live_migration)"))] | length > 0)) and
			([.dst[] | select(.thread | startswith("CPU ")) | .pu] == [1]) and
			([.dst[] | select(.thread | startswith("qemu-system")) | .pu] | length > 0 and all(. == 0))] |
		length == 2 and all) and
		([.migrations[].counters.placement.migration_thread_seen] | any)'
	if jq_ok "$run/run.json" "$pin_ok"; then
		pass "hosts: --pin placed each thread by role, recorded with the migration"
	else
		fail "hosts: --pin placed each thread by role, recorded with the migration ($(jq -c \
			'[.migrations[] | {method, p: (.counters.placement | {migration_thread_seen, at_ms,
			src: [.src[]? | "\(.thread)@\(.pu)"]})}]' "$run/run.json" 2>&1 | head -c 600))"
	fi
	check "hosts: a pinned run says so in its id" bash -c "case '$run' in *_pinned_*|*_pinned) true;; *) false;; esac"
	check "hosts: the link was measured over the migration veth, shaped by --shape" \
		jq_ok "$run/run.json" '.link.measured_gbit > 0 and .link.shaped_gbit == 10 and .hosts.shaped == true'
	check "hosts: the QEMUs ran on the hosts' checkout paths" \
		jq_ok "$run/run.json" '.migrations[0].qemu_cmdline.src | test("-qmp unix:/tmp/pvmig-host-[0-9]+-src/src.qmp")'
else
	fail "hosts: no runs.csv written ($(tail -n 3 "$TMP/run.err" | tr '\n' ' '))"
fi
check "hosts: --shape's qdiscs were removed" \
	bash -c "! ip netns exec $SSHH_NS_SRC tc qdisc show | grep -q tbf && ! ip netns exec $SSHH_NS_DST tc qdisc show | grep -q tbf"
check "hosts: nothing left on either host after a normal run" nothing_left_on_hosts

# --- SIGINT and SIGTERM in mid-migration ---
interrupted_run() { # SIGNAL
	local sig=$1 lsig
	lsig=sig$(echo "$sig" | tr 'A-Z' 'a-z')
	slow_run_bg "$lsig"
	if wait_migrating $hpid "$TMP/$lsig.err"; then
		sleep 1
		kill -"$sig" $hpid
		wait_harness $hpid
		check "hosts $lsig: harness exits 130 (got $rc)" [ $rc -eq 130 ]
		irun=$(ls -d "$TMP"/results-$lsig/case1/*_hosts-* 2>/dev/null | head -n1)
		check "hosts $lsig: run.json says interrupted" jq_ok "$irun/run.json" '.error == "interrupted"'
	else
		kill -INT $hpid 2>/dev/null
		wait_harness $hpid
		fail "hosts $lsig: the migration never started ($(tail -n 2 "$TMP/$lsig.err" | tr '\n' ' '))"
	fi
	check "hosts $lsig: nothing left on either host" nothing_left_on_hosts
}
interrupted_run INT
interrupted_run TERM
