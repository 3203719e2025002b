"""The dispatcher: one table picks the rule for a kind (gitops-engine ``health.go``).

Order: an object being deleted is Progressing whatever its kind; an override (a user's own
rule) speaks next; then the kind's rule; then the standard conditions any controller may
write; and an object with none of these exists, which is all that can be said: Healthy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from driftui.health.apiservice import apiservice_health
from driftui.health.application import application_health
from driftui.health.conditions import conditions_health
from driftui.health.daemonset import daemonset_health
from driftui.health.deployment import deployment_health
from driftui.health.fields import section
from driftui.health.hpa import hpa_health
from driftui.health.ingress import ingress_health
from driftui.health.job import job_health
from driftui.health.pod import pod_health
from driftui.health.pvc import pvc_health
from driftui.health.replicaset import replicaset_health
from driftui.health.service import service_health
from driftui.health.statefulset import statefulset_health
from driftui.health.status import Health, HealthStatus
from driftui.model import group_of

Rule = Callable[[dict[str, Any]], Health]
HealthOverride = Callable[[dict[str, Any]], Health | None]
"""A rule of the user's own; None means "no opinion", and the built-in rules decide."""

RULES: dict[tuple[str, str], Rule] = {
    ("apps", "Deployment"): deployment_health,
    ("extensions", "Deployment"): deployment_health,
    ("apps", "StatefulSet"): statefulset_health,
    ("apps", "DaemonSet"): daemonset_health,
    ("extensions", "DaemonSet"): daemonset_health,
    ("apps", "ReplicaSet"): replicaset_health,
    ("extensions", "ReplicaSet"): replicaset_health,
    ("", "Pod"): pod_health,
    ("batch", "Job"): job_health,
    ("", "PersistentVolumeClaim"): pvc_health,
    ("", "Service"): service_health,
    ("networking.k8s.io", "Ingress"): ingress_health,
    ("extensions", "Ingress"): ingress_health,
    ("autoscaling", "HorizontalPodAutoscaler"): hpa_health,
    ("apiregistration.k8s.io", "APIService"): apiservice_health,
    ("argoproj.io", "Application"): application_health,
}

MISSING = Health(HealthStatus.MISSING, "declared in Git, absent from the cluster")
NO_RULE = Health(HealthStatus.HEALTHY, "exists; no health rule for this kind")


def _group_kind(obj: dict[str, Any]) -> tuple[str, str]:
    return group_of(str(obj.get("apiVersion") or "")), str(obj.get("kind") or "")


def assess(
    obj: dict[str, Any],
    override: HealthOverride | None = None,
    group_kind: tuple[str, str] | None = None,
) -> Health:
    """The health of one live object, from the object alone. ``group_kind``: the object's
    own, when the caller knows it already (a scan does, from the object's identity)."""
    if section(obj, "metadata").get("deletionTimestamp"):
        return Health(HealthStatus.PROGRESSING, "being deleted")
    if override is not None:
        chosen = override(obj)
        if chosen is not None:
            return chosen
    rule = RULES.get(group_kind or _group_kind(obj))
    if rule is not None:
        return rule(obj)
    return conditions_health(obj) or NO_RULE


def missing() -> Health:
    """The health of an object Git declares and the cluster does not have."""
    return MISSING


def unknown(reason: str) -> Health:
    """Health that could not be assessed, and why (say, no permission to list Pods)."""
    return Health(HealthStatus.UNKNOWN, reason)
