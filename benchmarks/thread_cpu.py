"""CPU time of each thread of this process, from Linux's /proc: which threads ran while a
key waited (a scan's worker, LIST readers, the screen's own thread)."""

from __future__ import annotations

import os
import threading

Snapshot = dict[int, int]  # native thread id -> nanoseconds on a CPU


def snapshot() -> Snapshot:
    out: Snapshot = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as stat:
                out[int(tid)] = int(stat.read().split()[0])
        except OSError:  # the thread ended meanwhile
            continue
    return out


def ran_between(before: Snapshot, after: Snapshot, at_least_ms: float = 0.5) -> str:
    """``name=ms`` for each thread that ran at least ``at_least_ms`` in between, most first."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    ran = {names.get(tid, str(tid)): (ns - before.get(tid, 0)) / 1e6 for tid, ns in after.items()}
    shown = sorted(((ms, name) for name, ms in ran.items() if ms >= at_least_ms), reverse=True)
    return " ".join(f"{name}={ms:.0f}" for ms, name in shown)
