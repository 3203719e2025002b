"""ReplicaSet health: observed, no ReplicaFailure, every replica available.

ReplicaFailure=True is what the controller sets when it cannot create pods (a quota, an
admission webhook): Degraded with the controller's own words.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import condition, explain, generation, is_true, number, observed, section
from driftui.health.status import Health, HealthStatus


def replicaset_health(obj: dict[str, Any]) -> Health:
    if generation(obj) > observed(obj):
        return Health(HealthStatus.PROGRESSING, "not yet observed by the controller")
    failure = condition(obj, "ReplicaFailure")
    if is_true(failure):
        return Health(HealthStatus.DEGRADED, explain(failure) or "replica failure")
    wanted = number(section(obj, "spec"), "replicas", 1)
    available = number(section(obj, "status"), "availableReplicas")
    if available < wanted:
        return Health(
            HealthStatus.PROGRESSING, f"waiting for rollout: {available} of {wanted} available"
        )
    return Health(HealthStatus.HEALTHY, f"{available} of {wanted} replicas available")
