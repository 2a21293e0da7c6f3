#!/bin/sh
# ./run.sh case1 | case2 | case3 | case4 | all  [harness options, e.g. --mem 8G --repeat 5]
#
# Does all set-up on a fresh Debian bookworm machine (packages, QEMU with
# our series, the guest, the harness), runs the case(s) and prints the
# tables.  Set-up steps are idempotent and quick once done.
set -eu
cd "$(dirname "$0")"

usage() {
	echo "usage: ./run.sh case1|case2|case3|case4|all [options]   (options: build/pvmig run --help)"
}

[ $# -ge 1 ] || { usage >&2; exit 2; }
what=$1
shift
case $what in
-h|--help) usage; exit 0 ;;
all) cases=$(ls workloads/cases/*.case | sed 's|.*/||; s|\.case$||' | sort) ;;
*)
	if [ ! -f "workloads/cases/$what.case" ]; then
		echo "run.sh: unknown case '$what' (have: $(ls workloads/cases | sed 's/\.case$//' | tr '\n' ' '))" >&2
		exit 2
	fi
	cases=$what ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: must run as root (packages; netns mode: network namespaces, tc)" >&2
	exit 2
fi

# Two real hosts (--src-host/--dst-host): QEMU and the guest are built on
# the hosts (pvmig hosts-setup A B); this machine only runs the harness.
targets="deps qemu qemu-stock guest harness"
for a in "$@"; do
	case $a in --src-host|--src-host=*) targets="deps harness" ;; esac
done
make -s $targets
status=0
for c in $cases; do
	./build/pvmig run "$c" "$@" || status=$?
done
# Plots and REPORT.md come from results/ alone; regenerate them now.
if [ -d results ]; then make -s report || status=$?; fi
exit $status
