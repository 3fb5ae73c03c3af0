#!/bin/sh
# Prepares what is needed to run the linux-arm64 executable on an x86_64 Debian/Ubuntu machine
# under qemu-user: qemu-aarch64-static, and a folder holding the arm64 C runtime (glibc,
# libstdc++, libgcc) that the official Node binary links against. binfmt_misc is usually not
# mounted in containers, so the result is run explicitly:
#
#   SYSROOT=$(sh packaging/arm64-sysroot.sh)
#   qemu-aarch64-static -L "$SYSROOT" packaging/out/kube-lite-linux-arm64 --version
#
# Prints the sysroot path as the last line of stdout; progress goes to stderr. Cached under
# packaging/cache/arm64-sysroot (override with KUBE_LITE_ARM64_SYSROOT). Installing qemu and
# adding the arm64 package architecture need root; a prepared machine needs nothing.
# KUBE_LITE_ARM64_NO_INSTALL=1 forbids changing the machine (apt-get, dpkg --add-architecture):
# build-executables.mjs sets it unless CI=true, so a plain build never installs system packages.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
sysroot=${KUBE_LITE_ARM64_SYSROOT:-$here/cache/arm64-sysroot}
# The packages whose shared libraries `node` needs (ldd: libc, libm, libdl, libpthread, libstdc++, libgcc_s).
packages="libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64"
# The sysroot is complete once the dynamic loader and the C++ runtime are both in place.
marker="$sysroot/.complete"

say() { printf '[arm64-sysroot] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Whether this run may install packages: root, and not forbidden by the caller.
may_install() { [ "$(id -u)" = 0 ] && [ "${KUBE_LITE_ARM64_NO_INSTALL:-}" != 1 ]; }

if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
  may_install || die "qemu-aarch64-static is missing; as root run: sh packaging/arm64-sysroot.sh (or apt-get install -y qemu-user-static)"
  say "installing qemu-user-static"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static >&2; } \
    || die "could not install qemu-user-static"
fi

if [ -f "$marker" ]; then
  echo "$sysroot"
  exit 0
fi

command -v dpkg >/dev/null 2>&1 || die "dpkg is missing: this script knows Debian and Ubuntu only"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  may_install || die "the arm64 package architecture is not enabled; as root run: sh packaging/arm64-sysroot.sh (or dpkg --add-architecture arm64 && apt-get update)"
  say "enabling the arm64 package architecture"
  dpkg --add-architecture arm64
  apt-get update -q >&2 || die "apt-get update failed"
fi

download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
say "downloading $packages"
# apt-get download needs no root, only the arm64 package lists.
if ! (cd "$download" && apt-get download $packages >&2); then
  may_install || die "apt-get download failed; as root run: sh packaging/arm64-sysroot.sh (or apt-get update first)"
  apt-get update -q >&2 && (cd "$download" && apt-get download $packages >&2) || die "apt-get download $packages failed"
fi

rm -rf "$sysroot.partial"
mkdir -p "$sysroot.partial"
for deb in "$download"/*.deb; do
  dpkg -x "$deb" "$sysroot.partial"
done
[ -e "$sysroot.partial/lib/ld-linux-aarch64.so.1" ] || die "the arm64 dynamic loader is missing from the extracted packages"
ls "$sysroot.partial"/usr/lib/aarch64-linux-gnu/libstdc++.so.6* >/dev/null 2>&1 || die "libstdc++ for arm64 is missing from the extracted packages"
touch "$sysroot.partial/.complete"
rm -rf "$sysroot"
mv "$sysroot.partial" "$sysroot"
say "sysroot ready at $sysroot"
echo "$sysroot"
