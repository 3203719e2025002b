"""Health of any object that reports standard conditions: the Flux kinds and most CRDs.

kstatus names the conditions (``Ready``, ``Stalled``, ``Reconciling``) and Flux, Crossplane,
cert-manager and Cluster API write them. ``spec.suspend: true`` is Suspended (Flux, and
a CronJob). A status that has not observed the latest generation says nothing about the
current spec: Progressing. Stalled is Degraded and Reconciling is Progressing. Ready=True is
Healthy; Ready=False is Degraded, as Argo CD's own Flux health checks call it, unless its
reason says the controller is still at work or waits for a dependency.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import condition, explain, generation, is_true, items, section
from driftui.health.status import Health, HealthStatus

STILL_WORKING = frozenset({"Progressing", "ProgressingWithRetry", "DependencyNotReady"})


def conditions_health(obj: dict[str, Any]) -> Health | None:
    """None when the object has neither ``spec.suspend`` nor a condition this rule knows."""
    if section(obj, "spec").get("suspend") is True:
        return Health(HealthStatus.SUSPENDED, "reconciliation is suspended")
    if not items(obj, "status", "conditions"):
        return None
    seen = section(obj, "status").get("observedGeneration")
    if isinstance(seen, int) and generation(obj) > seen:
        return Health(HealthStatus.PROGRESSING, "latest generation not yet observed")
    stalled, reconciling = condition(obj, "Stalled"), condition(obj, "Reconciling")
    if is_true(stalled):
        return Health(HealthStatus.DEGRADED, explain(stalled) or "stalled")
    if is_true(reconciling):
        return Health(HealthStatus.PROGRESSING, explain(reconciling) or "reconciling")
    return _ready(condition(obj, "Ready"))


def _ready(ready: dict[str, Any] | None) -> Health | None:
    if ready is None:
        return None
    detail = explain(ready)
    if ready.get("status") == "True":
        return Health(HealthStatus.HEALTHY, detail or "ready")
    if ready.get("status") == "False" and ready.get("reason") not in STILL_WORKING:
        return Health(HealthStatus.DEGRADED, detail or "not ready")
    return Health(HealthStatus.PROGRESSING, detail or "not ready yet")
