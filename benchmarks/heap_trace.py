"""What grows in a long benchmark run, asked by environment variables (issue 21).

``DRIFTUI_BENCH_TRACE=DIR``: at each progress line, the heap's figures go to ``DIR/at-SSSSS.txt``:
RSS, Python's allocated blocks, glibc's ``mallinfo2`` (in use, free but held) and obmalloc's
own statistics (arenas, bytes in used and free blocks). RSS growing while allocated blocks
do not is the allocator's (fragmentation); both growing is objects kept.

``DRIFTUI_BENCH_TRACEMALLOC=1`` (with ``DRIFTUI_BENCH_TRACE``): a tracemalloc snapshot beside each,
tracing from the churn's start; ``=start`` traces from the process's start, so the scan's
objects are seen too. Compare two with ``Snapshot.compare_to``. Tracemalloc doubles the CPU
and adds its own RSS: never for figures.

``DRIFTUI_BENCH_HOLDERS=1``: the scan's live objects are noted as the churn starts; once it
settles, what still refers to one that churn replaced is printed, up to a few levels (this
found the tree frame keeping the first scan's report).
"""

from __future__ import annotations

import ctypes
import gc
import os
import resource
import sys
import tracemalloc
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HOLDER_LEVELS = 8


def rss_mb() -> float:
    """The process's RSS now (its peak where /proc has no VmRSS)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class HeapTrace:
    """The heap's figures at each progress line, when asked (see the module's docstring)."""

    def __init__(self) -> None:
        self.folder = os.environ.get("DRIFTUI_BENCH_TRACE", "")
        self.snapshots = bool(os.environ.get("DRIFTUI_BENCH_TRACEMALLOC"))
        self.holders = bool(os.environ.get("DRIFTUI_BENCH_HOLDERS"))
        self._noted: dict[Any, object] = {}
        if self.folder:
            Path(self.folder).mkdir(parents=True, exist_ok=True)
        if self.folder and self.snapshots and not tracemalloc.is_tracing():
            tracemalloc.start(12)

    def note(self, objects: Mapping[Any, object]) -> None:
        """The live objects as the churn starts (kept only when holders are asked for)."""
        if self.holders:
            self._noted = dict(objects)

    def sample(self, at: float) -> None:
        if not self.folder:
            return
        stem = f"{self.folder}/at-{at:05.0f}"
        if self.snapshots:
            tracemalloc.take_snapshot().dump(f"{stem}.pickle")
        with open(f"{stem}.txt", "w") as out:
            out.write(f"rss_mb {rss_mb():.1f}\nallocated_blocks {sys.getallocatedblocks()}\n")
            out.write(f"{mallinfo()}\n")
            out.flush()
            saved = os.dup(2)  # _debugmallocstats writes to C's stderr
            try:
                os.dup2(out.fileno(), 2)
                sys._debugmallocstats()
            finally:
                os.dup2(saved, 2)
                os.close(saved)

    def report_holders(self, now: Mapping[Any, object]) -> None:
        """Print what refers to a noted object that ``now`` no longer holds."""
        if not self.holders:
            return
        gc.unfreeze()  # get_referrers does not see frozen objects
        gc.collect()
        replaced = [o for ref, o in self._noted.items() if now.get(ref) is not o]
        print(f"noted objects {len(self._noted)}, replaced by churn {len(replaced)}")
        if replaced:
            mine = {id(self._noted), id(replaced), id(now), id(sys._getframe())}
            _print_holders(replaced[0], mine, HOLDER_LEVELS)
        self._noted = {}
        gc.freeze()


def _print_holders(obj: object, skip: set[int], levels: int, indent: str = "  ") -> None:
    if levels == 0:
        return
    for holder in gc.get_referrers(obj)[:8]:
        if id(holder) in skip or isinstance(holder, types.FrameType):
            continue
        skip.add(id(holder))
        print(indent + _described(holder, obj))
        _print_holders(holder, skip, levels - 1, indent + "  ")


def _described(holder: object, held: object) -> str:
    kind = f"{type(holder).__module__}.{type(holder).__qualname__}"
    if isinstance(holder, dict):
        keys = [str(k)[:40] for k, v in holder.items() if v is held]
        return f"dict of {len(holder)} (at {', '.join(keys)[:80]})"
    if isinstance(holder, (list, tuple, set)):
        return f"{kind} of {len(holder)}"
    if isinstance(holder, types.FunctionType):
        return f"function {holder.__qualname__}"
    return kind


MALLINFO_FIELDS = (
    "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()  # noqa: SIM905
)


class _MallInfo(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO_FIELDS]


def mallinfo() -> str:
    """glibc's view of the heap: ``uordblks`` in use, ``fordblks`` free but held."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo
    except (OSError, AttributeError):
        return "mallinfo2: not glibc"
    info = libc.mallinfo2()
    return " ".join(f"{n} {getattr(info, n) / 2**20:.1f}MB" for n in MALLINFO_FIELDS)
