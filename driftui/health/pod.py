"""Pod health: waiting reasons first, then the phase, then readiness.

A container stuck waiting with a reason that starts with ``Err`` or ends with ``Error`` or
``BackOff`` (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError) is
Degraded, but only under restartPolicy Always: a pod that runs once (a hook, a Job's pod)
may still recover, and calling it Degraded early would fail it before it had its chance.
A running pod that restarts for ever is Healthy only while Ready; not ready after a crash
is Degraded. Pods meant to finish (OnFailure, Never) are Progressing while they run.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import items, number, one_line, section, text
from driftui.health.status import Health, HealthStatus


def pod_health(obj: dict[str, Any]) -> Health:
    always = section(obj, "spec").get("restartPolicy", "Always") == "Always"
    stuck = _stuck(obj) if always else []
    if stuck:
        return Health(HealthStatus.DEGRADED, "; ".join(stuck))
    status = section(obj, "status")
    phase, message = status.get("phase"), text(status, "message")
    if phase == "Pending":
        return Health(HealthStatus.PROGRESSING, message or "pending")
    if phase == "Succeeded":
        return Health(HealthStatus.HEALTHY, message or "succeeded")
    if phase == "Failed":
        return Health(HealthStatus.DEGRADED, message or _failure(obj) or "failed")
    if phase == "Running":
        return _running(obj, always, message)
    return Health(HealthStatus.UNKNOWN, message or f"unknown phase {one_line(repr(phase))}")


def _statuses(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return items(obj, "status", "initContainerStatuses") + items(obj, "status", "containerStatuses")


def _stuck(obj: dict[str, Any]) -> list[str]:
    """``container: Reason (message)`` for each container waiting on an error."""
    out = []
    for container in _statuses(obj):
        waiting = section(container, "state", "waiting")
        reason = text(waiting, "reason")
        if reason.startswith("Err") or reason.endswith(("Error", "BackOff")):
            detail = text(waiting, "message")
            out.append(f"{text(container, 'name')}: {reason}" + (f" ({detail})" if detail else ""))
    return out


def _failure(obj: dict[str, Any]) -> str:
    for container in _statuses(obj):
        ended = section(container, "state", "terminated")
        if not ended:
            continue
        if text(ended, "message"):
            return text(ended, "message")
        if ended.get("reason") == "OOMKilled":
            return f"{text(container, 'name')}: OOMKilled"
        if number(ended, "exitCode") != 0:
            return f"container {text(container, 'name')} exited with {number(ended, 'exitCode')}"
    return ""


def _running(obj: dict[str, Any], always: bool, message: str) -> Health:
    if not always:
        return Health(HealthStatus.PROGRESSING, message or "running to completion")
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in items(obj, "status", "conditions")
    )
    if ready:
        return Health(HealthStatus.HEALTHY, message or "running and ready")
    for container in items(obj, "status", "containerStatuses"):
        if section(container, "lastState", "terminated"):
            restarts = number(container, "restartCount")
            detail = f"{text(container, 'name')} crashed, {restarts} restarts, not ready"
            return Health(HealthStatus.DEGRADED, message or detail)
    return Health(HealthStatus.PROGRESSING, message or "running, not yet ready")
