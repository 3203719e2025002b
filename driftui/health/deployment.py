"""Deployment health, as ``kubectl rollout status`` and Argo CD judge it.

Paused is Suspended. Until the controller has observed the latest generation nothing in the
status speaks for the current spec, so that is Progressing. Then a Progressing condition
with reason ProgressDeadlineExceeded is Degraded, and the rollout is Progressing while new
replicas are missing, old ones linger or updated ones are not yet available.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import condition, generation, number, observed, section, text
from driftui.health.status import Health, HealthStatus


def deployment_health(obj: dict[str, Any]) -> Health:
    spec, status = section(obj, "spec"), section(obj, "status")
    if spec.get("paused") is True:
        return Health(HealthStatus.SUSPENDED, "Deployment is paused")
    if generation(obj) > observed(obj):
        return Health(HealthStatus.PROGRESSING, "rollout not yet observed by the controller")
    progress = condition(obj, "Progressing")
    if progress is not None and progress.get("reason") == "ProgressDeadlineExceeded":
        detail = text(progress, "message") or "rollout exceeded its progress deadline"
        return Health(HealthStatus.DEGRADED, detail)
    wanted = number(spec, "replicas", 1)
    updated, total = number(status, "updatedReplicas"), number(status, "replicas")
    available = number(status, "availableReplicas")
    if updated < wanted:
        return _waiting(f"{updated} of {wanted} replicas updated")
    if total > updated:
        return _waiting(f"{total - updated} old replicas pending termination")
    if available < updated:
        return _waiting(f"{available} of {updated} updated replicas available")
    return Health(HealthStatus.HEALTHY, f"{available} of {wanted} replicas available")


def _waiting(detail: str) -> Health:
    return Health(HealthStatus.PROGRESSING, f"waiting for rollout: {detail}")
