#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a make target needs, only when some
# are missing, with sudo when not root. On other systems it prints where to
# find Fyne's prerequisites and carries on (the build may still work).
#
# usage: .ci/deps.sh build|test|release
set -euo pipefail

BUILD="gcc pkg-config unzip libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libgtk-3-dev fonts-wqy-microhei curl ca-certificates"
# Tests: the real-window smoke test (xvfb, imagemagick, xdotool, tesseract),
# TFTP peers (tftpd-hpa, tftp-hpa, atftp, curl; atftpd is unpacked below),
# network namespaces and packet loss (iproute2, nftables), /etc/services for
# the port-name lookups (netbase), nc for manual runs;
# the real-window benchmark's flood peer and screen grabs (python3 with
# libX11/libXtst through ctypes).
TEST="$BUILD netbase xvfb xauth imagemagick xdotool tesseract-ocr tesseract-ocr-chi-sim tftpd-hpa tftp-hpa atftp iproute2 nftables netcat-openbsd procps psmisc python3 libx11-6 libxtst6"
# Release: the cross compiler for Windows, the .desktop check, and the
# smoke test each package goes through (the same tools as for make test).
RELEASE="$BUILD gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 desktop-file-utils zip file xvfb xauth imagemagick xdotool tesseract-ocr tesseract-ocr-chi-sim"

case "${1:-build}" in
  build) want=$BUILD ;;
  test) want=$TEST ;;
  release) want=$RELEASE ;;
  *) echo "usage: $0 build|test|release" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  cat >&2 <<MSG
NetDebug: this is not a Debian or Ubuntu system, so the system packages are not
installed automatically. Fyne needs a C compiler and the OpenGL/X11 (or Cocoa,
or Windows) development files; see https://docs.fyne.io/started/ for your OS.
Native file dialogs need GTK 3 development files on Linux/BSD. Continuing.
MSG
  exit 0
fi

missing=()
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "NetDebug: missing packages (${missing[*]:-none}) and no sudo; install them as root." >&2
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "NetDebug: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # policy-rc.d keeps tftpd-hpa's package from starting a system daemon on
  # port 69; the tests start their own servers.
  if [ -d /usr/sbin ] && [ ! -e /usr/sbin/policy-rc.d ] && [ -z "$SUDO" ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# atftpd conflicts with tftpd-hpa in apt, so its package is unpacked into
# .ci/cache/atftpd and the tests find it through $ATFTPD.
if [ "${1:-build}" = test ] && [ ! -x "$here/cache/atftpd/usr/sbin/atftpd" ]; then
  mkdir -p "$here/cache/deb"
  ( cd "$here/cache/deb" && { apt-get download atftpd >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download atftpd; }; } )
  dpkg -x "$here"/cache/deb/atftpd_*.deb "$here/cache/atftpd"
fi
