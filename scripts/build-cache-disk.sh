#!/bin/sh
# build-cache-disk.sh MIB OUT: an ext4 image (e2fsprogs' mkfs.ext4 -d) holding
# MIB MiB of files with random content, for case3's guest to read into its
# page cache.  Random, so the cached pages are not zero pages to QEMU; one
# file per 64 MiB, each a separate inode, so each is cached separately.
# Kept between runs: rebuilt only when the size changes.
set -eu
mib=$1
out=$2
case $mib in ''|*[!0-9]*) echo "build-cache-disk: bad size '$mib'" >&2; exit 2 ;; esac
[ -s "$out" ] && [ "$(cat "$out.size" 2>/dev/null)" = "$mib" ] && exit 0

tmp=$(mktemp -d "${out%/*}/cache-disk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/files"
head -c $((64 << 20)) /dev/urandom > "$tmp/chunk"
i=0
while [ $((i * 64)) -lt "$mib" ]; do
	cp "$tmp/chunk" "$tmp/files/data$i"
	# make every file differ, so nothing along the way can share them
	printf '%08d' "$i" | dd of="$tmp/files/data$i" bs=1 seek=0 conv=notrunc 2>/dev/null
	i=$((i + 1))
done
# room for ext4's metadata: 10% more, at least 64 MiB
size=$((mib + mib / 10 + 64))
rm -f "$out"
mkfs.ext4 -q -F -L pvmig-cache -d "$tmp/files" "$out" "${size}M"
echo "$mib" > "$out.size"
