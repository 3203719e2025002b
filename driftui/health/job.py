"""Job health: suspended, failed, complete, or still running.

``spec.suspend`` is Suspended (a Kueue-style queue holds it, or someone paused it). Only a
condition whose status is True counts: the controller may record Failed=False.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import condition, explain, is_true, number, section
from driftui.health.status import Health, HealthStatus


def job_health(obj: dict[str, Any]) -> Health:
    if section(obj, "spec").get("suspend") is True:
        return Health(HealthStatus.SUSPENDED, "Job is suspended")
    failed = condition(obj, "Failed")
    if is_true(failed):
        return Health(HealthStatus.DEGRADED, explain(failed) or "Job failed")
    complete = condition(obj, "Complete")
    if is_true(complete):
        return Health(HealthStatus.HEALTHY, explain(complete) or "Job completed")
    status = section(obj, "status")
    running = number(status, "active")
    return Health(
        HealthStatus.PROGRESSING,
        f"running: {running} active, {number(status, 'succeeded')} succeeded,"
        f" {number(status, 'failed')} failed",
    )
