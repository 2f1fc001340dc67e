#!/usr/bin/env bash
# Real-window smoke test: start NetDebug under Xvfb, take a screenshot and
# fail unless the window really rendered:
#   - the screenshot is not one flat colour;
#   - OCR finds the tab bar ("TCP Client") and the first tab's labels;
#   - it matches .ci/reference/window.png within a tolerance;
#   - the app printed nothing on start (under LANG=C.UTF-8) and is still up.
#
# usage: .ci/smoke.sh [path/to/netdebug]   (default: dist/netdebug)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../dist/netdebug}
out=$here/out/smoke
rm -rf "$out"; mkdir -p "$out"
tolerance=${SMOKE_TOLERANCE:-0.03}

for tool in Xvfb import compare convert xdotool tesseract; do
  command -v $tool >/dev/null || { echo "smoke: $tool is missing (run make test, which installs it)" >&2; exit 1; }
done

# A free display number.
disp=""
for n in $(seq 91 120); do
  if [ ! -e /tmp/.X$n-lock ] && [ ! -e /tmp/.X11-unix/X$n ]; then disp=":$n"; break; fi
done
[ -n "$disp" ] || { echo "smoke: no free X display" >&2; exit 1; }

Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xpid=$!
app=""
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  kill "$xpid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
export DISPLAY=$disp
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done

# A fresh profile so the window is in its first-run state.
profile=$out/profile
mkdir -p "$profile"
XDG_CONFIG_HOME=$profile HOME=$profile LANG=C.UTF-8 LC_ALL= LANGUAGE= "$bin" >"$out/app.stdout" 2>"$out/app.stderr" &
app=$!

wid=""
for _ in $(seq 200); do
  wid=$(xdotool search --onlyvisible --name '^NetDebug$' 2>/dev/null | head -n1 || true)
  [ -n "$wid" ] && break
  kill -0 "$app" 2>/dev/null || { echo "smoke: the app exited early:" >&2; cat "$out/app.stderr" >&2; exit 1; }
  sleep 0.1
done
[ -n "$wid" ] || { echo "smoke: no NetDebug window appeared in 20 s" >&2; exit 1; }
sleep 3 # let the first frames render

import -window root "$out/screen.png"
eval "$(xdotool getwindowgeometry --shell "$wid")"
convert "$out/screen.png" -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$out/window.png"

fail=0
sd=$(convert "$out/window.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
if awk "BEGIN{exit !($sd < 0.02)}"; then echo "smoke: the window is one flat colour (sd=$sd)" >&2; fail=1; fi

convert "$out/window.png" -resize 300% -negate "$out/ocr.png"
tesseract "$out/ocr.png" "$out/ocr" --psm 11 >/dev/null 2>&1 || true
# The tab bar's "TCP Client", and the labels of the first tab.
for word in "tcp client" host port "send file"; do
  grep -qi "$word" "$out/ocr.txt" || { echo "smoke: OCR did not find \"$word\" (tab bar and first tab)" >&2; fail=1; }
done

ref=$here/reference/window.png
if [ -f "$ref" ]; then
  metric=$(compare -metric RMSE "$out/window.png" "$ref" "$out/diff.png" 2>&1 >/dev/null || true)
  rmse=$(echo "$metric" | sed -n 's/.*(\([0-9.e-]*\)).*/\1/p')
  if [ -z "$rmse" ]; then
    echo "smoke: could not compare with the reference: $metric" >&2; fail=1
  elif awk "BEGIN{exit !($rmse > $tolerance)}"; then
    echo "smoke: the window differs from $ref (RMSE $rmse > $tolerance); see $out/diff.png" >&2; fail=1
  else
    echo "smoke: matches the reference (RMSE $rmse)"
  fi
else
  echo "smoke: no reference image; $out/window.png can become $ref" >&2; fail=1
fi

if [ -s "$out/app.stderr" ] || [ -s "$out/app.stdout" ]; then
  echo "smoke: the app printed on start:" >&2; cat "$out/app.stdout" "$out/app.stderr" >&2; fail=1
fi
kill -0 "$app" 2>/dev/null || { echo "smoke: the app is no longer running" >&2; fail=1; }

[ $fail = 0 ] && echo "smoke: OK ($out/window.png)"
exit $fail
