"""An Argo CD Application already knows its health: ``status.health``.

Argo CD computes it from the app's resources with rules it may have been customised with;
driftui shows that verdict rather than a second opinion. An app that has not reported yet
is Progressing, as Argo CD's own health check for Applications says.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import one_line, section, text
from driftui.health.status import Health, HealthStatus


def application_health(obj: dict[str, Any]) -> Health:
    reported = section(obj, "status", "health")
    value, message = reported.get("status"), text(reported, "message")
    if not value:
        return Health(HealthStatus.PROGRESSING, "Argo CD has not reported health yet")
    try:
        status = HealthStatus(value)
    except ValueError:
        return Health(
            HealthStatus.UNKNOWN, f"Argo CD reports an unknown health {one_line(repr(value))}"
        )
    return Health(status, message or f"Argo CD reports {status}")
