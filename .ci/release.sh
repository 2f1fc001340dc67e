#!/usr/bin/env bash
# Builds the release artefacts into dist/ and checks them:
#   dist/netdebug-VERSION-linux-amd64.tar.xz   fyne package -os linux, with
#       Chinese names in the .desktop entry (checked by desktop-file-validate)
#       and a binary that must render its window under Xvfb (.ci/smoke.sh);
#   dist/netdebug-VERSION-windows-amd64.zip    fyne package -os windows,
#       cross-compiled with mingw-w64; the .exe must be a PE32+ GUI-subsystem
#       binary with an icon and a version resource.
# Release builds are stripped (-trimpath -s -w, fyne --release) and built
# with the fyneDo migration tag from FyneApp.toml, so Fyne's thread checker
# is off; `make run` builds keep it on.
#
# usage: .ci/release.sh [linux|windows|all]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
GO=$(.ci/go.sh)
what=${1:-all}

# Version: an exact v* git tag wins, else FyneApp.toml.
version=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null | sed 's/^v//' || true)
[ -n "$version" ] || version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
build=$(sed -n 's/^ *Build *= *\([0-9]*\).*/\1/p' FyneApp.toml)
echo "NetDebug $version (build $build)"
# The CLI prints these (`netdebug version`); fyne passes GOFLAGS' -ldflags on.
export GOFLAGS="-ldflags=-X=main.version=$version -ldflags=-X=main.build=$build"
mkdir -p dist
# The pinned fyne CLI (go.mod's tool directive), built once for this host:
# building it inside `go tool` with the Windows cross compiler in CC fails.
fyne=$root/.ci/cache/bin/fyne
"$GO" build -o "$fyne" fyne.io/tools/cmd/fyne

# fyne package reads FyneApp.toml from the package directory (app/) and
# bumps its Build number there; it gets a temporary copy, so the project's
# file stays the one source and is never rewritten.
stage_metadata() {
  sed -e 's#^\( *Icon *= *\)"assets/#\1"../assets/#' -e "s/^\( *Version *= *\)\".*\"/\1\"$version\"/" FyneApp.toml > app/FyneApp.toml
}
cleanup() { rm -f app/FyneApp.toml app/netdebug app/*.exe app/NetDebug.tar.xz app/fyne.syso; }
trap cleanup EXIT

timed() { # name command...
  local start=$SECONDS
  "${@:2}"
  echo "$1 built in $((SECONDS - start)) s"
}

linux() {
  stage_metadata
  rm -f app/netdebug app/NetDebug.tar.xz
  timed "linux package" bash -c "cd app && '$fyne' package -os linux --release --exe netdebug --name NetDebug"
  local work=dist/.linux
  rm -rf "$work"; mkdir -p "$work"
  tar -xJf app/NetDebug.tar.xz -C "$work"
  local desktop
  desktop=$(ls "$work"/usr/local/share/applications/*.desktop)
  # English and Chinese names and comments for the launcher.
  sed -i -e '/^Name=/a Name[zh_CN]=NetDebug 网络调试助手' \
         -e '/^GenericName=/a GenericName[zh_CN]=网络调试助手' \
         -e '/^Comment=/a Comment[zh_CN]=调试 TCP、UDP 和 TFTP 设备：收发数据、聊天、传输文件' "$desktop"
  desktop-file-validate "$desktop"
  cp README.md LICENSE "$work/"
  local out=dist/netdebug-$version-linux-amd64.tar.xz
  tar -C "$work" -cJf "$out" .
  # The packaged binary must start and render, like the development build.
  .ci/smoke.sh "$work/usr/local/bin/netdebug"
  rm -rf "$work"
  echo "$out: $(du -h "$out" | cut -f1) ($(stat -c %s "$out") bytes)"
}

windows() {
  stage_metadata
  rm -f app/*.exe
  command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "release: x86_64-w64-mingw32-gcc is missing (make release installs gcc-mingw-w64-x86-64)" >&2; exit 1; }
  timed "windows package" bash -c "cd app && CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ CGO_ENABLED=1 '$fyne' package -os windows --release --exe netdebug.exe --name NetDebug"
  # fyne names the .exe after the application.
  local exe
  exe=$(ls app/*.exe | head -n1)
  local info
  info=$(x86_64-w64-mingw32-objdump -p "$exe")
  grep -q 'file format pei-x86-64' <<<"$info" || { echo "release: $exe is not PE32+ (x86-64)" >&2; exit 1; }
  grep -Eq 'Subsystem[[:space:]]+0*2[[:space:]]+\(Windows GUI\)' <<<"$info" || { echo "release: $exe is not a GUI-subsystem binary" >&2; exit 1; }
  # Top-level resource types: 3 RT_ICON, 0xe RT_GROUP_ICON, 0x10 RT_VERSION.
  local types
  types=$(sed -n '/The .rsrc Resource Directory section/,$p' <<<"$info" | grep -E '^[0-9a-f]+   Entry: ID: ' || true)
  for t in '0x000003:icon' '0x00000e:icon group' '0x000010:version'; do
    grep -q "ID: ${t%%:*}," <<<"$types" || { echo "release: $exe has no ${t#*:} resource" >&2; exit 1; }
  done
  echo "$exe: PE32+, Windows GUI subsystem, icon and version resources; $(du -h "$exe" | cut -f1) ($(stat -c %s "$exe") bytes)"
  local work=dist/.windows/NetDebug-$version
  rm -rf dist/.windows; mkdir -p "$work"
  cp "$exe" "$work/NetDebug.exe"
  cp README.md LICENSE "$work/"
  local out=$root/dist/netdebug-$version-windows-amd64.zip
  rm -f "$out"
  (cd dist/.windows && zip -qr "$out" "NetDebug-$version")
  rm -rf dist/.windows
  echo "dist/$(basename "$out"): $(du -h "$out" | cut -f1) ($(stat -c %s "$out") bytes)"
}

case "$what" in
  linux) linux ;;
  windows) windows ;;
  all) linux; windows ;;
  *) echo "usage: $0 [linux|windows|all]" >&2; exit 2 ;;
esac
