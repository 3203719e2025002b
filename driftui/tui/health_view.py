"""Health and images on screen: the tree's ``♥`` suffix, the filter facets, the Images tab.

Health sits beside drift (``≠ drifted · ♥ Degraded``), never mixed into its glyph or colour.
A group's health is its worst child's, as in Argo CD. Everything shown here came from the
cluster, so every piece of text goes through ``safe_text`` first.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from textual.content import Content

from driftui.health import ContainerImages, image_flags, worst
from driftui.model import DriftResult, HealthStatus
from driftui.safe_text import safe
from driftui.tui.diff_render import Row
from driftui.tui.status_style import LABEL, DisplayStatus, display_status


class ImageFacet(StrEnum):
    IMAGE_DRIFT = "image drift"


Facet = DisplayStatus | HealthStatus | ImageFacet
"""What the ``f`` filter can keep: a drift status, a health state, or image drift."""

HEALTH_FACETS: tuple[HealthStatus, ...] = (
    HealthStatus.DEGRADED,
    HealthStatus.PROGRESSING,
    HealthStatus.SUSPENDED,
    HealthStatus.UNKNOWN,
)
HEART = "♥"


def facet_label(facet: Facet) -> str:
    if isinstance(facet, DisplayStatus):
        return LABEL[facet]
    if isinstance(facet, HealthStatus):
        return f"{HEART} {facet.value}"
    return facet.value


def has_image_drift(result: DriftResult) -> bool:
    return bool(result.images) and bool(image_flags(result.images))


def matches(result: DriftResult, facet: Facet) -> bool:
    if isinstance(facet, DisplayStatus):
        return display_status(result) is facet
    if isinstance(facet, HealthStatus):
        return result.health is not None and result.health.status is facet
    return has_image_drift(result)


def health_suffix(statuses: Iterable[HealthStatus]) -> str:
    """`` · ♥ Degraded`` for the worst of ``statuses``; "" when all are Healthy (or none)."""
    found = list(statuses)
    if not found:
        return ""
    state = worst(found)
    return "" if state is HealthStatus.HEALTHY else f" · {HEART} {state.value}"


def result_suffix(result: DriftResult) -> str:
    return health_suffix([result.health.status]) if result.health is not None else ""


def _line(text: str, style: str = "") -> Row:
    return Row(Content.styled(safe(text), style) if style else Content(safe(text)))


def _container_rows(c: ContainerImages, flags: list[str]) -> list[Row]:
    rows = [_line(f"{c.container}{' (init)' if c.init else ''}", "b")]
    rows.append(_line(f"git      {c.git or '— not in Git'}"))
    rows.append(_line(f"spec     {c.spec or '— not in the cluster'}"))
    if not c.running:
        rows.append(_line("running  — no pods seen", "$text-muted"))
    for run in c.running:  # one line each: the view does not keep leading blanks
        digest = f" @{run.digest[:19]}…" if run.digest else ""
        rows.append(_line(f"running  {run.image}{digest} on {run.pods} pod{'s' * (run.pods != 1)}"))
    rows += [_line(f"⚠ {flag}", "$text-warning") for flag in flags]
    return [*rows, _line("")]


def image_rows(result: DriftResult) -> list[Row]:
    """The Images tab: per container, Git's image, the live spec's, and what the Pods run."""
    rows = []
    if result.health is not None:
        health = result.health
        rows.append(_line(f"{HEART} {health.status.value}: {health.message}", "b"))
        rows.append(_line(""))
    if not result.images:
        return [*rows, _line("Not a workload: no containers to show.", "$text-muted")]
    flags: dict[str, list[str]] = {}
    for flag in image_flags(result.images):
        flags.setdefault(flag.container, []).append(flag.message)
    for c in result.images:
        rows += _container_rows(c, flags.get(c.container, []))
    return rows
