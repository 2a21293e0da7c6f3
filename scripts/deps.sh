#!/bin/sh
# Install every Debian package the project needs, idempotently.
# Quick when nothing is missing: apt is only consulted when a package is absent.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: must run as root (apt-get install, deb-src entry)" >&2
	exit 2
fi

# QEMU's source comes from `apt-get source qemu`, which needs a deb-src entry.
SRC_LIST=/etc/apt/sources.list.d/pvmig-deb-src.sources
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	cat > "$SRC_LIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	NEED_UPDATE=1
fi

PKGS="build-essential pkg-config ninja-build meson python3 python3-venv
 libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev flex bison dpkg-dev
 seabios qemu-system-data
 busybox-static stress-ng qemu-guest-agent cpio xz-utils zstd kmod
 libjansson-dev libpfm4-dev libhwloc-dev iperf3 iproute2 gnuplot-nox
 e2fsprogs jq"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done

# The guest kernel's headers must match the kernel we boot; both follow
# the archive's current linux-image-amd64.
KVER_FILE=build/kernel-version
if [ -s "$KVER_FILE" ]; then
	KVER=$(cat "$KVER_FILE")
else
	[ -n "${NEED_UPDATE:-}" ] || [ -n "$missing" ] || NEED_UPDATE=1
	if [ -n "${NEED_UPDATE:-}" ]; then apt-get update -q >/dev/null; NEED_UPDATE=; fi
	KVER=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -n1)
	[ -n "$KVER" ] || { echo "deps: cannot resolve the linux-image-amd64 version" >&2; exit 1; }
	mkdir -p build
	echo "$KVER" > "$KVER_FILE"
fi
dpkg-query -W -f='${Status}' "linux-headers-$KVER" 2>/dev/null | grep -q 'ok installed' ||
	missing="$missing linux-headers-$KVER"

if [ -n "$missing" ]; then
	[ -z "${NEED_UPDATE:-}" ] || true
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
elif [ -n "${NEED_UPDATE:-}" ]; then
	apt-get update -q >/dev/null
fi
echo "deps: ok (guest kernel $KVER)"
