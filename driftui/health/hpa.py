"""HorizontalPodAutoscaler health, read from its conditions (autoscaling/v2).

Conditions are read in order and the first that speaks decides: a failure to read the scale
or the metrics, or an invalid selector, is Degraded; a successful rescale or desired replicas
within (or clamped to) the range is Healthy. Without either, the autoscaler is still waiting
for its first metrics: Progressing. autoscaling/v1 keeps the same conditions as JSON in an
annotation.
"""

from __future__ import annotations

import json
from typing import Any

from driftui.health.fields import explain, items, section
from driftui.health.status import Health, HealthStatus

_DEGRADED = {
    ("AbleToScale", "FailedGetScale"),
    ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"),
    ("ScalingActive", "InvalidSelector"),
}
_HEALTHY = {
    ("AbleToScale", "SucceededRescale"),
    ("ScalingLimited", "DesiredWithinRange"),
    ("ScalingLimited", "TooFewReplicas"),
    ("ScalingLimited", "TooManyReplicas"),
}
V1_CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"


def hpa_health(obj: dict[str, Any]) -> Health:
    for cond in _conditions(obj):
        key = (cond.get("type"), cond.get("reason"))
        if key in _DEGRADED:
            return Health(HealthStatus.DEGRADED, explain(cond))
        if key in _HEALTHY:
            return Health(HealthStatus.HEALTHY, explain(cond))
    return Health(HealthStatus.PROGRESSING, "waiting to autoscale")


def _conditions(obj: dict[str, Any]) -> list[dict[str, Any]]:
    found = items(obj, "status", "conditions")
    if found:
        return found
    raw = section(obj, "metadata", "annotations").get(V1_CONDITIONS)
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    return [c for c in parsed if isinstance(c, dict)] if isinstance(parsed, list) else []
