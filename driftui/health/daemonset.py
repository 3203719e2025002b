"""DaemonSet health: observed, then every scheduled pod updated and available.

With the OnDelete strategy pods are replaced only by hand, so an observed DaemonSet is
Healthy whatever its update count.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import generation, number, observed, section
from driftui.health.status import Health, HealthStatus


def daemonset_health(obj: dict[str, Any]) -> Health:
    spec, status = section(obj, "spec"), section(obj, "status")
    if generation(obj) > observed(obj):
        return Health(HealthStatus.PROGRESSING, "rollout not yet observed by the controller")
    desired, updated = (
        number(status, "desiredNumberScheduled"),
        number(status, "updatedNumberScheduled"),
    )
    if section(spec, "updateStrategy").get("type") == "OnDelete":
        return Health(HealthStatus.HEALTHY, f"{updated} of {desired} pods updated (OnDelete)")
    if updated < desired:
        return Health(
            HealthStatus.PROGRESSING, f"waiting for rollout: {updated} of {desired} pods updated"
        )
    available = number(status, "numberAvailable")
    if available < desired:
        return Health(
            HealthStatus.PROGRESSING,
            f"waiting for rollout: {available} of {desired} updated pods available",
        )
    return Health(HealthStatus.HEALTHY, f"{available} of {desired} pods available")
