"""Health and images in reports: the cluster's words, made safe once for every format.

Health messages and image names come from the cluster (a kubelet's waiting message, a
controller's condition), so they are untrusted text: each goes through ``safe_text`` here,
and each format then escapes it by its own rules as well.
"""

from __future__ import annotations

from typing import Any

from driftui.health import ContainerImages, counts
from driftui.model import DriftResult, HealthStatus, ScanReport
from driftui.safe_text import safe


def health_json(r: DriftResult) -> dict[str, str] | None:
    if r.health is None:
        return None
    return {"status": str(r.health.status), "message": safe(r.health.message)}


def _text(value: str | None) -> str | None:
    return None if value is None else safe(value)


def image_json(c: ContainerImages) -> dict[str, Any]:
    """``{"container", "git", "spec", "running": [{"image", "digest", "pods"}]}``, made safe."""
    return {
        "container": safe(c.container),
        "git": _text(c.git),
        "spec": _text(c.spec),
        "running": [
            {"image": safe(run.image), "digest": safe(run.digest), "pods": run.pods}
            for run in c.running
        ],
    }


def health_counts(report: ScanReport) -> dict[str, int]:
    """How many objects are in each health state (objects without health not counted)."""
    return counts(r.health for r in report.results if r.health is not None)


def health_label(r: DriftResult) -> str:
    """``Degraded: 1 of 3 pods Degraded; ...``, one line, or "" when not assessed."""
    if r.health is None:
        return ""
    message = f": {r.health.message}" if r.health.message else ""
    return safe(f"{r.health.status}{message}")


def is_degraded(r: DriftResult) -> bool:
    return r.health is not None and r.health.status is HealthStatus.DEGRADED
