"""PersistentVolumeClaim health: Bound is Healthy, Pending Progressing, Lost Degraded.

Lost means the volume behind the claim is gone: the data the workload expects is not there.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import one_line, section, text
from driftui.health.status import Health, HealthStatus

_PHASES = {
    "Bound": (HealthStatus.HEALTHY, "bound"),
    "Pending": (HealthStatus.PROGRESSING, "waiting for a volume"),
    "Lost": (HealthStatus.DEGRADED, "its volume is lost"),
}


def pvc_health(obj: dict[str, Any]) -> Health:
    phase = section(obj, "status").get("phase")
    status, message = _PHASES.get(
        str(phase), (HealthStatus.UNKNOWN, f"unknown phase {one_line(repr(phase))}")
    )
    volume = text(section(obj, "spec"), "volumeName")
    if status is HealthStatus.HEALTHY and volume:
        message = f"bound to {volume}"
    return Health(status, message)
