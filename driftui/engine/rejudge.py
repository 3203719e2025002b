"""Judge again only the objects a watch event changed, against the last scan's Git side.

A full scan rebuilds everything from Git and a LIST; in watch mode most objects stay as they
were, so the last scan's manifests, options and live side are kept (:class:`Basis`) and only
the changed live objects are put in, judged and swapped into the report. Git changes and an
explicit refresh still go through a full scan.

Health is assessed again for the objects judged again, as a scan assesses it (a workload's
from its Pods, read anew in its namespace), so the explorer's health is current between full
scans. Pods are not watched: a Pod that changes while its workload does not waits for the
workload's next event, or the next full scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from driftui.compare.options import CompareOptions
from driftui.engine.extras import find_extras
from driftui.engine.health_side import with_health
from driftui.engine.live_side import LiveSide
from driftui.engine.ordering import in_ref_order
from driftui.engine.verdict import Verdicts
from driftui.gitops.markers import TrackingMarkers
from driftui.live.pod_cache import PodCache
from driftui.live.reader import LiveState
from driftui.model import AppOwner, DriftResult, Fidelity, Manifest, ObjectRef, ScanReport
from driftui.runtime.pacing import give_way

Changes = Mapping[ObjectRef, dict[str, Any] | None]  # ref -> its object now, None: deleted


@dataclass
class Basis:
    """What the last full scan judged with, kept for judging single objects again."""

    manifests: dict[ObjectRef, Manifest]
    live: LiveSide
    options: CompareOptions
    fidelity: Fidelity
    declared: set[ObjectRef]
    apps: set[AppOwner]
    scope: set[str]
    tracking: TrackingMarkers
    pod_cache: PodCache | None = None  # the scanner's, so a rejudge re-reads only changed Pods
    prune_refused: str = ""  # why the app's operator prunes none of its extras


def rejudge(basis: Basis, verdicts: Verdicts, report: ScanReport, changes: Changes) -> ScanReport:
    """``report`` with the results of the changed objects judged again; the rest kept."""
    objects = basis.live.state.objects
    for ref, obj in changes.items():
        manifest = basis.manifests.get(ref)
        old = objects.get(ref)
        if manifest is not None and old is not None:  # that version's verdict is done with
            verdicts.forget(manifest, old, basis.options, basis.fidelity)
        if obj is None:
            objects.pop(ref, None)
        else:
            objects[ref] = obj
    judged: dict[ObjectRef, DriftResult | None] = {}
    for ref in changes:
        give_way()  # a drifted object's verdict holds the interpreter lock for a millisecond
        judged[ref] = _judged(basis, verdicts, ref)
    fresh = _with_health(basis, judged)
    results = []
    for result in report.results:
        if result.ref in fresh:
            now = fresh.pop(result.ref)
            if now is not None:
                results.append(now)
        else:
            results.append(result)
    added = [r for r in fresh.values() if r is not None]  # new extras
    if added:
        results += added
        results = in_ref_order(results)
    return replace(report, results=results)


def _with_health(
    basis: Basis, fresh: dict[ObjectRef, DriftResult | None]
) -> dict[ObjectRef, DriftResult | None]:
    """The new verdicts with their health (and a workload's images) assessed again."""
    judged = [r for r in fresh.values() if r is not None]
    assessed, _ = with_health(judged, basis.live, basis.pod_cache)
    now = {r.ref: r for r in assessed}
    return {ref: now.get(ref) for ref in fresh}


def _judged(basis: Basis, verdicts: Verdicts, ref: ObjectRef) -> DriftResult | None:
    """The object's verdict now: judged against Git, or an extra, or None (not shown)."""
    manifest = basis.manifests.get(ref)
    if manifest is not None:
        return verdicts.judge(manifest, basis.live, basis.options, basis.fidelity)
    obj = basis.live.state.objects.get(ref)
    if obj is None or ref in basis.declared:
        return None
    alone = replace(basis.live, state=LiveState(objects={ref: obj}))
    extras = find_extras(
        alone, basis.declared, basis.apps, basis.scope, basis.tracking, None, basis.prune_refused
    )
    return extras[0] if extras else None
