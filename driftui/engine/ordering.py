"""A report's results in the order every output shows them: namespace, group, kind, name.

One ``list.sort`` of 100,000 results held the interpreter lock for ~0.4 s (a key pressed in
the explorer during a rescan waited 205 ms, benchmarks/bench_scale): its comparisons run in
C, where nothing gives way. Sorted a kind of a namespace at a time instead, the longest
stretch is one bucket's sort.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftui.model import DriftResult
from driftui.runtime.pacing import sorted_paced


def in_ref_order(results: Iterable[DriftResult]) -> list[DriftResult]:
    """Sorted by (namespace, group, kind, name), stably: equal refs keep their order."""
    return sorted_paced(results, _kind_of_namespace, _name)


def _kind_of_namespace(result: DriftResult) -> tuple[str, str, str]:
    ref = result.ref
    return ref.namespace, ref.group, ref.kind


def _name(result: DriftResult) -> str:
    return result.ref.name
