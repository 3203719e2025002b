"""A report's results in the order every output shows them: namespace, group, kind, name.

One ``list.sort`` of 100,000 results held the interpreter lock for ~0.4 s (a key pressed in
the explorer during a rescan waited 205 ms, benchmarks/bench_scale): its comparisons run in
C, where nothing gives way. Sorted a kind of a namespace at a time instead, the longest
stretch is one bucket's sort.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftui.model import DriftResult
from driftui.runtime.pacing import give_way, paced


def in_ref_order(results: Iterable[DriftResult]) -> list[DriftResult]:
    """Sorted by (namespace, group, kind, name), stably: equal refs keep their order."""
    buckets: dict[tuple[str, str, str], list[DriftResult]] = {}
    for result in paced(results):
        ref = result.ref
        buckets.setdefault((ref.namespace, ref.group, ref.kind), []).append(result)
    out: list[DriftResult] = []
    for key in sorted(buckets):
        give_way()
        out += sorted(buckets[key], key=_name)
    return out


def _name(result: DriftResult) -> str:
    return result.ref.name
