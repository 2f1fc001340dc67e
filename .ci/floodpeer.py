#!/usr/bin/env python3
"""A TCP peer that floods whoever connects, for the real-window benchmark.

Listens on 127.0.0.1:0 (or --port), prints "port N" on stdout, and sends to
each connecting client a schedule of phases, then closes the connection:

    floodpeer.py --rate 50 --seconds 60            one phase, 50 MB/s
    floodpeer.py --rate max --seconds 60           one phase, as fast as it can
    floodpeer.py --schedule 50:60,max:60           phases in turn, one connection

MB is 10^6 bytes. A paced phase sends 64 KiB chunks on a clock (it catches up
after a late wake-up, so the average holds); a "max" phase sends 1 MiB chunks
back to back and is limited only by how fast the client reads (TCP flow
control). The payload is printable ASCII lines, so every framing and encoding
sees ordinary text.

Every event is one line on stdout, flushed, with the wall clock in
milliseconds (the same clock as `date +%s%3N`), for the caller to follow:
    port 40123
    connected 1733312345678 127.0.0.1:51234
    phase 1733312345679 1 50 60
    phase-end 1733312405679 1 3000014848 60.000
    closed 1733312405680 6000000000
--once exits after the first client's schedule ends. Standard library only.
"""
import argparse
import socket
import sys
import threading
import time


def now_ms():
    return int(time.time() * 1000)


def say(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


def payload(size):
    line = b"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ flood\n"
    buf = (line * (size // len(line) + 1))[:size]
    return memoryview(buf)


def parse_schedule(text):
    phases = []
    for part in text.split(","):
        rate, _, secs = part.strip().partition(":")
        rate = rate.strip().lower()
        phases.append((None if rate in ("max", "full", "0") else float(rate), float(secs)))
    return phases


def run_phase(conn, rate, seconds):
    """Sends for seconds at rate MB/s (None: as fast as possible); returns bytes sent."""
    sent = 0
    start = time.monotonic()
    end = start + seconds
    if rate is None:
        chunk = payload(1 << 20)
        while True:
            if time.monotonic() >= end:
                break
            conn.sendall(chunk)
            sent += len(chunk)
        return sent
    chunk = payload(64 << 10)
    per_sec = rate * 1e6
    while True:
        t = time.monotonic()
        if t >= end:
            break
        due = start + sent / per_sec  # when the next chunk is due
        if due > t:
            time.sleep(min(due - t, end - t))
            continue
        conn.sendall(chunk)
        sent += len(chunk)
    return sent


def serve(conn, addr, phases, done):
    total = 0
    try:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        say("connected", now_ms(), "%s:%d" % addr)
        for i, (rate, secs) in enumerate(phases, 1):
            say("phase", now_ms(), i, "max" if rate is None else rate, secs)
            t0 = time.monotonic()
            n = run_phase(conn, rate, secs)
            total += n
            say("phase-end", now_ms(), i, n, "%.3f" % (time.monotonic() - t0))
    except OSError as e:
        say("error", now_ms(), repr(e))
    finally:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()
        say("closed", now_ms(), total)
        done.set()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", default="max", help="MB/s, or max (default)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--schedule", help="rate:seconds,... (overrides --rate/--seconds)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--once", action="store_true", help="exit after the first client")
    a = ap.parse_args()
    phases = parse_schedule(a.schedule or "%s:%s" % (a.rate, a.seconds))

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(8)
    say("port", ls.getsockname()[1])
    while True:
        conn, addr = ls.accept()
        done = threading.Event()
        threading.Thread(target=serve, args=(conn, addr, phases, done), daemon=True).start()
        if a.once:
            done.wait()
            return


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
