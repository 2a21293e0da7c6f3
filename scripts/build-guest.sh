#!/bin/sh
# Build the test guest from Debian's packages: an uncompressed vmlinux (it
# boots through PVH, skipping the in-guest decompressor, which is slow under
# TCG) and an uncompressed initramfs with busybox, stress-ng, qemu-ga, the
# stock virtio modules, our balloon driver and our guest programs.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/build/guest
KVER=$(cat "$TOP/build/kernel-version" 2>/dev/null) || {
	echo "guest: build/kernel-version missing: run make deps" >&2; exit 1; }

mkdir -p "$OUT/pkg"
DEB=$(ls "$OUT"/pkg/linux-image-"$KVER"_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$DEB" ]; then
	( cd "$OUT/pkg" && apt-get download -q "linux-image-$KVER" >/dev/null 2>&1 ) || {
		echo "guest: cannot download linux-image-$KVER" >&2; exit 1; }
	DEB=$(ls "$OUT"/pkg/linux-image-"$KVER"_*.deb | head -n1)
fi
KDIR=$OUT/pkg/root
if [ ! -f "$KDIR/boot/vmlinuz-$KVER" ]; then
	rm -rf "$KDIR"
	dpkg-deb -x "$DEB" "$KDIR"
fi

# The bzImage carries an xz stream (CONFIG_KERNEL_XZ); the vmlinux is that
# stream decompressed.  xz stops at the end of the stream and complains
# about the trailing bytes, so its exit status is not checked; the ELF
# magic is.
if [ ! -s "$OUT/vmlinux" ]; then
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$KDIR/boot/vmlinuz-$KVER" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || { echo "guest: no xz stream in vmlinuz" >&2; exit 1; }
	tail -c +"$((off + 1))" "$KDIR/boot/vmlinuz-$KVER" | xz -dc > "$OUT/vmlinux.tmp" 2>/dev/null || true
	[ "$(head -c 4 "$OUT/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || {
		echo "guest: extracted kernel is not an ELF file" >&2; exit 1; }
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
fi
echo "$KVER" > "$OUT/kernel-version"
dpkg-deb -f "$DEB" Version > "$OUT/kernel-package-version"

# --- initramfs tree ---
ROOT=$OUT/initramfs
rm -rf "$ROOT"
mkdir -p "$ROOT/bin" "$ROOT/usr/bin" "$ROOT/usr/sbin" "$ROOT/lib/modules/stock" \
	"$ROOT/etc" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/run"
cp /bin/busybox "$ROOT/bin/busybox"
cp "$TOP/workloads/guest/init" "$ROOT/init"
chmod 755 "$ROOT/init"

# copy_with_libs BINARY DESTDIR: the binary and every shared library ldd
# names, at the same paths, plus the dynamic loader.
copy_with_libs() {
	cp "$1" "$ROOT$2/"
	for lib in $(ldd "$1" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}'); do
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
}
copy_with_libs /usr/bin/stress-ng /usr/bin
copy_with_libs /usr/sbin/qemu-ga /usr/sbin
# stress-ng and glibc look these up by name
echo "root:x:0:0:root:/:/bin/sh" > "$ROOT/etc/passwd"
echo "root:x:0:" > "$ROOT/etc/group"

MODSRC=$KDIR/lib/modules/$KVER/kernel
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
	 drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/char/virtio_console \
	 drivers/virtio/virtio_balloon drivers/block/virtio_blk lib/crc16 fs/mbcache fs/jbd2/jbd2 \
	 crypto/crc32c_generic fs/ext4/ext4; do
	cp "$MODSRC/$m.ko" "$ROOT/lib/modules/stock/"
done

# Our driver and guest programs, when built (make guest builds them first).
[ -f "$TOP/impl/guest/pvmig_balloon.ko" ] && cp "$TOP/impl/guest/pvmig_balloon.ko" "$ROOT/lib/modules/"
for prog in "$TOP"/build/workloads/*; do
	[ -x "$prog" ] && cp "$prog" "$ROOT/usr/bin/"
done

( cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet ) > "$OUT/initramfs.cpio.tmp"
mv "$OUT/initramfs.cpio.tmp" "$OUT/initramfs.cpio"
echo "guest: $OUT/vmlinux ($KVER), $OUT/initramfs.cpio ($(du -h "$OUT/initramfs.cpio" | cut -f1))"
