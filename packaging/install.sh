#!/bin/sh
# Installs kube-lite from a local executable as a systemd service. Never downloads anything:
# copy this script, the two .service files and the executable for the machine to it (a USB
# stick is fine) and run it as root.
#
#   sudo ./install.sh                                   # server (control plane + embedded agent)
#   sudo INSTALL_KUBE_LITE_EXEC="server --disable-agent --tls-san pi.lan" ./install.sh
#   sudo INSTALL_KUBE_LITE_EXEC="agent --server https://pi.lan:6443 --token K10…" ./install.sh
#
# Environment (names follow k3s's INSTALL_K3S_*):
#   INSTALL_KUBE_LITE_EXEC          role and flags: "server …" or "agent …"; flags alone mean
#                                   "server …" (default: "server")
#   INSTALL_KUBE_LITE_BIN           the executable to install (default: kube-lite-linux-<arch>
#                                   beside this script or in ./out/ beside it)
#   INSTALL_KUBE_LITE_BIN_DIR       where it goes, as `kube-lite` (default /usr/local/bin)
#   INSTALL_KUBE_LITE_SYSTEMD_DIR   where the unit goes (default /etc/systemd/system)
#   INSTALL_KUBE_LITE_SKIP_ENABLE   "true": write files only; no systemctl enable/start
#   INSTALL_KUBE_LITE_SKIP_START    "true": enable the unit but do not start it now
# Arguments may not contain quotes or backslashes (they are written into the unit quoted).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${INSTALL_KUBE_LITE_BIN_DIR:-/usr/local/bin}
systemd_dir=${INSTALL_KUBE_LITE_SYSTEMD_DIR:-/etc/systemd/system}
skip_enable=${INSTALL_KUBE_LITE_SKIP_ENABLE:-false}
skip_start=${INSTALL_KUBE_LITE_SKIP_START:-false}

info() { printf '[kube-lite install] %s\n' "$*"; }
fatal() { printf '[kube-lite install] error: %s\n' "$*" >&2; exit 1; }

# --- role and arguments -----------------------------------------------------------------
# Split INSTALL_KUBE_LITE_EXEC into words, without expanding * or ? against this folder.
set -f
# shellcheck disable=SC2086 # word splitting of INSTALL_KUBE_LITE_EXEC is the point
set -- ${INSTALL_KUBE_LITE_EXEC:-server}
set +f
case "${1:-server}" in
  server | agent) role=${1:-server}; [ $# -eq 0 ] || shift ;;
  -*) role=server ;;
  *) fatal "INSTALL_KUBE_LITE_EXEC must start with \"server\" or \"agent\", got \"$1\"" ;;
esac
for arg in "$@"; do
  case "$arg" in
    *[\"\'\\]*) fatal "argument $arg contains a quote or backslash, which cannot be written into the unit safely" ;;
  esac
done
unit_name=kube-lite-$role.service
unit_template=$here/$unit_name
[ -f "$unit_template" ] || fatal "$unit_name is missing; keep it beside install.sh"

# --- the executable ---------------------------------------------------------------------
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fatal "no kube-lite executable for $(uname -m): builds exist for x86_64 and aarch64 (64-bit Raspberry Pi OS) only" ;;
esac
[ "$(uname -s)" = Linux ] || fatal "kube-lite runs on Linux only"
src=${INSTALL_KUBE_LITE_BIN:-}
if [ -z "$src" ]; then
  for candidate in "$here/kube-lite-linux-$arch" "$here/out/kube-lite-linux-$arch"; do
    if [ -f "$candidate" ]; then src=$candidate; break; fi
  done
  [ -n "$src" ] || fatal "kube-lite-linux-$arch not found beside install.sh; set INSTALL_KUBE_LITE_BIN=/path/to/it"
fi
[ -f "$src" ] || fatal "INSTALL_KUBE_LITE_BIN=$src does not exist"
if [ -f "$src.sha256" ]; then
  command -v sha256sum >/dev/null 2>&1 || fatal "sha256sum is needed to check $src against $src.sha256"
  want=$(cut -d' ' -f1 <"$src.sha256")
  got=$(sha256sum "$src" | cut -d' ' -f1)
  [ "$want" = "$got" ] || fatal "$src does not match $src.sha256 (damaged copy?)"
  info "checksum of $(basename "$src") verified"
fi
# Running it catches the wrong architecture, a truncated copy and a too-old glibc before
# anything is changed on this machine.
chmod +x "$src" 2>/dev/null || true
version=$("$src" --version 2>&1) || fatal "$src does not run on this machine: $version"
info "installing $version"

# --- files --------------------------------------------------------------------------------
[ -w "$bin_dir" ] || [ "$(id -u)" = 0 ] || fatal "run as root (or set INSTALL_KUBE_LITE_BIN_DIR and INSTALL_KUBE_LITE_SYSTEMD_DIR to writable folders)"
mkdir -p "$bin_dir" "$systemd_dir"
# Copy then rename: replacing a running executable in place fails with "text file busy".
cp "$src" "$bin_dir/.kube-lite.new"
chmod 0755 "$bin_dir/.kube-lite.new"
mv -f "$bin_dir/.kube-lite.new" "$bin_dir/kube-lite"
info "installed $bin_dir/kube-lite"

exec_start="ExecStart=$bin_dir/kube-lite $role"
for arg in "$@"; do
  # systemd expands %specifiers and $VARIABLES in ExecStart; doubling keeps them literal.
  arg=$(printf '%s' "$arg" | sed -e 's/%/%%/g' -e 's/\$/$$/g')
  exec_start="$exec_start \"$arg\""
done
tmp_unit=$(mktemp "$systemd_dir/.$unit_name.XXXXXX")
trap 'rm -f "$tmp_unit"' EXIT
# Only the ExecStart line changes; awk gets it through the environment so no character in
# the arguments is special to it.
EXEC_START=$exec_start awk '/^ExecStart=/ { print ENVIRON["EXEC_START"]; next } { print }' "$unit_template" >"$tmp_unit"
grep -q '^ExecStart=' "$tmp_unit" || fatal "$unit_template has no ExecStart line"
chmod 0644 "$tmp_unit"
mv -f "$tmp_unit" "$systemd_dir/$unit_name"
trap - EXIT
info "wrote $systemd_dir/$unit_name ($exec_start)"

# --- service ------------------------------------------------------------------------------
if [ "$skip_enable" = true ]; then
  info "INSTALL_KUBE_LITE_SKIP_ENABLE=true: not enabling or starting $unit_name"
  exit 0
fi
command -v systemctl >/dev/null 2>&1 || fatal "systemctl not found: this installer supports systemd only (the files are in place; start $bin_dir/kube-lite $role yourself)"
systemctl daemon-reload
systemctl enable "$unit_name" >/dev/null
info "enabled $unit_name (starts at boot)"
if [ "$skip_start" = true ]; then
  info "INSTALL_KUBE_LITE_SKIP_START=true: not starting it now"
  exit 0
fi
systemctl restart "$unit_name"
info "started $unit_name; follow it with: journalctl -u $unit_name -f"
if [ "$role" = server ]; then
  info "the admin kubeconfig is DATA_DIR/kubeconfig.yaml (default /var/lib/kube-lite/kubeconfig.yaml)"
fi
