"""StatefulSet health: observed, replicas ready, then the update strategy decides.

A rolling update is done once the pods at or above its partition (0 unless set) are
updated; OnDelete never rolls on its own, so ready pods are enough. Without a rolling update
section (older API versions) the update revision must have become the current one.
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
    if "partition" in rolling:  # apps/v1 defaults it to 0: then every pod is to be updated
        partition = number(rolling, "partition")
        target, updated = wanted - partition, number(status, "updatedReplicas")
        what = f"partitioned rollout (partition {partition})" if partition else "rolling update"
        if updated < target:
            return Health(HealthStatus.PROGRESSING, f"{what}: {updated} of {target} pods updated")
        return Health(HealthStatus.HEALTHY, f"{what} complete: {updated} pods updated")
    update, current = text(status, "updateRevision"), text(status, "currentRevision")
    if update != current:
        updated = number(status, "updatedReplicas")
        return Health(
            HealthStatus.PROGRESSING, f"rolling update: {updated} pods at revision {update}"
        )
    return Health(HealthStatus.HEALTHY, f"{ready} pods ready at revision {current}")
