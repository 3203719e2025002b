"""A workload's health with its Pods in view, or Unknown when they cannot be read.

A workload's own status lags behind its Pods: a Deployment whose new Pods crash-loop stays
Progressing until its progress deadline (ten minutes by default) runs out. Argo CD shows
such Pods as Degraded children in its tree; driftui's tree holds what Git declares, and Pods
are not in Git, so the worst Pod is lifted into the workload's own verdict instead.

When the user may not list Pods (or, for a Deployment, ReplicaSets) there, the verdict is
Unknown with that reason, and the message keeps what the workload's own status said.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driftui.health.assess import HealthOverride, assess
from driftui.health.fields import name, section
from driftui.health.status import Health, HealthStatus

# States a crashing Pod does not override: paused on purpose, or already as bad or worse.
_FINAL = frozenset({HealthStatus.SUSPENDED, HealthStatus.DEGRADED, HealthStatus.UNKNOWN})


def workload_health(
    obj: dict[str, Any],
    pods: Sequence[dict[str, Any]],
    unreadable: str = "",
    override: HealthOverride | None = None,
) -> Health:
    """``obj``'s health, made worse by any Degraded Pod among ``pods`` (its own Pods).

    ``unreadable`` is why its Pods could not be read; it makes the verdict Unknown.
    """
    own = assess(obj, override)
    if unreadable:
        said = f"{own.status}" + (f" ({own.message})" if own.message else "")
        return Health(HealthStatus.UNKNOWN, f"{unreadable}; its own status says {said}")
    if own.status in _FINAL or section(obj, "metadata").get("deletionTimestamp"):
        return own
    failing = [(pod, h) for pod in pods if (h := assess(pod)).status is HealthStatus.DEGRADED]
    if not failing:
        return own
    pod, health = failing[0]
    message = f"{len(failing)} of {len(pods)} pods Degraded; {name(pod)}: {health.message}"
    return Health(HealthStatus.DEGRADED, message)
