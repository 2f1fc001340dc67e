#!/usr/bin/env bash
# Real-window benchmark (issue 14): NetDebug under Xvfb, its TCP client
# connected to a flooding peer on 127.0.0.1, measured the way a user lives it.
#
#   phase idle   before connecting: RSS, and click-to-screen latency
#   phase 50     the peer sends 50 MB/s (paced) for BENCH_FLOOD_SECONDS
#   phase full   the peer sends as fast as the app reads, BENCH_FLOOD_SECONDS
#   clear        the peer closes; the log's Clear button is clicked; RSS is
#                sampled for BENCH_CLEAR_SECONDS
#
# RSS: VmRSS from /proc/PID/status every 0.5 s (and VmHWM, the kernel's own
# peak, at the end of each phase). Click latency: .ci/xwin.py clicks the
# other page's tab (XTest) and grabs a small region under the tab bar
# (XGetImage, ~0.2 ms) until it shows that page as seen at rest; the figure is
# the time from the button press to the first grab showing it. Then it clicks
# back. Idle and both floods are measured by the same code on the same clock,
# and the grab's own cost is reported.
#
# Where things are: the host and port are preseeded in a fresh Fyne
# preferences file (keys tcpclient.host / tcpclient.port, app/tcp_client.go;
# log.maxMB, app/prefs.go). Tabs and the Connect button are found by OCR of
# the window (tesseract word boxes), falling back to the coordinates of the
# 1100x720 first-run window at (0,0): TCP Client (60,49), UDP (270,49),
# Connect (458,89). The log's Clear button (trash icon, no text) is the second
# button from the window's right edge in the log toolbar: x = right - 63, y =
# the toolbar row (OCR's "Auto-scroll", else 169).
#
# Targets (MiB = 2^20 bytes, MB = 10^6 bytes; figures are printed in MiB):
#   click   under each flood, every click is answered within 100 ms of the
#           idle median (a timed-out click misses)
#   peak    each flood phase's peak RSS <= idle + log limit + 100 MB
#   clear   RSS BENCH_CLEAR_SECONDS after Clear <= idle + 50 MB
#
# Exit status: 1 when the benchmark's own side failed (no X, the app exited
# or crashed, the client never connected, a control could not be found, Clear
# had no visible effect, a figure could not be taken). A missed target is
# printed as MISS and still exits 0: make bench is a measurement, and a slow
# build should be reported, not stop the other benchmarks. BENCH_STRICT=1
# makes a MISS exit 2, for a gate.
#
# usage: .ci/bench-window.sh [path/to/netdebug]   (default: dist/netdebug)
# env:   BENCH_FLOOD_SECONDS (60)  BENCH_RATE_MB (50)  BENCH_CLICKS (5)
#        BENCH_IDLE_SECONDS (12)   BENCH_CLEAR_SECONDS (30)
#        BENCH_LOG_MB (64, written to the fresh profile)  BENCH_OTHER_TAB (UDP)
#        BENCH_STRICT (0)  BENCH_GCTRACE (0)  BENCH_COMMIT (names the binary's source in the table)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../dist/netdebug}
out=$here/out/bench-window
flood_s=${BENCH_FLOOD_SECONDS:-60}
rate=${BENCH_RATE_MB:-50}
clicks=${BENCH_CLICKS:-5}
idle_s=${BENCH_IDLE_SECONDS:-12}
clear_s=${BENCH_CLEAR_SECONDS:-30}
log_mb=${BENCH_LOG_MB:-64}
other_tab=${BENCH_OTHER_TAB:-UDP}
strict=${BENCH_STRICT:-0}
py=$(command -v python3 || echo /usr/bin/python3)
xwin() { "$py" "$here/xwin.py" "$@"; }

die() { echo "bench-window: $*" >&2; exit 1; }
say() { echo "bench-window: $*"; }

[ -x "$bin" ] || die "no binary at $bin (make build)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
for tool in Xvfb xdotool tesseract convert "$py" ss; do
  command -v "$tool" >/dev/null || die "$tool is missing (make bench installs it through .ci/deps.sh test)"
done

rm -rf "$out"; mkdir -p "$out"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# What was measured. The binary carries no VCS stamp (GOFLAGS may say
# -buildvcs=false), so this is the tree's HEAD now, "+dirty" when app/,
# netcore/ or widgets/ have uncommitted changes, plus the binary's own hash
# and time; BENCH_COMMIT names the binary's source when it was built elsewhere.
commit=${BENCH_COMMIT:-}
if [ -z "$commit" ]; then
  commit="tree $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  [ -n "$(git -C "$here/.." status --porcelain -- app netcore widgets assets go.mod go.sum 2>/dev/null | head -c1)" ] && commit="$commit+dirty"
fi
binsum="$(sha256sum "$bin" | cut -c1-12), built $(date -r "$bin" '+%F %T')"

# --- processes (each stopped by its own pid on exit) ---
xpid="" app="" peer="" sampler=""
cleanup() {
  for p in $sampler $app $peer $xpid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

now_ms() { local t=$EPOCHREALTIME; echo $(( ${t/./} / 1000 )); }
alive() {
  kill -0 "$app" 2>/dev/null || die "the app is no longer running (crashed?); stderr: $(grep -v '^gc ' "$out/app.stderr" | tail -n 20)"
  [ -z "$sampler" ] || kill -0 "$sampler" 2>/dev/null || die "the RSS sampler stopped (see $out/rss.txt)"
}
status_kb() { awk -v k="$1:" '$1==k{print $2}' "/proc/$app/status" 2>/dev/null; }
# wait_line REGEX SECONDS: waits for a line of the peer's log; prints it.
wait_line() {
  local deadline=$(( $(now_ms) + $2 * 1000 )) line
  while :; do
    line=$(grep -E "$1" "$out/peer.log" | tail -n1 || true)
    [ -n "$line" ] && { echo "$line"; return 0; }
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    alive; sleep 0.1
  done
}

# --- the flood peer: one connection, both floods in turn, then it closes ---
"$py" -u "$here/floodpeer.py" --schedule "$rate:$flood_s,max:$flood_s" --once >"$out/peer.log" 2>"$out/peer.stderr" &
peer=$!
for _ in $(seq 50); do grep -q '^port ' "$out/peer.log" && break; sleep 0.1; done
port=$(awk '/^port /{print $2}' "$out/peer.log")
[ -n "$port" ] || die "the flood peer did not start: $(cat "$out/peer.stderr")"

# --- a fresh profile with the target filled in ---
profile=$out/profile
mkdir -p "$profile/fyne/io.github.netdebug.netdebug"
printf '{"tcpclient.host":"127.0.0.1","tcpclient.port":"%s","log.maxMB":%s}\n' "$port" "$log_mb" \
  >"$profile/fyne/io.github.netdebug.netdebug/preferences.json"

# --- X and the app ---
disp=""
for n in $(seq 121 160); do
  if [ ! -e /tmp/.X$n-lock ] && [ ! -e /tmp/.X11-unix/X$n ]; then disp=":$n"; break; fi
done
[ -n "$disp" ] || die "no free X display"
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xpid=$!
export DISPLAY=$disp
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
xdotool getdisplaygeometry >/dev/null 2>&1 || die "Xvfb did not start: $(cat "$out/xvfb.log")"

# BENCH_GCTRACE=1 runs the app with GODEBUG=gctrace=1, and the table adds the
# Go heap that was live after the last GC: RSS far above it is memory the
# runtime has not returned, a live heap that big is memory still held.
godebug=${GODEBUG:-}
[ "${BENCH_GCTRACE:-0}" = 1 ] && godebug="${godebug:+$godebug,}gctrace=1"
XDG_CONFIG_HOME=$profile HOME=$profile LANG=C.UTF-8 LC_ALL= LANGUAGE= GODEBUG=$godebug "$bin" >"$out/app.stdout" 2>"$out/app.stderr" &
app=$!
app_start=$(now_ms)
wid=""
for _ in $(seq 200); do
  wid=$(xdotool search --onlyvisible --name '^NetDebug$' 2>/dev/null | head -n1 || true)
  [ -n "$wid" ] && break
  alive; sleep 0.1
done
[ -n "$wid" ] || die "no NetDebug window appeared in 20 s"
sleep 3 # first frames
eval "$(xdotool getwindowgeometry --shell "$wid")" # X Y WIDTH HEIGHT
wx=$X wy=$Y ww=$WIDTH wh=$HEIGHT

# --- find the controls ---
xwin png "$out/start.png" "$wx" "$wy" "$ww" "$wh"
convert "$out/start.png" -resize 300% -negate "$out/ocr.png"
tesseract "$out/ocr.png" "$out/ocr" --psm 11 tsv >/dev/null 2>&1 || true
# word centres in window pixels (the OCR image is 3x): "<word> <x> <y>"
ocr_words() { [ -f "$out/ocr.tsv" ] && awk -F'\t' 'NR>1 && $12!="" && $11>30 {printf "%s %d %d\n", $12, ($7+$9/2)/3, ($8+$10/2)/3}' "$out/ocr.tsv" || true; }
ocr_words >"$out/ocr-words.txt"
find_word() { # find_word WORD MAXY -> "x y" of the leftmost match above MAXY
  awk -v w="$1" -v maxy="$2" 'tolower($1)==tolower(w) && $3<maxy {print $2, $3}' "$out/ocr-words.txt" | sort -n | head -n1
}
located=""
pos() { # pos NAME "x y"(found) FALLBACK_X FALLBACK_Y -> "x y how"
  if [ -n "$2" ]; then echo "$2 ocr"; else echo "$3 $4 fixed"; fi
}
read -r tcp_x tcp_y how < <(pos tcp "$(find_word Client 70)" 60 49); located="$located tcp=$how"
oth=$(find_word "$other_tab" 70)
[ -n "$oth" ] || [ "$other_tab" = UDP ] || die "OCR did not find the tab \"$other_tab\" (only UDP has fixed coordinates); see $out/start.png"
read -r oth_x oth_y how < <(pos "$other_tab" "$oth" 270 49); located="$located $other_tab=$how"
read -r con_x con_y how < <(pos connect "$(find_word Connect 140)" 458 89); located="$located connect=$how"
read -r tb_x tb_y how < <(pos toolbar "$(find_word Auto-scroll 400)" 404 169); located="$located toolbar=$how"
clr_x=$(( ww - 63 )) clr_y=$tb_y
# The page-switch region: the row under the tab bar, left part (Host/Port on
# the TCP client page, Local/Port on UDP), clear of the hovered tab.
reg_x=$(( wx + 0 )) reg_y=$(( wy + con_y - 17 )) reg_w=400 reg_h=36
region="$reg_x,$reg_y,$reg_w,$reg_h"
to="$(( wx + oth_x )),$(( wy + oth_y ))" back="$(( wx + tcp_x )),$(( wy + tcp_y ))"
say "window ${ww}x${wh}+${wx}+${wy}; tabs TCP Client ($back) $other_tab ($to); Connect ($con_x,$con_y); Clear ($clr_x,$clr_y); region $region;$located"

ref_tcp=$(xwin grab $reg_x $reg_y $reg_w $reg_h)
xwin click ${to/,/ }; sleep 1.5
ref_oth=$(xwin grab $reg_x $reg_y $reg_w $reg_h)
xwin png "$out/other-page.png"
sleep 0.5
[ "$(xwin grab $reg_x $reg_y $reg_w $reg_h)" = "$ref_oth" ] || die "the $other_tab page's region is not steady at rest; see $out/other-page.png"
xwin click ${back/,/ }; sleep 1.5
[ "$ref_oth" != "$ref_tcp" ] || die "clicking $other_tab did not change the region $region; see $out/other-page.png"
[ "$(xwin grab $reg_x $reg_y $reg_w $reg_h)" = "$ref_tcp" ] || die "clicking TCP Client did not bring its page back"
xwin move $(( wx + ww - 150 )) $(( wy + 49 )) # park the pointer on the empty end of the tab bar
alive

# --- RSS sampler: "epoch_ms kB" every 0.5 s (.ci/rsssample.py) ---
"$py" "$here/rsssample.py" "$app" "$out/rss.txt" 0.5 &
sampler=$!

phases=$out/phases.txt; : >"$phases"
mark() { echo "$1 $2 $3 $(status_kb VmHWM)" >>"$phases"; } # name start_ms end_ms hwm_kB
grabcost() { echo "{\"phase\":\"$1\",\"cost\":$(xwin grabcost $reg_x $reg_y $reg_w $reg_h 200)}" >>"$out/grabcost.jsonl"; }
# latency LABEL FIRST EVERY: clicks in the foreground; its exit status 3
# (a click timed out) is a figure, not a failure of the benchmark.
latency() {
  xwin latency --to "$to" --back "$back" --region "$region" --ref "$ref_oth" \
    --n "$clicks" --first "$2" --every "$3" --timeout 10 --label "$1" >>"$out/clicks.jsonl" || {
    rc=$?; [ $rc = 3 ] || die "the click measurement failed ($1, exit $rc)"; }
}

# --- idle ---
say "idle: ${idle_s}s, $clicks clicks"
t=$(now_ms)
grabcost idle
idle_every=$(awk -v d="$idle_s" -v n="$clicks" 'BEGIN{e=(d-2)/n; if(e<1)e=1; print e}')
latency idle 1 "$idle_every"
while [ $(( $(now_ms) - t )) -lt $(( idle_s * 1000 )) ]; do sleep 0.2; done
mark idle "$t" "$(now_ms)"
xwin png "$out/idle.png"
alive

# --- connect ---
xwin click $(( wx + con_x )) $(( wy + con_y ))
wait_line '^connected ' 10 >/dev/null || { xwin png "$out/connect-failed.png"; die "the client did not connect to 127.0.0.1:$port (see $out/connect-failed.png)"; }
ss -tnH state established "( sport = :$port )" >"$out/ss.txt" 2>/dev/null || true
[ -s "$out/ss.txt" ] || die "the peer saw a connection, but ss shows none established on :$port"
say "connected: $(grep '^connected ' "$out/peer.log")"

every=$(awk -v d="$flood_s" -v n="$clicks" 'BEGIN{print d/(n+1)}')
for i in 1 2; do
  name=$([ $i = 1 ] && echo "flood$rate" || echo full)
  line=$(wait_line "^phase [0-9]+ $i " 15) || die "the peer did not start phase $i"
  t=$(echo "$line" | awk '{print $2}')
  say "$name: ${flood_s}s, $clicks clicks every ${every}s"
  latency "$name" "$every" "$every"
  grabcost "$name"
  xwin png "$out/$name.png"
  alive
  line=$(wait_line "^phase-end [0-9]+ $i " $(( flood_s + 30 ))) || die "the peer did not finish phase $i"
  mark "$name" "$t" "$(echo "$line" | awk '{print $2}')"
  alive
done
wait_line '^closed ' 30 >/dev/null || die "the peer did not close"
grep -q '^error ' "$out/peer.log" && die "the flood peer failed: $(grep '^error ' "$out/peer.log")"

# --- clear ---
t=$(now_ms)
sleep 2 # the app sees the close; the last flushes land
alive
mark drain "$t" "$(now_ms)"
xwin png "$out/before-clear.png"
logarea="$(( wx + 4 )) $(( wy + tb_y + 24 )) $(( ww - 8 )) 200"
before=$(xwin grab $logarea)
t=$(now_ms)
xwin click $(( wx + clr_x )) $(( wy + clr_y ))
sleep 1
xwin png "$out/after-clear.png"
after=$(xwin grab $logarea)
xwin png "$out/log-area.png" $logarea
sd=$(convert "$out/log-area.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
if [ "$before" = "$after" ] || awk "BEGIN{exit !($sd > 0.02)}"; then
  die "Clear had no visible effect (log area sd=$sd); see $out/before-clear.png and $out/after-clear.png"
fi
say "cleared (log area sd=$sd); sampling RSS for ${clear_s}s"
while [ $(( $(now_ms) - t )) -lt $(( clear_s * 1000 )) ]; do alive; sleep 0.2; done
mark clear "$t" "$(now_ms)"
xwin png "$out/clear-${clear_s}s.png"
alive
kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=""

# --- figures ---
set +e
LOAD="$(nproc) CPUs; load average $load_start at start, $(cut -d' ' -f1-3 /proc/loadavg) at end" \
  APP_START=$app_start OUT=$out COMMIT=$commit BINSUM=$binsum BIN=$bin LOG_MB=$log_mb RATE=$rate FLOOD_S=$flood_s CLEAR_S=$clear_s \
  OTHER=$other_tab "$py" - <<'PY'
import json, os, statistics as st, sys
out = os.environ["OUT"]
MiB = 1 << 20
rss = []
for line in open(os.path.join(out, "rss.txt")):
    p = line.split()
    if len(p) == 2:
        rss.append((int(p[0]), int(p[1]) * 1024))
phases = {}
for line in open(os.path.join(out, "phases.txt")):
    p = line.split()
    phases[p[0]] = (int(p[1]), int(p[2]), int(p[3]) * 1024 if len(p) > 3 and p[3] else None)
def samples(name, pad_ms=0):
    a, b, _ = phases[name]
    return [v for t, v in rss if a - pad_ms <= t <= b + pad_ms]
clicks = [json.loads(l) for l in open(os.path.join(out, "clicks.jsonl"))]
cost = {j["phase"]: j["cost"] for j in map(json.loads, open(os.path.join(out, "grabcost.jsonl")))}
peer = [l.split() for l in open(os.path.join(out, "peer.log"))]
ends = {int(p[2]): (int(p[3]), float(p[4])) for p in peer if p[0] == "phase-end"}

failed = []
def need(cond, what):
    if not cond:
        failed.append(what)
    return cond

rate, log_mb = os.environ["RATE"], int(os.environ["LOG_MB"])
flood_names = ["flood" + rate, "full"]
idle_s = samples("idle")
need(len(idle_s) >= 3, "idle RSS samples")
idle = st.median(idle_s) if idle_s else 0
peak = {}
for n in flood_names:  # 0: not measured
    s = samples(n)
    need(len(s) >= 3, n + " RSS samples")
    peak[n] = max(s) if s else 0
clear_s = samples("clear")
need(len(clear_s) >= 3, "RSS samples after Clear")
ca, cb, _ = phases["clear"]
after = [(t, v) for t, v in rss if t >= ca]
# The target's figure is the first sample 30 s after Clear (the last one when
# the window is shorter); a longer BENCH_CLEAR_SECONDS also shows the end.
at30 = next((v for t, v in after if t - ca >= 30000), after[-1][1] if after else 0)
end_rss = after[-1][1] if after else 0
final = at30
lim_peak = idle + log_mb * MiB + 100e6
lim_clear = idle + 50e6
back_in = next(((t - ca) / 1000 for t, v in rss if t >= ca and v <= lim_clear), None)

def lat(label):
    c = [r for r in clicks if r["label"] == label]
    ok = sorted(r["ms"] for r in c if r["state"] == "ok")
    return c, ok
idle_c, idle_ok = lat("idle")
need(len(idle_ok) >= max(1, len(idle_c) // 2 + 1), "idle clicks (most timed out)")
idle_med = st.median(idle_ok) if idle_ok else 0

def mb(v): return "%.0f" % (v / MiB)
def fig(ok, c):
    if not c: return "n=0"
    to = len(c) - len(ok)
    s = "%.0f / %.0f / %.0f ms (n=%d)" % (ok[0], st.median(ok), ok[-1], len(ok)) if ok else "none answered"
    return s + (", %d timed out (>10 s)" % to if to else "")
def verdict(b): return "n/a (not measured)" if b is None else "PASS" if b else "MISS"

rows, results = [], {}
rows.append(("binary", "%s (%s; sha256 %s)" % (os.environ["BIN"], os.environ["COMMIT"], os.environ["BINSUM"]), ""))
rows.append(("idle RSS (median of %d)" % len(idle_s), "%s MiB (min %s, max %s)" % (mb(idle), mb(min(idle_s or [0])), mb(max(idle_s or [0]))), ""))
misses = 0
for i, n in enumerate(flood_names, 1):
    sent, secs = ends.get(i, (0, 1))
    hwm = phases[n][2]
    ok = peak[n] <= lim_peak if peak[n] else None
    misses += ok is False
    title = ("%s MB/s" % rate) if i == 1 else "full speed"
    rows.append(("peak RSS, %s" % title, "%s MiB (VmHWM %s MiB; target <= %s)" % (mb(peak[n]), mb(hwm) if hwm else "?", mb(lim_peak)), verdict(ok)))
    rows.append(("  delivered, %s" % title, "%.1f MB/s (%.2f GB in %.1f s)" % (sent / secs / 1e6, sent / 1e9, secs), ""))
    results[n] = {"peak_rss": peak[n], "vmhwm": hwm, "sent": sent, "seconds": secs, "pass": ok}
ok = final <= lim_clear if clear_s else None
misses += ok is False
cs = int(os.environ["CLEAR_S"])
rows.append(("RSS %ss after Clear" % min(cs, 30), "%s MiB (min %s; target <= %s; %s)" % (
    mb(final), mb(min(clear_s or [0])), mb(lim_clear),
    "within target after %.1f s" % back_in if back_in is not None else "never within target"), verdict(ok)))
if cs > 30:
    rows.append(("RSS %ss after Clear" % cs, "%s MiB" % mb(end_rss), ""))
rows.append(("peak RSS, whole run", "%s MiB" % mb(max(v for t, v in rss)), ""))
rows.append(("click latency, idle", fig(idle_ok, idle_c), ""))
for n, title in zip(flood_names, ("%s MB/s" % rate, "full speed")):
    c, okl = lat(n)
    need(len(c) > 0, "clicks under " + title)
    good = len(okl) == len(c) and len(c) > 0 and okl[-1] <= idle_med + 100
    misses += not good
    rows.append(("click latency, %s" % title, fig(okl, c) + "; target max <= %.0f" % (idle_med + 100), verdict(good)))
    results["click_" + n] = {"ms": okl, "timeouts": len(c) - len(okl), "pass": good}
for p in ("idle", "flood" + rate, "full"):
    if p in cost:
        c = cost[p]
        rows.append(("  grab cost, %s" % p, "%.2f / %.2f / %.2f ms (n=%d) per %s-px region" % (c["min"], c["median"], c["max"], c["n"], "400x36"), ""))
rows.append(("machine", os.environ["LOAD"] + " (other work on it skews the clicks)", ""))
# gctrace lines: "gc N @T s P%: ..., A->B->C MB, ..."; C is the heap live after that GC.
import re
gcs = [re.search(r"@([\d.]+)s .*->(\d+) MB, \d+ MB goal", l) for l in open(os.path.join(out, "app.stderr"), errors="replace") if l.startswith("gc ")]
gcs = [(int(os.environ["APP_START"]) + float(m.group(1)) * 1000, int(m.group(2))) for m in gcs if m]
if gcs:
    def live_by(ms):
        b = [v for t, v in gcs if t <= ms]
        return ("%d" % b[-1]) if b else "?"
    rows.append(("Go live heap (gctrace)", "%s MB at idle, max %d MB, %s MB at the end of the flood, %s MB at the end (%d GCs)" % (
        live_by(phases["idle"][1]), max(v for t, v in gcs), live_by(phases["full"][1]), live_by(phases["clear"][1]), len(gcs)), ""))
w = max(len(r[0]) for r in rows)
text = "\nNetDebug real-window benchmark (Xvfb 1280x800, click %s tab, log limit %d MiB)\n" % (os.environ["OTHER"], log_mb)
text += "\n".join("%-*s  %-s%s" % (w, a, b, ("  " + c) if c else "") for a, b, c in rows) + "\n"
sys.stdout.write(text)
open(os.path.join(out, "summary.txt"), "w").write(text)
results.update({"idle_rss": idle, "rss_after_clear": final, "rss_end": end_rss, "click_idle_ms": idle_ok,
                "commit": os.environ["COMMIT"], "misses": misses, "failed": failed})
json.dump(results, open(os.path.join(out, "results.json"), "w"), indent=1)
if failed:
    print("bench-window: could not take: " + ", ".join(failed), file=sys.stderr)
    sys.exit(1)
sys.exit(10 if misses else 0)
PY
rc=$?
set -e
[ $rc = 1 ] && exit 1
[ $rc = 0 ] || [ $rc = 10 ] || die "the figures could not be computed (exit $rc)"
say "screenshots and raw samples in $out"
if [ $rc = 10 ]; then
  # A MISS is a result, not a broken benchmark: exit 0 unless asked to gate.
  if [ "$strict" = 1 ]; then echo "bench-window: targets missed (BENCH_STRICT=1)" >&2; exit 2; fi
  say "some targets missed (reported above; BENCH_STRICT=1 makes this fail)"
fi
exit 0
