#!/bin/bash
# The orchestration benchmark of the hosts mode: case1, baseline and
# pv-bitmap, REPEAT (5) migrations each, with the harness driving both
# "hosts" over real OpenSSH: two network namespaces of this machine, each
# with its own sshd (harness/tests/sshhosts.sh, as 60-hosts.sh uses), the
# migration on a veth between them shaped to 10 Gbit/s.  The netns runs of
# the same scenario are scripts/published-set.sh's case1-prealloc part;
# REPORT.md's section "Orchestration: two hosts over ssh against network
# namespaces" sets the two side by side.
#
# Run it on an idle machine, from a clean tree (results from a tree with
# local changes are left out of REPORT.md).
set -eu
cd "$(dirname "$0")/.."
REPEAT=${REPEAT:-5}

if [ -n "$(git status --porcelain -- harness workloads impl scripts Makefile)" ]; then
	echo "modes-benchmark: the tree has local changes; results would be marked +local and left out of REPORT.md" >&2
	exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "modes-benchmark: needs root (namespaces, sshd)" >&2; exit 2; }
make -s deps qemu guest harness

. harness/tests/sshhosts.sh
D=$(mktemp -d /tmp/pvmig-modes-XXXXXX)
trap 'sshhosts_down; rm -rf "$D"' EXIT
sshhosts_up "$D/ssh"
build/pvmig run case1 --methods baseline,pv-bitmap --repeat "$REPEAT" \
	--src-host pvt60-src --dst-host pvt60-dst --migration-addr "$SSHH_MIG_ADDR" \
	--ssh-config "$SSHH_CONFIG" --shape --link-gbit 10
