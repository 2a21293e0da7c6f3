#!/bin/sh
# Install every Debian package the project needs, idempotently.
# Quick when nothing is missing: apt is only consulted when a package is absent.
#
# QEMU is built from Debian trixie's source package (10.0) on bookworm.
# Two apt entries make that possible without changing the system's suite:
#  - a deb-src-only entry for trixie: `apt-get source` can fetch trixie's
#    qemu source, but no trixie binary package can ever be installed;
#  - a deb entry for bookworm-backports, whose packages apt never picks on
#    its own (the suite is NotAutomatic); only meson and python3-pycotap are
#    asked for from it, by name (QEMU 10.0 needs meson >= 1.5).
# openssh-server, hwloc (lstopo) and ethtool are for the hosts mode: the
# harness drives real hosts over ssh and describes them with lstopo and
# ethtool; the tests run sshd in namespaces of their own (its package's
# service is not configured by the project).
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: must run as root (apt-get install, apt sources)" >&2
	exit 2
fi

NEED_UPDATE=
add_source() {	# file, content: written only when missing or different
	if [ "$(cat "$1" 2>/dev/null)" != "$2" ]; then
		printf '%s\n' "$2" > "$1"
		NEED_UPDATE=1
	fi
}

add_source /etc/apt/sources.list.d/pvmig-trixie-src.sources "Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"

if ! grep -rqs '^Suites:.*bookworm-backports\|^deb .*bookworm-backports' \
	/etc/apt/sources.list /etc/apt/sources.list.d/ ||
   [ -f /etc/apt/sources.list.d/pvmig-backports.sources ]; then
	add_source /etc/apt/sources.list.d/pvmig-backports.sources "Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
fi
# An older checkout of this project added bookworm's deb-src for QEMU 7.2;
# it is no longer needed and would only slow down apt-get update.
if [ -f /etc/apt/sources.list.d/pvmig-deb-src.sources ]; then
	rm -f /etc/apt/sources.list.d/pvmig-deb-src.sources
	NEED_UPDATE=1
fi

PKGS="build-essential pkg-config ninja-build python3 python3-venv
 libglib2.0-dev libpixman-1-dev zlib1g-dev libzstd-dev libfdt-dev flex bison dpkg-dev
 seabios qemu-system-data
 busybox-static stress-ng qemu-guest-agent cpio xz-utils zstd kmod
 libjansson-dev libpfm4-dev libhwloc-dev hwloc iperf3 iproute2 ethtool gnuplot-nox
 e2fsprogs jq openssh-client openssh-server
 clang-14 libclang-rt-14-dev
 pahole"
# clang-14 and libclang-rt-14-dev (libFuzzer, the sanitizer runtimes):
# build-qemu.sh's fuzz flavour (make qemu-fuzz).  libzstd-dev: both QEMU
# builds take --enable-zstd, for the multifd-zstd method.
# pahole: the 6.12 guest kernel's Kbuild (linux-kbuild-6.12.*) runs it to
# give modules BTF against the vmlinux its headers package ships, and fails
# the module build without it; 6.1's headers ship no vmlinux.

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done

# From bookworm-backports, by name: meson >= 1.5 and python3-pycotap.
meson_ok() {
	v=$(dpkg-query -W -f='${Version}' meson 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge 1.5
}
meson_ok || missing="$missing meson/bookworm-backports"
installed python3-pycotap || missing="$missing python3-pycotap/bookworm-backports"

apt_update() {
	apt-get update -q >/dev/null
	NEED_UPDATE=
}

# Guest kernels.  Each is named by the ABI version a Debian meta-package
# depends on, resolved once and kept in build/ so that a rebuild boots the
# same kernel until build/ is removed:
#  - the default, build/kernel-version: bookworm's linux-image-amd64 (6.1);
#  - build/kernel-versions: every guest kernel `make guest` builds, the
#    default first, then 6.12 from linux-image-6.12-amd64.  That
#    meta-package is bookworm's own 6.12 line (bookworm-security, security
#    supported); bookworm-backports builds the same source (the same +deb12
#    ABI names) but its linux-image-amd64 lags behind it (6.12.95 against
#    6.12.118 when this was written) and backports gets no security support.
# The default kernel's headers are installed, as they always were.  The
# other kernels' headers are not: since 6.12 linux-headers-<ver>-amd64
# depends on its linux-image package, and installing that would put a
# kernel into this machine's /boot and run its initramfs and boot loader
# hooks.  scripts/build-guest.sh downloads and extracts those headers
# instead, as it does every guest kernel image.
resolve_kver() {	# meta-package: the linux-image-<ABI> it depends on
	apt-cache depends "$1" | sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -n1
}
KVER_FILE=build/kernel-version
if [ -s "$KVER_FILE" ]; then
	KVER=$(cat "$KVER_FILE")
else
	apt_update
	KVER=$(resolve_kver linux-image-amd64)
	[ -n "$KVER" ] || { echo "deps: cannot resolve the linux-image-amd64 version" >&2; exit 1; }
	mkdir -p build
	echo "$KVER" > "$KVER_FILE"
fi
installed "linux-headers-$KVER" || missing="$missing linux-headers-$KVER"
KVERS_FILE=build/kernel-versions
if [ "$(head -n1 "$KVERS_FILE" 2>/dev/null)" != "$KVER" ] || [ "$(wc -l < "$KVERS_FILE")" -lt 2 ]; then
	apt_update
	K612=$(resolve_kver linux-image-6.12-amd64)
	[ -n "$K612" ] || { echo "deps: cannot resolve the linux-image-6.12-amd64 version" >&2; exit 1; }
	printf '%s\n%s\n' "$KVER" "$K612" > "$KVERS_FILE"
fi

if [ -n "$missing" ]; then
	apt_update
	# Another apt (a second checkout's make deps) may hold the lock.
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -q --no-install-recommends $missing
elif [ -n "$NEED_UPDATE" ]; then
	apt_update
fi
echo "deps: ok (guest kernels $(tr '\n' ' ' < "$KVERS_FILE")(default $KVER), meson $(dpkg-query -W -f='${Version}' meson))"
