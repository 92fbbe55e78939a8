#!/usr/bin/env bash
# TorchSharp 0.107's native library (libLibTorchSharp.so) is built against libstdc++ from GCC 13+
# and needs the symbol version GLIBCXX_3.4.32. Debian 12 and Ubuntu 22.04 ship GCC 12's libstdc++,
# so every TorchSharp call fails there with "libLibTorchSharp.so ... not found".
#
# This script is idempotent: it does nothing when the symbol version is already present.
# On Debian 12 it adds the trixie suite pinned at priority 100 (so no other package is ever taken
# from it unless asked for with -t trixie) and upgrades libstdc++6 from it.
set -euo pipefail

need=GLIBCXX_3.4.32

has_symbol() {
  local lib
  for lib in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6; do
    if [ -e "$lib" ] && grep -aq "$need" "$lib"; then return 0; fi
  done
  return 1
}

if has_symbol; then
  echo "libstdc++ already provides $need; nothing to do."
  exit 0
fi

if [ "$(uname -s)" != "Linux" ]; then
  echo "Not Linux: TorchSharp's Windows/macOS packages bring their own runtime; nothing to do."
  exit 0
fi

. /etc/os-release
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

case "${ID:-}:${VERSION_CODENAME:-}" in
  debian:bookworm)
    echo "Debian 12: installing libstdc++6 from trixie (pinned at priority 100)."
    if [ -d /etc/apt/sources.list.d ] && ! grep -rqs "trixie" /etc/apt/sources.list.d/; then
      $SUDO tee /etc/apt/sources.list.d/stem-trixie.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    $SUDO tee /etc/apt/preferences.d/stem-trixie-low >/dev/null <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t trixie libstdc++6
    ;;
  ubuntu:jammy)
    echo "Ubuntu 22.04: installing libstdc++6 from the ubuntu-toolchain-r/test PPA."
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq software-properties-common
    $SUDO add-apt-repository -y ppa:ubuntu-toolchain-r/test
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libstdc++6
    ;;
  *)
    echo "error: libstdc++ lacks $need and this script does not know how to upgrade it on ${PRETTY_NAME:-this system}." >&2
    echo "Install libstdc++ from GCC 13 or newer (it is backward compatible) and run again." >&2
    exit 1
    ;;
esac

if has_symbol; then
  echo "libstdc++ now provides $need."
else
  echo "error: libstdc++ still lacks $need after the upgrade." >&2
  exit 1
fi
