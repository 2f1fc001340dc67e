#!/usr/bin/env python3
"""Samples a process's RSS for the real-window benchmark.

    rsssample.py PID FILE [INTERVAL]

Appends "epoch_ms kB" (VmRSS from /proc/PID/status) to FILE every INTERVAL
seconds (0.5) until the process is gone. A Python loop rather than a shell
one: it has no child to lose, so one stray signal to a `sleep` cannot end it.
"""
import sys
import time

pid, path = sys.argv[1], sys.argv[2]
every = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
with open(path, "a", buffering=1) as out:
    nxt = time.monotonic()
    while True:
        try:
            with open("/proc/%s/status" % pid) as f:
                rss = next((l.split()[1] for l in f if l.startswith("VmRSS:")), None)
        except OSError:
            break
        if rss is None:  # a zombie has no VmRSS
            break
        out.write("%d %s\n" % (int(time.time() * 1000), rss))
        nxt += every
        time.sleep(max(0.0, nxt - time.monotonic()))
