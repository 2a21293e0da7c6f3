#!/bin/bash
# The QEMU series as a maintainer receives it: every patch of
# impl/qemu/series applies in order to the Debian source (git am, so each
# is a well-formed mail), and QEMU's own scripts/checkpatch.pl finds no
# error or warning in any of them.  Needs the source tree make qemu
# unpacks (build/src/qemu); without it this is a set-up SKIP.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/harness/tests/lib.sh"
SRC=$TOP/build/src/qemu
SERIES=$TOP/impl/qemu
if [ ! -f "$SRC/scripts/checkpatch.pl" ] || ! git -C "$SRC" rev-parse -q --verify debian-base >/dev/null; then
	skip "series style: no QEMU source tree with a debian-base branch in build/src/qemu (run make qemu)"
	exit 0
fi
TMP=$(mktemp -d /tmp/pvmig-series-XXXXXX)
trap 'git -C "$SRC" worktree remove --force "$TMP/tree" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
git -C "$SRC" worktree add -q --detach "$TMP/tree" debian-base
n=0
for p in $(cat "$SERIES/series"); do
	n=$((n + 1))
	if ! git -C "$TMP/tree" -c user.name=t -c user.email=t@t am -q "$SERIES/$p" >"$TMP/am.log" 2>&1; then
		fail "series style: $p applies with git am ($(head -n 1 "$TMP/am.log"))"
		git -C "$TMP/tree" am --abort >/dev/null 2>&1
		break
	fi
	pass "series style: $p applies with git am"
	out=$(cd "$TMP/tree" && perl scripts/checkpatch.pl --no-signoff "$SERIES/$p" 2>&1 | grep '^total:')
	case $out in
	"total: 0 errors, 0 warnings,"*) pass "series style: $p: checkpatch clean ($out)" ;;
	*) fail "series style: $p: checkpatch: ${out:-no verdict}" ;;
	esac
done
check "series style: the series lists patches" [ "$n" -gt 0 ]
