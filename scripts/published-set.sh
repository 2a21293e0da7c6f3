#!/bin/sh
# The published result set, in parts that each finish well inside a
# three-hour session and can be resumed:
#
#   scripts/published-set.sh list          the parts, and which are done
#   scripts/published-set.sh run [PART...] run the parts not done yet (all,
#                                          or the ones named), in order
#
# A part is done when the run directories of its case hold, for every
# method of the part, its repeats of completed (or, for a pair QEMU
# refuses, refused) migrations with the part's
# scenario options, made from a clean committed tree whose QEMU series,
# guest (driver, programs, initramfs recipe), workloads and own case file
# are those of HEAD: what the report pools on (scenario, host, QEMU source
# and series hash) plus what runs inside the guest.  A harness change alone
# does not undo a part: the report names each pooled run's harness version.
# A part cut short by the end of a session resumes with the methods it has
# not finished; the completed migrations of its partial run stay in
# results/ and are pooled by the report like any other.
#
# Results are only worth committing from a clean tree: a run from a tree
# with local changes is marked "+local" and left out of REPORT.md.
set -eu
cd "$(dirname "$0")/.."

REPEAT=5
PVMIG=build/pvmig

# name | case | methods | extra options (scenario) | anchors
#
# methods: "all", the harness's method table (`pvmig methods`); "all:K/N",
# the K-th of N consecutive slices of it, for a case whose migrations are
# too slow for all of them in one session; or a list, for a scenario
# that only asks about some.  The methods of a part run interleaved, in a
# shuffled order per repeat, in one invocation.  anchors: methods that run
# along in every invocation of the part, so that each part has its own
# reference under the same drift; they do not decide whether it is done.
PARTS="
case1-all|case1|all||
case2-1|case2|all:1/3||
case2-2|case2|all:2/3||baseline
case2-3|case2|all:3/3||baseline
case3-1|case3|all:1/3||
case3-2|case3|all:2/3||baseline
case3-3|case3|all:3/3||baseline
case4-1|case4|all:1/4||
case4-2|case4|all:2/4||baseline
case4-3|case4|all:3/4||baseline
case4-4|case4|all:4/4||baseline
case1-hog|case1|baseline,pv-bitmap,balloon,fph,multifd|--host-cpu-hog 2|
case1-hog1|case1|baseline,pv-bitmap,balloon,fph,multifd|--host-cpu-hog 1|
case1-srcprealloc|case1|baseline,stock,pv-bitmap,fph,fpr,balloon,multifd|--src-prealloc on|
case1-noprealloc|case1|all|--dst-prealloc off|
case2-noprealloc-1|case2|all:1/3|--dst-prealloc off|
case2-noprealloc-2|case2|all:2/3|--dst-prealloc off|baseline
case2-noprealloc-3|case2|all:3/3|--dst-prealloc off|baseline
"

# The methods a part's methods field names, comma-separated, from the
# method table read once ($TABLE, below).  "all" is the one slice of one.
expand_methods() {	# field
	case $1 in
	all|all:*/*)
		k=1 n=1
		case $1 in all:*) k=${1#all:}; n=${k#*/}; k=${k%/*} ;; esac
		echo "$TABLE" | awk -v k="$k" -v n="$n" '
			{ m[NR] = $0 }
			END {
				per = int((NR + n - 1) / n)
				for (i = (k - 1) * per + 1; i <= k * per && i <= NR; i++)
					printf "%s%s", (i > (k - 1) * per + 1 ? "," : ""), m[i]
				print ""
			}' ;;
	*) echo "$1" ;;
	esac
}

usage() {
	echo "usage: scripts/published-set.sh list | run [PART...]" >&2
	exit 2
}

# The scenario words a part's options put into the run id.
scenario_of() {
	case $1 in
	*"--dst-prealloc off"*) s=_noprealloc_ ;;
	*) s=_prealloc_ ;;
	esac
	case $1 in
	*"--src-prealloc on"*) s="$s*_srcprealloc" ;;
	esac
	case $1 in
	*"--host-cpu-hog "*) s="$s*_hog$(echo "$1" | sed 's/.*--host-cpu-hog \([0-9]*\).*/\1/')" ;;
	esac
	echo "$s"
}

# Was the run (RUN_JSON) made from a clean commit with the QEMU code,
# guest and workloads HEAD has, and CASE's case file?  Another case's file
# does not matter: changing how case2 prepares its guest leaves case1 done.
# The QEMU code is the build's code id where the run recorded one (the same
# for a series only cut into patches differently), else the series' files.
same_sources() {	# run.json case
	ver=$(jq -r .versions.harness "$1")
	code=$(jq -r '.versions.qemu_code_id // "unknown"' "$1")
	case $ver in *+local|*-dirty|unknown|"") return 1 ;; esac
	if [ "$code" != unknown ] && [ -f build/qemu/.code-id ]; then
		[ "$code" = "$(cat build/qemu/.code-id)" ] || return 1
	else
		git diff --quiet "$ver" HEAD -- impl/qemu/series 'impl/qemu/*.patch' 2>/dev/null || return 1
	fi
	git diff --quiet "$ver" HEAD -- \
		'impl/guest/*.[ch]' impl/guest/Kbuild impl/guest/Makefile workloads \
		":(exclude)workloads/cases" "workloads/cases/$2.case" \
		scripts/build-guest.sh 2>/dev/null
}

# Completed migrations of METHOD in CASE's runs of these sources and scenario.
completed() {	# case method opts
	pat=$(scenario_of "$3")
	n=0
	# Unquoted: the pattern's own "*" (a hog scenario) must glob too.
	# shellcheck disable=SC2086
	for d in results/$1/*$pat*; do
		[ -f "$d/run.json" ] && [ -f "$d/runs.csv" ] || continue
		case $d in *faultinjection*|*memcheck*) continue ;; esac
		# Without --host-cpu-hog, a hog run is another scenario.
		case "$3:$d" in *--host-cpu-hog*) ;; *_hog*) continue ;; esac
		# Nor, without --src-prealloc on, is a source-preallocated run.
		case "$3:$d" in *"--src-prealloc on"*) ;; *_srcprealloc*) continue ;; esac
		same_sources "$d/run.json" "$1" || continue
		c=$(awk -F, -v m="$2" 'NR > 1 && $2 == m && ($5 == "completed" || $5 == "refused")' "$d/runs.csv" | wc -l)
		n=$((n + c))
	done
	echo "$n"
}

# The part's methods that still lack their repeats, comma-separated.
methods_todo() {	# case methods opts
	todo=
	for m in $(echo "$2" | tr , ' '); do
		[ "$(completed "$1" "$m" "$3")" -ge "$REPEAT" ] || todo="$todo${todo:+,}$m"
	done
	echo "$todo"
}

part_done() {	# case methods opts
	[ -z "$(methods_todo "$@")" ]
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
# The code id compared above is the current build's: bring it up to date
# with HEAD's series first (quick when it is).
scripts/build-qemu.sh patched >/dev/null || { echo "published-set: make qemu failed" >&2; exit 2; }
# Read here, not in expand_methods(): an exit in its command substitution
# would only leave an empty method list, which reads as a part done.
TABLE=$("$PVMIG" methods 2>/dev/null | cut -f1)
[ -n "$TABLE" ] || { echo "published-set: $PVMIG methods gave no method table (make harness)" >&2; exit 2; }
case $cmd in
list)
	echo "$PARTS" | while IFS='|' read -r name c field opts anchors; do
		[ -n "$name" ] || continue
		methods=$(expand_methods "$field")
		if part_done "$c" "$methods" "$opts"; then st=done; else st=todo; fi
		printf '%-18s %-5s %s --methods %s%s %s\n' "$name" "$st" "$c" \
			"${anchors:+$anchors,}" "$methods" "$opts"
	done ;;
run)
	if [ -n "$(git status --porcelain -- harness workloads impl scripts Makefile)" ]; then
		echo "published-set: the tree has local changes; results would be marked +local and left out of REPORT.md" >&2
		exit 2
	fi
	for want in "$@"; do
		echo "$PARTS" | grep -q "^$want|" || { echo "published-set: unknown part '$want'" >&2; exit 2; }
	done
	echo "$PARTS" | while IFS='|' read -r name c field opts anchors; do
		[ -n "$name" ] || continue
		methods=$(expand_methods "$field")
		if [ $# -gt 0 ]; then
			echo " $* " | grep -q " $name " || continue
		fi
		# A part cut short resumes with the methods it has not finished;
		# a method cut short runs all its repeats again.
		todo=$(methods_todo "$c" "$methods" "$opts")
		if [ -z "$todo" ]; then
			echo "published-set: $name: done"
			continue
		fi
		todo="${anchors:+$anchors,}$todo"
		echo "published-set: $name: ./run.sh $c --repeat $REPEAT --methods $todo $opts"
		# shellcheck disable=SC2086
		./run.sh "$c" --repeat "$REPEAT" --methods "$todo" $opts </dev/null ||
			echo "published-set: $name: run.sh exited $?" >&2
	done ;;
*) usage ;;
esac
