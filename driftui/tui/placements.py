"""Where each object of one report sits in one grouping, worked out once for the filter.

A filter keystroke over 100,000 objects grouped its matches from scratch, and one group
path and one status per match (the frame's levels, the kind's label) were ~150 ms of its
~190 ms of grouping (bench_batch --part filter). They do not depend on the query, so they
are worked out once per report and grouping, and a keystroke buckets its matches by position.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from driftui.model import DriftResult, HealthStatus
from driftui.tui.status_style import DisplayStatus, display_status
from driftui.tui.tree_frame import Frame
from driftui.tui.tree_model import Group, Grouping, View, group_path, health_status, index_of


@dataclass(frozen=True)
class Placements:
    """The group path, status and health of every result of ``results`` in one grouping."""

    results: Sequence[DriftResult]
    grouping: Grouping
    frame: Frame
    paths: dict[tuple[str, ...], int] = field(default_factory=dict)  # numbered as met
    bucket: array[int] = field(default_factory=lambda: array("l"))  # per result: its path's
    status: list[DisplayStatus] = field(default_factory=list)  # per result
    health: list[HealthStatus | None] = field(default_factory=list)  # per result

    @classmethod
    def of(cls, results: Sequence[DriftResult], view: View) -> Placements:
        placements = cls(results, view.grouping, view.frame)
        placements.bucket.extend(map(placements._number, results))
        placements.status.extend(map(display_status, results))
        placements.health.extend(map(health_status, results))
        return placements

    def serves(self, results: Sequence[DriftResult], view: View) -> bool:
        return self.results is results and self._same_grouping(view)

    def follow(self, results: Sequence[DriftResult], view: View) -> Placements:
        """The placements of ``results``, a later list of the same objects (a watch batch
        replaces the changed ones in place): only those are placed again. Another length
        or grouping: every result is placed anew."""
        if len(results) != len(self.results) or not self._same_grouping(view):
            return Placements.of(results, view)
        moved = Placements(
            results,
            self.grouping,
            self.frame,
            dict(self.paths),
            array("l", self.bucket),
            list(self.status),
            list(self.health),
        )
        for i, (old, new) in enumerate(zip(self.results, results, strict=True)):
            if old is not new:
                moved.bucket[i] = moved._number(new)
                moved.status[i] = display_status(new)
                moved.health[i] = health_status(new)
        return moved

    def index(self, positions: Iterable[int]) -> Group:
        """The grouped tree of the results at ``positions``, as ``build_index`` groups them."""
        bucket = self.bucket
        members: dict[int, list[int]] = {}
        for i in positions:
            found = members.get(bucket[i])
            if found is None:
                members[bucket[i]] = [i]
            else:
                found.append(i)
        paths = list(self.paths)
        return index_of(
            ((paths[b], *self._tallied(at)) for b, at in members.items()),
            self.grouping,
            self.frame,
        )

    def _tallied(
        self, at: list[int]
    ) -> tuple[list[DriftResult], Counter[DisplayStatus], Counter[HealthStatus]]:
        results = list(map(self.results.__getitem__, at))
        health = Counter(filter(None, map(self.health.__getitem__, at)))  # those that have one
        return results, Counter(map(self.status.__getitem__, at)), health

    def _same_grouping(self, view: View) -> bool:
        return self.grouping is view.grouping and self.frame == view.frame

    def _number(self, result: DriftResult) -> int:
        path = group_path(result, self.grouping, self.frame)
        return self.paths.setdefault(path, len(self.paths))
