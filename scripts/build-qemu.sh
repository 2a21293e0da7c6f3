#!/bin/sh
# Build QEMU 7.2 from Debian's source package with impl/qemu's series applied.
#
# The source tree is kept as a git repository whose first commit is Debian's
# tree (Debian's own patches applied by dpkg-source).  When the series
# changes, the tree is reset to that commit and the series re-applied; git
# only touches files that differ, so ninja rebuilds just what changed.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC_PARENT=$TOP/build/src
BUILD=$TOP/build/qemu
SERIES_DIR=$TOP/impl/qemu
STAMP=$BUILD/.series-stamp
BIN=$BUILD/qemu-system-x86_64

series_files() {
	[ -f "$SERIES_DIR/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES_DIR/series"
}

stamp_now() {
	( cd "$SERIES_DIR" && { cat series 2>/dev/null || true; for p in $(series_files); do cat "$p"; done; } ) |
		sha256sum | cut -d' ' -f1
}

# Debian's package version of the source, for every result file.
record_version() {
	sed -n "s/^Version: //p" "$SRC_PARENT"/qemu_*.dsc | head -n1 > "$BUILD/source-version"
}

want=$(stamp_now)
if [ -x "$BIN" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
	record_version
	echo "qemu: up to date ($BIN)"
	exit 0
fi

mkdir -p "$SRC_PARENT"
SRC=$(ls -d "$SRC_PARENT"/qemu-7.2* 2>/dev/null | head -n1 || true)
if [ -z "$SRC" ] || [ ! -d "$SRC/.git" ]; then
	rm -rf "$SRC_PARENT"/qemu-7.2* "$SRC_PARENT"/qemu_7.2*
	( cd "$SRC_PARENT" && apt-get source -q qemu >/dev/null 2>&1 ) || {
		echo "qemu: apt-get source qemu failed (is a deb-src entry present? run make deps)" >&2
		exit 1
	}
	SRC=$(ls -d "$SRC_PARENT"/qemu-7.2* | head -n1)
	( cd "$SRC" && git init -q && git add -A -f . &&
	  git -c user.name=pvmig -c user.email=pvmig@localhost commit -q -m "Debian source" &&
	  git tag debian-base )
fi

cd "$SRC"
git reset -q --hard debian-base
git clean -q -fdx
for p in $(series_files); do
	echo "qemu: applying $p"
	git apply --index "$SERIES_DIR/$p" || { echo "qemu: patch $p does not apply" >&2; exit 1; }
done

mkdir -p "$BUILD"
if [ ! -f "$BUILD/build.ninja" ]; then
	( cd "$BUILD" && "$SRC/configure" --target-list=x86_64-softmmu \
		--without-default-features --enable-kvm --enable-tcg \
		--disable-docs --enable-trace-backends=log >configure.log 2>&1 ) || {
		tail -n 30 "$BUILD/configure.log" >&2
		echo "qemu: configure failed" >&2
		exit 1
	}
fi
ninja -C "$BUILD" qemu-system-x86_64 >"$BUILD/ninja.log" 2>&1 || {
	grep -E 'error|FAILED' "$BUILD/ninja.log" | head -n 30 >&2
	echo "qemu: build failed (see $BUILD/ninja.log)" >&2
	exit 1
}
record_version
echo "$want" > "$STAMP"
echo "qemu: built $BIN"
