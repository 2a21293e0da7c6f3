#!/bin/sh
# The published result set, in parts that each finish well inside a
# three-hour session and can be resumed:
#
#   scripts/published-set.sh list          the parts, and which are done
#   scripts/published-set.sh run [PART...] run the parts not done yet (all,
#                                          or the ones named), in order
#
# A part is done when the run directories of its case hold, for every
# method of the part, its repeats of completed migrations with the part's
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
ALL8="baseline,stock,pv-bitmap,fph,fpr,pv-bitmap+fpr,balloon,pv-bitmap+balloon"
ALL7="baseline,pv-bitmap,fph,fpr,pv-bitmap+fpr,balloon,pv-bitmap+balloon"

# name | case | methods | extra options (scenario)
PARTS="
case1-prealloc|case1|$ALL8|
case2-seed|case2|baseline,stock,pv-bitmap|
case1-hog|case1|baseline,pv-bitmap|--host-cpu-hog 2
case1-hog1|case1|baseline,pv-bitmap|--host-cpu-hog 1
case1-noprealloc|case1|$ALL8|--dst-prealloc off
case2-fph|case2|fph|
case2-fpr|case2|fpr|
case2-pv-fpr|case2|pv-bitmap+fpr|
case2-balloon|case2|balloon|
case2-pv-balloon|case2|pv-bitmap+balloon|
case2-noprealloc-a|case2|baseline,stock,pv-bitmap|--dst-prealloc off
case2-noprealloc-b|case2|fph,fpr,pv-bitmap+fpr|--dst-prealloc off
case2-noprealloc-c|case2|balloon,pv-bitmap+balloon|--dst-prealloc off
case3|case3|$ALL7|
case4-a|case4|baseline,pv-bitmap,fph|
case4-b|case4|fpr,pv-bitmap+fpr|
case4-c|case4|balloon,pv-bitmap+balloon|
"

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
	*"--host-cpu-hog "*) s="$s*_hog$(echo "$1" | sed 's/.*--host-cpu-hog \([0-9]*\).*/\1/')" ;;
	esac
	echo "$s"
}

# Was run.json's harness version VER a clean commit with the QEMU series,
# guest and workloads HEAD has, and CASE's case file?  Another case's file
# does not matter: changing how case2 prepares its guest leaves case1 done.
same_sources() {	# ver case
	case $1 in *+local|*-dirty|unknown|"") return 1 ;; esac
	git diff --quiet "$1" HEAD -- impl/qemu/series 'impl/qemu/*.patch' \
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
		same_sources "$(jq -r .versions.harness "$d/run.json")" "$1" || continue
		c=$(awk -F, -v m="$2" 'NR > 1 && $2 == m && $5 == "completed"' "$d/runs.csv" | wc -l)
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
case $cmd in
list)
	echo "$PARTS" | while IFS='|' read -r name c methods opts; do
		[ -n "$name" ] || continue
		if part_done "$c" "$methods" "$opts"; then st=done; else st=todo; fi
		printf '%-18s %-5s %s --methods %s %s\n' "$name" "$st" "$c" "$methods" "$opts"
	done ;;
run)
	if [ -n "$(git status --porcelain -- harness workloads impl scripts Makefile)" ]; then
		echo "published-set: the tree has local changes; results would be marked +local and left out of REPORT.md" >&2
		exit 2
	fi
	for want in "$@"; do
		echo "$PARTS" | grep -q "^$want|" || { echo "published-set: unknown part '$want'" >&2; exit 2; }
	done
	echo "$PARTS" | while IFS='|' read -r name c methods opts; do
		[ -n "$name" ] || continue
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
		echo "published-set: $name: ./run.sh $c --repeat $REPEAT --methods $todo $opts"
		# shellcheck disable=SC2086
		./run.sh "$c" --repeat "$REPEAT" --methods "$todo" $opts </dev/null ||
			echo "published-set: $name: run.sh exited $?" >&2
	done ;;
*) usage ;;
esac
