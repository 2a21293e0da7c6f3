#!/bin/sh
# Build QEMU from Debian trixie's source package (10.0) for x86_64-softmmu.
#
#   build-qemu.sh          with impl/qemu's series applied  -> build/qemu/
#   build-qemu.sh stock    the same source and configure, no series
#                                                    -> build/qemu-stock/
#   build-qemu.sh asan     the series, built with ASan and UBSan
#                                                    -> build/qemu-asan/
#   build-qemu.sh fuzz     the series, clang-14, libFuzzer (--enable-fuzzing)
#                          with ASan and UBSan: qemu-fuzz-x86_64
#                                                    -> build/qemu-fuzz/
#
# The source is unpacked once with Debian's own patches applied
# (apt-get source runs dpkg-source -x) and kept as a git repository whose
# first commit, tagged debian-base, is Debian's tree.  The patched build
# works in that tree: when the series changes it is reset to debian-base
# and the series re-applied; git only touches files that differ, so ninja
# rebuilds just what changed.  The stock build has a worktree of its own
# checked out at debian-base.  A new source version starts both afresh.
#
# asan and fuzz share a worktree of their own, build/src/qemu-san, with the
# same series applied: they never reset the patched flavour's tree under a
# build of it (or it under theirs), and a tree whose applied series is
# already the current one is left alone, so ninja rebuilds nothing.  A lock
# (build/src/qemu-san.lock) keeps two of them from applying at once.  Their
# stamps cover the series like the patched one, so a new series rebuilds
# them too.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
FLAVOUR=${1:-patched}
SRC_PARENT=$TOP/build/src
SERIES_DIR=$TOP/impl/qemu

case $FLAVOUR in
patched) BUILD=$TOP/build/qemu ;;
stock)   BUILD=$TOP/build/qemu-stock ;;
asan)    BUILD=$TOP/build/qemu-asan ;;
fuzz)    BUILD=$TOP/build/qemu-fuzz ;;
*) echo "usage: build-qemu.sh [patched|stock|asan|fuzz]" >&2; exit 2 ;;
esac
STAMP=$BUILD/.series-stamp
TARGET=qemu-system-x86_64
[ "$FLAVOUR" = fuzz ] && TARGET=qemu-fuzz-x86_64
BIN=$BUILD/$TARGET

# The same configure for both builds: the stock one is the control.
# --enable-zstd: multifd's zstd compression (method multifd-zstd); the
# minimal configure would leave it out.
# Debian's python3, which has Debian's meson (from bookworm-backports):
# configure's venv must find it, whatever python3 comes first in PATH.
CONFIGURE_FLAGS="--python=/usr/bin/python3 --target-list=x86_64-softmmu --without-default-features
 --enable-kvm --enable-tcg --disable-docs --disable-install-blobs
 --enable-trace-backends=log --enable-zstd"

# The sanitizer flavours add to those flags (and are otherwise the same as
# the patched build).  QEMU's own fuzz builds use clang with ASan and UBSan.
EXTRA_FLAGS=
case $FLAVOUR in
asan) EXTRA_FLAGS="--enable-asan --enable-ubsan" ;;
fuzz) EXTRA_FLAGS="--enable-fuzzing --enable-asan --enable-ubsan"
      export CC=clang-14 CXX=clang++-14 ;;
esac
with_series() { [ "$FLAVOUR" != stock ]; }

series_files() {
	with_series && [ -f "$SERIES_DIR/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES_DIR/series"
}

# What a build depends on besides the source: the series (none for
# stock), the configure flags and the source package version.
stamp_now() {
	{
		echo "$FLAVOUR $CONFIGURE_FLAGS"
		[ -z "$EXTRA_FLAGS" ] || echo "$EXTRA_FLAGS ${CC:-} ${CXX:-}"
		cat "$SRC_PARENT/source-version" 2>/dev/null || true
		if with_series; then
			cd "$SERIES_DIR"
			cat series 2>/dev/null || true
			for p in $(series_files); do cat "$p"; done
		fi
	} | sha256sum | cut -d' ' -f1
}

# The version apt would fetch now; empty when apt has no trixie deb-src.
candidate_version() {
	apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' |
		sort -V | tail -n1
}

fetch_source() {
	want_ver=$1
	rm -rf "$SRC_PARENT"
	mkdir -p "$SRC_PARENT"
	echo "qemu: fetching Debian source qemu $want_ver"
	( cd "$SRC_PARENT" && apt-get source -q "qemu=$want_ver" >fetch.log 2>&1 ) || {
		tail -n 5 "$SRC_PARENT/fetch.log" >&2
		echo "qemu: apt-get source qemu=$want_ver failed (run make deps for the trixie deb-src entry)" >&2
		exit 1
	}
	src=$(find "$SRC_PARENT" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n1)
	[ -n "$src" ] || { echo "qemu: no source tree after apt-get source" >&2; exit 1; }
	mv "$src" "$SRC_PARENT/qemu"
	( cd "$SRC_PARENT/qemu" && git init -q && git add -A -f . &&
	  git -c user.name=pvmig -c user.email=pvmig@localhost commit -q -m "Debian source $want_ver" &&
	  git tag debian-base )
	echo "$want_ver" > "$SRC_PARENT/source-version"
	rm -rf "$TOP/build/qemu" "$TOP/build/qemu-stock" "$TOP/build/qemu-asan" "$TOP/build/qemu-fuzz"
}

# The series as applied to a tree: its files and the source version.
series_hash() {
	{
		cat "$SRC_PARENT/source-version"
		cd "$SERIES_DIR"
		cat series 2>/dev/null || true
		for p in $(series_files); do cat "$p"; done
	} | sha256sum | cut -d' ' -f1
}

# What the binary is made of, whatever the series looks like as mails: the
# git tree of the source as built (the series applied with --index) and
# the configure flags.  A series split into more patches, or a reworded
# commit message, keeps this id; results pool on it (runinfo.c, the
# report, published-set.sh).  The sanitizer builds do not need it.
write_code_id() {
	local src tree
	case $FLAVOUR in
	patched) src=$SRC_PARENT/qemu ;;
	stock) src=$SRC_PARENT/qemu-stock ;;
	*) return 0 ;;
	esac
	tree=$(cd "$src" && git write-tree) || return 0
	printf '%s %s %s\n' "$tree" "$CONFIGURE_FLAGS" "$EXTRA_FLAGS" | sha256sum | cut -d' ' -f1 >"$BUILD/.code-id"
}

have_ver=$(cat "$SRC_PARENT/source-version" 2>/dev/null || true)
if [ -x "$BIN" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(stamp_now)" ] &&
   [ -d "$SRC_PARENT/qemu/.git" ]; then
	# Builds made before the id existed get it here.
	[ -f "$BUILD/.code-id" ] || write_code_id
	echo "qemu: up to date ($BIN, Debian source $have_ver)"
	exit 0
fi

# Refetch only when there is no tree yet or apt now offers another version.
want_ver=$(candidate_version)
if [ ! -d "$SRC_PARENT/qemu/.git" ] ||
   { [ -n "$want_ver" ] && [ "$want_ver" != "$have_ver" ]; }; then
	[ -n "$want_ver" ] || {
		echo "qemu: apt knows no qemu source package (run make deps for the trixie deb-src entry)" >&2
		exit 1
	}
	case $want_ver in
	*:10.0.*) ;;
	*) echo "qemu: apt offers qemu source $want_ver, not 10.0 (is the trixie deb-src entry there? run make deps)" >&2
	   exit 1 ;;
	esac
	fetch_source "$want_ver"
fi

# The stamp of what is applied now: a series that changes during the
# build leaves a stale stamp behind, and the next run rebuilds.
STAMP_WANT=$(stamp_now)

case $FLAVOUR in asan|fuzz)
	case $FLAVOUR in fuzz)
		command -v clang-14 >/dev/null && command -v clang++-14 >/dev/null || {
			echo "qemu: the fuzz build needs clang-14 and libclang-rt-14-dev (make deps)" >&2
			exit 1
		} ;;
	esac
	# A build dir configured on another source version starts afresh.
	if [ -d "$BUILD" ] && [ "$(cat "$BUILD/source-version" 2>/dev/null)" != "$(cat "$SRC_PARENT/source-version")" ]; then
		rm -rf "$BUILD"
	fi
	SRC=$SRC_PARENT/qemu-san
	exec 9>"$SRC_PARENT/qemu-san.lock"
	flock 9
	if [ ! -e "$SRC/.git" ]; then
		( cd "$SRC_PARENT/qemu" && git worktree prune && git worktree add -q --detach "$SRC" debian-base )
		rm -f "$SRC_PARENT/qemu-san.applied"
	fi
	want=$(series_hash)
	if [ "$(cat "$SRC_PARENT/qemu-san.applied" 2>/dev/null)" != "$want" ]; then
		rm -f "$SRC_PARENT/qemu-san.applied"
		( cd "$SRC" && git reset -q --hard debian-base && git clean -q -fdx )
		for p in $(series_files); do
			echo "qemu: applying $p ($FLAVOUR tree)"
			( cd "$SRC" && git apply --index "$SERIES_DIR/$p" ) ||
				{ echo "qemu: patch $p does not apply" >&2; exit 1; }
		done
		echo "$want" > "$SRC_PARENT/qemu-san.applied"
	fi
	;;
*)
if [ "$FLAVOUR" = patched ]; then
	SRC=$SRC_PARENT/qemu
	cd "$SRC"
	git reset -q --hard debian-base
	git clean -q -fdx
	for p in $(series_files); do
		echo "qemu: applying $p"
		git apply --index "$SERIES_DIR/$p" || { echo "qemu: patch $p does not apply" >&2; exit 1; }
	done
else
	SRC=$SRC_PARENT/qemu-stock
	if [ ! -d "$SRC" ]; then
		( cd "$SRC_PARENT/qemu" && git worktree prune && git worktree add -q --detach "$SRC" debian-base )
	fi
	( cd "$SRC" && git reset -q --hard debian-base && git clean -q -fdx )
fi
;;
esac

mkdir -p "$BUILD"
# Configured again when the flags changed (a build dir configured without
# --enable-zstd would otherwise keep building without it).
FLAGS_NOW="$CONFIGURE_FLAGS $EXTRA_FLAGS"
if [ ! -f "$BUILD/build.ninja" ] || [ "$(cat "$BUILD/.configure-flags" 2>/dev/null)" != "$FLAGS_NOW" ]; then
	echo "qemu: configuring $FLAVOUR build"
	# shellcheck disable=SC2086
	( cd "$BUILD" && "$SRC/configure" $CONFIGURE_FLAGS $EXTRA_FLAGS >configure.log 2>&1 ) || {
		tail -n 30 "$BUILD/configure.log" >&2
		rm -f "$BUILD/build.ninja" "$BUILD/.configure-flags"
		echo "qemu: configure failed" >&2
		exit 1
	}
	printf '%s\n' "$FLAGS_NOW" >"$BUILD/.configure-flags"
fi
echo "qemu: building $FLAVOUR $TARGET (a few minutes the first time)"
ninja -C "$BUILD" "$TARGET" >"$BUILD/ninja.log" 2>&1 || {
	grep -E 'error|FAILED' "$BUILD/ninja.log" | head -n 30 >&2
	echo "qemu: build failed (see $BUILD/ninja.log)" >&2
	exit 1
}
cp "$SRC_PARENT/source-version" "$BUILD/source-version"
echo "$STAMP_WANT" > "$STAMP"
write_code_id
echo "qemu: built $BIN (Debian source $(cat "$BUILD/source-version"))"
