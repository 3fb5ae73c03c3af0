#!/usr/bin/env bash
# Makes a Docker engine available for the kube-lite agent on Debian/Ubuntu (as root): installs
# docker.io when missing, starts dockerd when it is not running (with or without systemd), and
# imports a small local image, kube-lite-test/busybox:latest, made from Debian's busybox-static
# (no registry needed), so `kubectl run x --image=kube-lite-test/busybox:latest` works offline.
# Idempotent: safe to run again.
set -euo pipefail

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
[ -x /usr/bin/busybox ] || need_apt+=(busybox-static)
if ((${#need_apt[@]})); then
  echo "setup-docker: installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

DOCKER=/usr/bin/docker
if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "setup-docker: starting dockerd"
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    systemctl start docker
  else
    (dockerd >/var/log/dockerd.log 2>&1 &)
  fi
  for _ in $(seq 1 60); do
    "$DOCKER" info >/dev/null 2>&1 && break
    sleep 1
  done
  "$DOCKER" info >/dev/null 2>&1 || { echo "setup-docker: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi

if ! "$DOCKER" image inspect kube-lite-test/busybox:latest >/dev/null 2>&1; then
  echo "setup-docker: building image kube-lite-test/busybox:latest"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  cp /usr/bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" -c . | "$DOCKER" import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - kube-lite-test/busybox:latest >/dev/null
  rm -rf "$rootfs"
fi
echo "setup-docker: ready"
