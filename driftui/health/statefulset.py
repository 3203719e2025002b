"""StatefulSet health: observed, replicas ready, then the update strategy decides.

A partitioned rolling update is done once the pods above the partition are updated; OnDelete
never rolls on its own, so ready pods are enough; otherwise the update revision must have
become the current one.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import generation, number, observed, section, text
from driftui.health.status import Health, HealthStatus


def statefulset_health(obj: dict[str, Any]) -> Health:
    spec, status = section(obj, "spec"), section(obj, "status")
    if observed(obj) == 0 or generation(obj) > observed(obj):
        return Health(HealthStatus.PROGRESSING, "spec update not yet observed by the controller")
    wanted, ready = number(spec, "replicas", 1), number(status, "readyReplicas")
    if ready < wanted:
        return Health(HealthStatus.PROGRESSING, f"waiting for {wanted - ready} pods to be ready")
    strategy = section(spec, "updateStrategy")
    if strategy.get("type") == "OnDelete":
        return Health(HealthStatus.HEALTHY, f"{ready} pods ready (OnDelete updates)")
    rolling = section(strategy, "rollingUpdate")
    if "partition" in rolling:
        target = wanted - number(rolling, "partition")
        updated = number(status, "updatedReplicas")
        if updated < target:
            return Health(
                HealthStatus.PROGRESSING,
                f"partitioned rollout: {updated} of {target} pods updated",
            )
        return Health(HealthStatus.HEALTHY, f"partitioned rollout complete: {updated} updated")
    update, current = text(status, "updateRevision"), text(status, "currentRevision")
    if update != current:
        updated = number(status, "updatedReplicas")
        return Health(
            HealthStatus.PROGRESSING, f"rolling update: {updated} pods at revision {update}"
        )
    return Health(HealthStatus.HEALTHY, f"{ready} pods ready at revision {current}")
