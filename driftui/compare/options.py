"""What a comparison is told: merge keys, who applies Git, who is a controller, what to ignore.

The defaults name the appliers and controllers driftui knows; the config (``.driftui.yaml``
and ``--config``) hands down its own, and the tracking keys, through
``Config.compare_options``. Nothing here knows which tool wrote a marker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Protocol

from driftui.compare.ignore import IgnoreRule
from driftui.compare.merge_keys import MergeKeys
from driftui.model import Path

DEFAULT_APPLIERS = (
    "driftui",
    "argocd-controller",
    "kustomize-controller",
    "helm",
    "kubectl-client-side-apply",
    "kubectl",
)
DEFAULT_CONTROLLERS = ("kube-controller-manager", "kube-scheduler", "kubelet", "*-controller")


class TrackingKeys(Protocol):
    """Which annotation and label keys are an app's tracking marker (glob patterns).

    Handed down by the config (``gitops.markers.TrackingMarkers``): the comparison treats
    them as context, never drift, without knowing which tool wrote them.
    """

    @property
    def annotations(self) -> tuple[str, ...]: ...

    @property
    def labels(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class NoTrackingKeys:
    annotations: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompareOptions:
    merge_keys: MergeKeys = field(default_factory=MergeKeys.builtin)
    appliers: tuple[str, ...] = DEFAULT_APPLIERS
    controllers: tuple[str, ...] = DEFAULT_CONTROLLERS
    ignore: tuple[IgnoreRule, ...] = ()
    tracking: TrackingKeys = field(default_factory=NoTrackingKeys)

    def is_applier(self, manager: str) -> bool:
        return any(fnmatchcase(manager, pattern) for pattern in self.appliers)

    def is_controller(self, manager: str) -> bool:
        """Appliers win: ``argocd-controller`` matches ``*-controller`` but applies Git."""
        if self.is_applier(manager):
            return False
        return any(fnmatchcase(manager, pattern) for pattern in self.controllers)

    def is_marker(self, path: Path) -> bool:
        if len(path) != 3 or path[0] != "metadata" or not isinstance(path[2], str):
            return False
        names = {"annotations": self.tracking.annotations, "labels": self.tracking.labels}
        patterns = names.get(path[1]) if isinstance(path[1], str) else None
        return bool(patterns) and any(fnmatchcase(path[2], p) for p in patterns or ())
