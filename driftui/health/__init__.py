"""Health: is each live object well, and does it run the image Git names?

A second axis beside drift, never mixed into it. One module per kind holds that kind's rule
(as gitops-engine's ``pkg/health`` has ``health_pod.go``, ``health_deployment.go``, ...);
:mod:`driftui.health.assess` is the one table that picks a rule. ``images`` answers the
image question per container. Everything here is pure: it reads objects it is handed and
imports nothing from driftui but ``model``; reading Pods is ``driftui.live.workload_pods``.
"""

from driftui.health.assess import HealthOverride, assess, missing, unknown
from driftui.health.images import (
    ContainerImages,
    ImageFlag,
    RunningImage,
    image_flags,
    workload_images,
)
from driftui.health.pods import is_workload, needs_jobs, needs_replica_sets, pods_of
from driftui.health.status import ORDER, Health, HealthStatus, counts, rollup, rollup_by, worst
from driftui.health.workload import workload_health

__all__ = [
    "ORDER",
    "ContainerImages",
    "Health",
    "HealthOverride",
    "HealthStatus",
    "ImageFlag",
    "RunningImage",
    "assess",
    "counts",
    "image_flags",
    "is_workload",
    "missing",
    "needs_jobs",
    "needs_replica_sets",
    "pods_of",
    "rollup",
    "rollup_by",
    "unknown",
    "workload_health",
    "workload_images",
    "worst",
]
