#!/bin/sh
# Build the test guests from Debian's packages, one set per guest kernel in
# build/kernel-versions (scripts/deps.sh: bookworm's 6.1, the default, and
# 6.12), side by side in build/guest/<kver>/:
#   vmlinux               uncompressed (it boots through PVH, skipping the
#                         in-guest decompressor, which is slow under TCG)
#   initramfs.cpio        busybox, stress-ng, qemu-ga, the stock virtio
#                         modules, our balloon driver and guest programs
#   pvmig_balloon.ko      our driver, built against that kernel's headers
#   kernel-version, kernel-package-version
# build/guest/{vmlinux,initramfs.cpio,pvmig_balloon.ko,kernel-version,
# kernel-package-version} are symlinks to the default kernel's, the paths everything used before
# there was a choice (and still uses when it makes none).
#
#   build-guest.sh            every kernel in build/kernel-versions
#   build-guest.sh KVER...    those only
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
GUEST=$TOP/build/guest
DEFAULT=$(cat "$TOP/build/kernel-version" 2>/dev/null) || {
	echo "guest: build/kernel-version missing: run make deps" >&2; exit 1; }
if [ $# -eq 0 ]; then
	if [ -s "$TOP/build/kernel-versions" ]; then
		set -- $(cat "$TOP/build/kernel-versions")
	else
		set -- "$DEFAULT"
	fi
fi

# download DIR PACKAGE: the package's .deb in DIR, fetched once.
download() {
	ls "$1/$2"_*.deb >/dev/null 2>&1 && return 0
	( cd "$1" && apt-get download -q "$2" >/dev/null 2>&1 ) || {
		echo "guest: cannot download $2" >&2; exit 1; }
}

# headers KVER OUT: the directory to build modules against.  The installed
# package's if there is one (the default kernel's, scripts/deps.sh);
# otherwise linux-headers-KVER-amd64 with the -common and linux-kbuild
# packages it depends on, extracted into OUT/headers rather than installed
# (since 6.12 the headers package depends on the kernel image, whose
# installation would change this machine's /boot).  Its Makefile includes
# the -common one by absolute path; that path is pointed at the copy.
headers() {
	kver=$1 out=$2
	if [ -f "/usr/src/linux-headers-$kver/Makefile" ]; then
		echo "/usr/src/linux-headers-$kver"
		return
	fi
	kd=$out/headers/usr/src/linux-headers-$kver
	if [ ! -f "$kd/.pvmig-extracted" ]; then
		rm -rf "$out/headers"
		for p in "linux-headers-$kver" $(apt-cache depends "linux-headers-$kver" |
			sed -n 's/^ *Depends: \(linux-headers-.*-common\|linux-kbuild-.*\)$/\1/p'); do
			download "$out/pkg" "$p"
			dpkg-deb -x "$(ls "$out/pkg/$p"_*.deb | head -n1)" "$out/headers"
		done
		sed -i "s|^include /usr/src/|include $out/headers/usr/src/|" "$kd/Makefile"
		grep -q "^include $out/headers/" "$kd/Makefile" || {
			echo "guest: unexpected $kd/Makefile" >&2; exit 1; }
		touch "$kd/.pvmig-extracted"
	fi
	echo "$kd"
}

# copy_with_libs ROOT BINARY DESTDIR: the binary and every shared library
# ldd names, at the same paths, plus the dynamic loader.
copy_with_libs() {
	cp "$2" "$1$3/"
	for lib in $(ldd "$2" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}'); do
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done
}

build_one() {
	KVER=$1
	OUT=$GUEST/$KVER
	mkdir -p "$OUT/pkg"
	# The layout before there was a choice of kernel kept the default
	# kernel's packages in build/guest/pkg: reuse them, not the network.
	if [ "$KVER" = "$DEFAULT" ] && [ -d "$GUEST/pkg" ] && [ ! -L "$GUEST/pkg" ]; then
		mv "$GUEST"/pkg/*.deb "$OUT/pkg/" 2>/dev/null || true
		rm -rf "$GUEST/pkg" "$GUEST/initramfs"
	fi
	download "$OUT/pkg" "linux-image-$KVER"
	DEB=$(ls "$OUT"/pkg/linux-image-"$KVER"_*.deb | head -n1)
	KROOT=$OUT/pkg/root
	if [ ! -f "$KROOT/boot/vmlinuz-$KVER" ]; then
		rm -rf "$KROOT"
		dpkg-deb -x "$DEB" "$KROOT"
	fi

	# The bzImage carries a compressed stream, xz in 6.1 (CONFIG_KERNEL_XZ)
	# and zstd in 6.12 (CONFIG_KERNEL_ZSTD); the vmlinux is that stream
	# decompressed.  Both tools stop at the end of the stream and
	# complain about the trailing bytes, so their exit status is not
	# checked; the ELF magic is.
	if [ ! -s "$OUT/vmlinux" ]; then
		vmlinuz=$KROOT/boot/vmlinuz-$KVER
		off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1)
		unpack="xz -dc"
		if [ -z "$off" ]; then
			off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$vmlinuz" | head -n1 | cut -d: -f1)
			unpack="zstd -dcq"
		fi
		[ -n "$off" ] || { echo "guest: no xz or zstd stream in vmlinuz-$KVER" >&2; exit 1; }
		tail -c +"$((off + 1))" "$vmlinuz" | $unpack > "$OUT/vmlinux.tmp" 2>/dev/null || true
		[ "$(head -c 4 "$OUT/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || {
			echo "guest: extracted kernel $KVER is not an ELF file" >&2; exit 1; }
		mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
	fi
	echo "$KVER" > "$OUT/kernel-version"
	dpkg-deb -f "$DEB" Version > "$OUT/kernel-package-version"

	# Our driver, against this kernel's headers, in a directory of its own.
	KDIR=$(headers "$KVER" "$OUT")
	make -s -C "$TOP/impl/guest" KVER="$KVER" KDIR="$KDIR" OUT="$OUT/driver" >"$OUT/driver.log" 2>&1 || {
		cat "$OUT/driver.log" >&2; echo "guest: driver build for $KVER failed" >&2; exit 1; }
	# Kbuild's notes are not warnings; anything else the compiler says is.
	if grep -v -e '^make' -e 'Skipping BTF generation' -e '^  [A-Z]' "$OUT/driver.log" | grep -q .; then
		cat "$OUT/driver.log" >&2
		echo "guest: driver build for $KVER is not warning-free" >&2
		exit 1
	fi
	cp "$OUT/driver/pvmig_balloon.ko" "$OUT/pvmig_balloon.ko"

	# --- initramfs tree ---
	ROOT=$OUT/initramfs
	rm -rf "$ROOT"
	mkdir -p "$ROOT/bin" "$ROOT/usr/bin" "$ROOT/usr/sbin" "$ROOT/lib/modules/stock" \
		"$ROOT/etc" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/run"
	cp /bin/busybox "$ROOT/bin/busybox"
	cp "$TOP/workloads/guest/init" "$ROOT/init"
	chmod 755 "$ROOT/init"
	copy_with_libs "$ROOT" /usr/bin/stress-ng /usr/bin
	copy_with_libs "$ROOT" /usr/sbin/qemu-ga /usr/sbin
	# stress-ng and glibc look these up by name
	echo "root:x:0:0:root:/:/bin/sh" > "$ROOT/etc/passwd"
	echo "root:x:0:" > "$ROOT/etc/group"

	# The stock modules init loads in this order, if they are modules at
	# all: 6.12 builds virtio, virtio_pci and virtio_console in, and
	# ships its modules xz-compressed, which busybox's insmod cannot
	# read, so they are stored decompressed.  A module that is neither
	# a file nor built in is an error.
	MODDIR=$KROOT/lib/modules/$KVER
	for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
		 drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/char/virtio_console \
		 drivers/virtio/virtio_balloon drivers/block/virtio_blk lib/crc16 fs/mbcache fs/jbd2/jbd2 \
		 crypto/crc32c_generic fs/ext4/ext4; do
		dst=$ROOT/lib/modules/stock/${m##*/}.ko
		if [ -f "$MODDIR/kernel/$m.ko" ]; then
			cp "$MODDIR/kernel/$m.ko" "$dst"
		elif [ -f "$MODDIR/kernel/$m.ko.xz" ]; then
			xz -dc "$MODDIR/kernel/$m.ko.xz" > "$dst"
		elif ! grep -qx "kernel/$m.ko" "$MODDIR/modules.builtin"; then
			echo "guest: $KVER has no module $m" >&2; exit 1
		fi
	done

	cp "$OUT/pvmig_balloon.ko" "$ROOT/lib/modules/"
	for prog in "$TOP"/build/workloads/*; do
		[ -x "$prog" ] && cp "$prog" "$ROOT/usr/bin/"
	done

	( cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet ) > "$OUT/initramfs.cpio.tmp"
	mv "$OUT/initramfs.cpio.tmp" "$OUT/initramfs.cpio"
	echo "guest: $OUT/vmlinux, initramfs.cpio ($(du -h "$OUT/initramfs.cpio" | cut -f1))"
}

for k in "$@"; do
	build_one "$k"
done

# The default kernel's set under the old names.  Relative links, so that a
# copy of the checkout (the hosts mode's stand-ins) keeps them working.
if [ -s "$GUEST/$DEFAULT/initramfs.cpio" ]; then
	for f in vmlinux initramfs.cpio pvmig_balloon.ko kernel-version kernel-package-version; do
		[ -L "$GUEST/$f" ] || rm -f "$GUEST/$f"
		ln -sfn "$DEFAULT/$f" "$GUEST/$f"
	done
fi
