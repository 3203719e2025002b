"""APIService health: its Available condition, True or not.

An APIService that is not Available makes discovery of its group fail for every client of
the cluster; Argo CD still calls it Progressing (the aggregated server may be starting).
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import condition, explain, is_true
from driftui.health.status import Health, HealthStatus


def apiservice_health(obj: dict[str, Any]) -> Health:
    available = condition(obj, "Available")
    if available is None:
        return Health(HealthStatus.PROGRESSING, "waiting to be processed")
    if is_true(available):
        return Health(HealthStatus.HEALTHY, explain(available) or "available")
    return Health(HealthStatus.PROGRESSING, explain(available) or "not available")
