#!/usr/bin/env bash
# TorchSharp 0.107's native library (libLibTorchSharp.so) is built against libstdc++ from GCC 13+
# and needs the symbol version GLIBCXX_3.4.32. Debian 12 and Ubuntu 22.04 ship GCC 12's libstdc++,
# so every TorchSharp call fails there with "libLibTorchSharp.so ... not found".
#
# Usage: bash eng/install-libstdcxx.sh [--dry-run]
#   --dry-run  print what would change (sources, pin, packages) and change nothing.
#
# This script is idempotent: it does nothing when the symbol version is already present.
# On Debian 12 it adds the trixie suite (from the mirror the system already uses) pinned at
# priority 100, so that no other package is taken from it unless asked for with -t trixie, and
# upgrades libstdc++6 from it. That is not a small change: trixie's libc6 comes along, and because
# it declares "Breaks: base-files (<< 13.3~)", base-files moves too, and the system then reports
# itself as Debian 13 (/etc/os-release, dotnet --info). Development packages (build-essential,
# libc6-dev, locales) must afterwards be installed with -t trixie to match the new libc. For a
# production Debian 12 host, prefer a Debian 13 or Ubuntu 24.04 base image, where nothing is needed.
#
# For tests: STEM_LIBSTDCXX_ROOT puts /etc under another root and skips the symbol check.
set -euo pipefail

dry_run=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$arg' (use --dry-run or --help)" >&2; exit 2 ;;
  esac
done

need=GLIBCXX_3.4.32
root="${STEM_LIBSTDCXX_ROOT:-}"
apt_dir="$root/etc/apt"

has_symbol() {
  [ -n "$root" ] && return 1
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

# shellcheck disable=SC1091
. "$root/etc/os-release"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

# Every apt source file: the classic list and both formats under sources.list.d.
source_files() {
  local f
  for f in "$apt_dir/sources.list" "$apt_dir"/sources.list.d/*.list "$apt_dir"/sources.list.d/*.sources; do
    [ -f "$f" ] && echo "$f"
  done
  return 0
}

# The first URI of the first deb822 stanza of a file whose Suites name bookworm.
deb822_uri_for_bookworm() {
  local line uris="" suites="" key value
  while IFS= read -r line || [ -n "$line" ]; do
    if [ -z "${line//[[:space:]]/}" ]; then
      if [[ " $suites " == *" bookworm "* ]] && [ -n "$uris" ]; then echo "${uris%% *}"; return; fi
      uris=""; suites=""; continue
    fi
    key="${line%%:*}"; value="${line#*:}"; value="$(echo "$value" | xargs)"
    case "$key" in
      URIs) uris="$value" ;;
      Suites) suites="$value" ;;
    esac
  done < "$1"
  if [[ " $suites " == *" bookworm "* ]] && [ -n "$uris" ]; then echo "${uris%% *}"; fi
}

# The Debian mirror this system already uses for bookworm (one-line or deb822 format).
configured_mirror() {
  local f uri
  while read -r f; do
    # One-line: deb [options] URI bookworm components
    uri=$(sed -nE 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+bookworm([[:space:]].*)?$/\2/p' "$f" | head -n1)
    if [ -n "$uri" ]; then echo "$uri"; return; fi
    # deb822: a stanza whose Suites include bookworm (not only bookworm-security).
    uri=$(deb822_uri_for_bookworm "$f")
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done < <(source_files)
  echo "http://deb.debian.org/debian"
}

# A source file that already names the trixie suite (not trixie-security/-updates alone).
existing_trixie_source() {
  local f
  while read -r f; do
    if grep -Eqs '^[^#]*([[:space:]]|^Suites:.*)trixie([[:space:]]|$)' "$f"; then echo "$f"; return; fi
  done < <(source_files)
}

run() {
  if [ "$dry_run" = 1 ]; then echo "  would run: $*"; else "$@"; fi
}

write_file() { # path, content
  if [ "$dry_run" = 1 ]; then
    echo "  would write $1:"
    printf '%s\n' "$2" | sed 's/^/    /'
  else
    printf '%s\n' "$2" | $SUDO tee "$1" >/dev/null
  fi
}

case "${ID:-}:${VERSION_CODENAME:-}" in
  debian:bookworm)
    [ "$dry_run" = 1 ] && echo "Dry run: nothing is changed."
    echo "Debian 12: installing libstdc++6 from trixie (pinned at priority 100)."
    existing=$(existing_trixie_source || true)
    if [ -n "$existing" ]; then
      echo "A trixie source is already configured in $existing; using it."
    else
      mirror=$(configured_mirror)
      echo "Adding the trixie suite from the configured mirror $mirror."
      write_file "$apt_dir/sources.list.d/stem-trixie.sources" "Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    fi
    write_file "$apt_dir/preferences.d/stem-trixie-low" "Package: *
Pin: release n=trixie
Pin-Priority: 100"
    cat <<'NOTE'
What moves: libstdc++6, and with it trixie's libc6 (2.41) and what depends on it exactly; libc6
declares "Breaks: base-files (<< 13.3~)", so base-files moves too and the system then reports
itself as Debian 13 (/etc/os-release, dotnet --info). How many packages move depends on what is
installed (6 on a minimal system); none is removed.
NOTE
    if [ "$dry_run" = 1 ] && [ -z "$existing" ]; then
      echo "  (the exact package list is known only after apt-get update with the trixie source)"
    fi
    if [ -z "$root" ] && { [ "$dry_run" = 0 ] || [ -n "$existing" ]; }; then
      [ "$dry_run" = 0 ] && $SUDO apt-get update -qq
      echo "Packages that move:"
      apt-get install -s -t trixie libstdc++6 2>/dev/null | sed -nE 's/^Inst ([^ ]+) \[([^]]+)\] \(([^ ]+).*/  \1 \2 -> \3/p; s/^Inst ([^ ]+) \(([^ ]+).*/  \1 (new) \2/p'
    fi
    run env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t trixie libstdc++6
    cat <<'NOTE'
Afterwards: install development packages from trixie too, to match the new libc, e.g.
  apt-get install -t trixie build-essential libc6-dev locales
(without -t trixie they fail on the libc6 version). For a production Debian 12 host, prefer a
Debian 13 or Ubuntu 24.04 base image or container instead: there nothing is needed.
NOTE
    ;;
  ubuntu:jammy)
    [ "$dry_run" = 1 ] && echo "Dry run: nothing is changed."
    echo "Ubuntu 22.04: installing libstdc++6 from the ubuntu-toolchain-r/test PPA."
    run env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq software-properties-common
    run $SUDO add-apt-repository -y ppa:ubuntu-toolchain-r/test
    run $SUDO apt-get update -qq
    run env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libstdc++6
    echo "For production, an Ubuntu 24.04 or Debian 13 base image needs nothing."
    ;;
  *)
    echo "error: libstdc++ lacks $need and this script does not know how to upgrade it on ${PRETTY_NAME:-this system}." >&2
    echo "Install libstdc++ from GCC 13 or newer (it is backward compatible) and run again." >&2
    exit 1
    ;;
esac

[ "$dry_run" = 1 ] && exit 0
if has_symbol; then
  echo "libstdc++ now provides $need."
else
  echo "error: libstdc++ still lacks $need after the upgrade." >&2
  exit 1
fi
