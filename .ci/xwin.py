#!/usr/bin/env python3
"""Fast screen grabs and clicks on $DISPLAY for the real-window benchmark.

Standard library only: ctypes on libX11 (XGetImage of a small region of the
root window, ~0.1-1 ms instead of ImageMagick's 50+ ms for the whole screen)
and libXtst (XTest fake pointer events, so the click and the clock that
times it are in one process and nothing is spawned in between).

    xwin.py grab X Y W H                  prints the region's md5
    xwin.py png FILE [X Y W H]            saves the root window (or a region) as PNG
    xwin.py click X Y                     moves the pointer there and clicks button 1
    xwin.py grabcost X Y W H [N]          times N grabs; prints JSON
    xwin.py latency --to X,Y --back X,Y --region X,Y,W,H --ref HEX
                    [--n 5] [--first S] [--every S] [--label L] [--timeout S]
        Clicks --to, then grabs --region until its md5 is --ref (the other
        page as seen at rest), and records the milliseconds from the click to
        that grab; then clicks --back and waits until the region is no longer
        --ref. Repeats --n times, the first after --first seconds, then every
        --every seconds (counted from the start, so a slow click does not
        shift the rest). Prints one JSON line per click and a summary line.

Timing: t0 is taken just before the button press is sent (the press and
release are flushed together; Fyne acts on the release), t1 just after the
grab that first shows the page. So a figure includes one grab's cost; the
grab cost is reported separately and idle is measured the same way.
"""
import ctypes
import ctypes.util
import hashlib
import json
import os
import struct
import sys
import time
import zlib


class XImage(ctypes.Structure):
    _fields_ = [
        ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int), ("format", ctypes.c_int),
        ("data", ctypes.POINTER(ctypes.c_char)),
        ("byte_order", ctypes.c_int), ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int), ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int), ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
        ("red_mask", ctypes.c_ulong), ("green_mask", ctypes.c_ulong), ("blue_mask", ctypes.c_ulong),
    ]


def _lib(name, soname):
    path = ctypes.util.find_library(name) or soname
    return ctypes.CDLL(path)


x11 = _lib("X11", "libX11.so.6")
xtst = _lib("Xtst", "libXtst.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = ctypes.c_ulong
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XGetImage.restype = ctypes.POINTER(XImage)
x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                          ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
x11.XDestroyImage.argtypes = [ctypes.POINTER(XImage)]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
x11.XDisplayWidth.argtypes = [ctypes.c_void_p, ctypes.c_int]
x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]
xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]

ZPIXMAP = 2
ALL_PLANES = (1 << 64) - 1 if ctypes.sizeof(ctypes.c_ulong) == 8 else (1 << 32) - 1

dpy = x11.XOpenDisplay(None)
if not dpy:
    sys.exit("xwin: cannot open display %r" % os.environ.get("DISPLAY"))
root = x11.XDefaultRootWindow(dpy)


def grab(x, y, w, h):
    """The region's pixels as bytes (the server's ZPixmap rows, 32 bpp)."""
    img = x11.XGetImage(dpy, root, x, y, w, h, ALL_PLANES, ZPIXMAP)
    if not img:
        raise RuntimeError("XGetImage failed")
    try:
        im = img.contents
        return ctypes.string_at(im.data, im.bytes_per_line * im.height), im.bytes_per_line, im.bits_per_pixel
    finally:
        x11.XDestroyImage(img)


def digest(x, y, w, h):
    return hashlib.md5(grab(x, y, w, h)[0]).hexdigest()


def move(x, y):
    xtst.XTestFakeMotionEvent(dpy, -1, x, y, 0)
    x11.XFlush(dpy)


def click(x, y):
    """Moves, lets the app see the motion (hover), then presses and releases."""
    move(x, y)
    x11.XSync(dpy, 0)
    time.sleep(0.03)
    t0 = time.monotonic()
    xtst.XTestFakeButtonEvent(dpy, 1, 1, 0)
    xtst.XTestFakeButtonEvent(dpy, 1, 0, 0)
    x11.XFlush(dpy)
    return t0


def save_png(path, x, y, w, h):
    data, bpl, bpp = grab(x, y, w, h)
    if bpp != 32:
        raise RuntimeError("unsupported %d bits per pixel" % bpp)
    rows = []
    for r in range(h):
        row = data[r * bpl:r * bpl + w * 4]
        rgb = bytearray(w * 3)
        rgb[0::3] = row[2::4]  # BGRX (little-endian TrueColor) -> RGB
        rgb[1::3] = row[1::4]
        rgb[2::3] = row[0::4]
        rows.append(b"\x00" + bytes(rgb))

    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(b"".join(rows), 3)))
        f.write(chunk(b"IEND", b""))


def pair(s, n):
    v = [int(float(p)) for p in s.split(",")]
    if len(v) != n:
        raise SystemExit("xwin: want %d comma-separated numbers, got %r" % (n, s))
    return v


def latency(args):
    import argparse
    ap = argparse.ArgumentParser(prog="xwin.py latency")
    ap.add_argument("--to", required=True)
    ap.add_argument("--back", required=True)
    ap.add_argument("--region", required=True)
    ap.add_argument("--ref", required=True)
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--first", type=float, default=0)
    ap.add_argument("--every", type=float, default=2)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--label", default="")
    a = ap.parse_args(args)
    to, back, region = pair(a.to, 2), pair(a.back, 2), pair(a.region, 4)
    start = time.monotonic()
    out = []
    for i in range(a.n):
        due = start + a.first + i * a.every
        while time.monotonic() < due:
            time.sleep(min(0.05, max(0, due - time.monotonic())))
        if digest(*region) == a.ref:  # still on the other page from a failed return
            click(*back)
            time.sleep(0.5)
        t0 = click(*to)
        grabs, ms, state = 0, None, "timeout"
        while True:
            d = digest(*region)
            t1 = time.monotonic()
            grabs += 1
            if d == a.ref:
                ms, state = (t1 - t0) * 1000, "ok"
                break
            if t1 - t0 > a.timeout:
                break
            time.sleep(0.001)  # ~1 ms resolution, and the app keeps its CPU
        b0 = click(*back)
        back_ms = None
        while time.monotonic() - b0 < a.timeout:
            if digest(*region) != a.ref:
                back_ms = (time.monotonic() - b0) * 1000
                break
            time.sleep(0.001)
        rec = {"label": a.label, "i": i, "state": state, "ms": ms, "grabs": grabs,
               "back_ms": back_ms, "wall_ms": int(time.time() * 1000)}
        out.append(rec)
        print(json.dumps(rec), flush=True)
    return 0 if all(r["state"] == "ok" for r in out) else 3


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "grab":
        print(digest(*[int(v) for v in args[:4]]))
    elif cmd == "png":
        if len(args) >= 5:
            x, y, w, h = [int(v) for v in args[1:5]]
        else:
            x, y, w, h = 0, 0, x11.XDisplayWidth(dpy, 0), x11.XDisplayHeight(dpy, 0)
        save_png(args[0], x, y, w, h)
    elif cmd == "click":
        click(int(args[0]), int(args[1]))
        x11.XSync(dpy, 0)
    elif cmd == "move":
        move(int(args[0]), int(args[1]))
        x11.XSync(dpy, 0)
    elif cmd == "grabcost":
        x, y, w, h = [int(v) for v in args[:4]]
        n = int(args[4]) if len(args) > 4 else 200
        ts = []
        for _ in range(n):
            t = time.monotonic()
            digest(x, y, w, h)
            ts.append((time.monotonic() - t) * 1000)
        ts.sort()
        print(json.dumps({"n": n, "min": ts[0], "median": ts[n // 2], "max": ts[-1]}))
    elif cmd == "latency":
        return latency(args)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
