#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (as root) for the full test suite: the Docker engine and the
# local busybox test image (packaging/setup-docker.sh), openssl, and the packaging tools (llvm-strip,
# qemu-user for the arm64 executable). Idempotent: safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v qemu-aarch64-static >/dev/null 2>&1 || need_apt+=(qemu-user-static)
command -v llvm-strip >/dev/null 2>&1 || need_apt+=(llvm)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if ((${#need_apt[@]})); then
  echo "setup-host: installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
./packaging/setup-docker.sh
echo "setup-host: ready"
