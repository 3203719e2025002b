"""One source's judging, in phases a scan of many apps runs side by side: what Git gave
(:class:`Loaded`), the objects placed and their options chosen (:class:`Judging`), and the
pieces of the verdicts that are not one object's (duplicates, the source's own apps).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from driftui.compare.ignore import IgnoreRule
from driftui.compare.options import CompareOptions
from driftui.config import Config
from driftui.engine.live_side import LiveSide
from driftui.gitops.markers import TrackingMarkers
from driftui.gitops.owners import app_markers
from driftui.model import (
    AppOwner,
    DesiredState,
    DriftResult,
    Fidelity,
    LoadProblem,
    Manifest,
    ScanReport,
    Status,
)
from driftui.runtime.pacing import paced


def fill_namespace(
    manifest: Manifest, namespaced: bool | None, default_ns: str, force: bool = False
) -> Manifest:
    """The namespace the object lands in: ``force`` puts every namespaced one in
    ``default_ns`` (Flux's targetNamespace), else only those that name none."""
    if namespaced is False and manifest.ref.namespace:
        return manifest.in_namespace("")
    elsewhere = bool(namespaced) and manifest.ref.namespace != default_ns
    if elsewhere and (force or not manifest.ref.namespace):
        return manifest.in_namespace(default_ns)
    return manifest


def duplicate_errors(problems: list[LoadProblem]) -> list[DriftResult]:
    """Duplicate identities are objects in error, shown in the tree, not just file problems."""
    return [
        DriftResult(
            p.ref,
            "",
            Status.ERROR,
            Fidelity.CLIENT_SIDE,
            reason=p.message,
            source_file=p.path,
            source_line=p.line or 0,
        )
        for p in problems
        if p.ref is not None
    ]


def source_apps(
    manifests: Iterable[Manifest], live: LiveSide, tracking: TrackingMarkers
) -> set[AppOwner]:
    """The apps that track Git's objects: learned from the cluster, never from Git."""
    apps: set[AppOwner] = set()
    for manifest in paced(manifests):
        live_obj = live.state.objects.get(manifest.ref)
        if live_obj is not None:
            apps |= {m.app for m in app_markers(live_obj, tracking)}
    return apps


@dataclass(frozen=True)
class Loaded:
    """Git's side of one scan: the objects, the config they are judged with, its warnings."""

    desired: DesiredState
    config: Config
    warnings: list[str]


@dataclass(frozen=True)
class OwnApp:
    """The app a scan's source belongs to: its objects' extras are its, its rules theirs."""

    owner: AppOwner
    rules: tuple[IgnoreRule, ...] = ()


@dataclass(frozen=True)
class Judging:
    """One source's objects ready to be judged: in their namespaces, with their options."""

    loaded: Loaded
    manifests: list[Manifest]
    options: CompareOptions
    problems: list[LoadProblem]
    own: OwnApp | None


def source_report(
    desired: DesiredState,
    live: LiveSide,
    fidelity: Fidelity,
    client_side: dict[str, int],
    results: list[DriftResult],
    problems: list[LoadProblem],
    config_warnings: list[str],
) -> ScanReport:
    """One source's report: its verdicts, the problems of no one object, every warning.
    ``client_side``: why objects of a server-side scan were compared client-side."""
    warnings = [
        f"could not read {kind}{'.' + group if group else ''}"
        f"{' in namespace ' + namespace if namespace else ''}: {text}"
        for (group, kind, namespace), text in sorted(live.state.failed.items())
    ]
    compared = sum(1 for r in paced(results) if r.status in (Status.IN_SYNC, Status.DRIFTED))
    if client_side and sum(client_side.values()) == compared:
        fidelity = Fidelity.CLIENT_SIDE  # not one object was compared server-side
    return ScanReport(
        source=desired.source,
        live=live.info,
        fidelity=fidelity,
        client_side=client_side,
        results=results,
        problems=[p for p in problems if p.ref is None],
        skipped=desired.skipped,
        warnings=warnings + config_warnings + live.warnings + list(desired.warnings),
    )
