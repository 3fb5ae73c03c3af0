#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (as root) for the full test suite: the Docker engine and the
# local busybox test image, kubectl's neighbours, and the packaging tools (llvm-strip, qemu-user for
# the arm64 executable). Idempotent: safe to run again.
set -euo pipefail

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
[ -x /usr/bin/busybox ] || need_apt+=(busybox-static)
command -v qemu-aarch64-static >/dev/null 2>&1 || need_apt+=(qemu-user-static)
command -v llvm-strip >/dev/null 2>&1 || need_apt+=(llvm)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if ((${#need_apt[@]})); then
  echo "setup-host: installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -S /var/run/docker.sock ] || ! /usr/bin/docker info >/dev/null 2>&1; then
  echo "setup-host: starting dockerd"
  (dockerd >/var/log/dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do
    /usr/bin/docker info >/dev/null 2>&1 && break
    sleep 1
  done
  /usr/bin/docker info >/dev/null 2>&1 || { echo "setup-host: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi

# The test image: busybox with its applet links, made locally (no registry is reachable).
if ! /usr/bin/docker image inspect kube-lite-test/busybox:latest >/dev/null 2>&1; then
  echo "setup-host: building image kube-lite-test/busybox:latest"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  cp /usr/bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" -c . | /usr/bin/docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - kube-lite-test/busybox:latest >/dev/null
  rm -rf "$rootfs"
fi
echo "setup-host: ready"
