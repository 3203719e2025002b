""" "Same object, every cluster": one object's status and health in each cluster, as data.

It answers "is prod the only one that drifted?": a row per cluster asked (an unreadable
cluster says so on its own row), and one sentence that names where the object differs
from Git and where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftui.model import DriftResult, ObjectRef
from driftui.tui.scope import Scope, cluster_of
from driftui.tui.status_style import GLYPH, LABEL, DisplayStatus, display_status

NOT_SCANNED = "not in this cluster's scan"


@dataclass(frozen=True)
class MatrixRow:
    """One cluster's cell of the matrix; ``result`` None when it has no such object."""

    context: str
    status: str  # "drifted", "in sync", "cluster error", "—"
    health: str
    differences: int
    note: str
    result: DriftResult | None = None

    @property
    def comparable(self) -> bool:
        return self.result is not None and self.result.live is not None


def object_title(ref: ObjectRef) -> str:
    where = f"{ref.namespace}/" if ref.namespace else ""
    return f"{ref.kind} {where}{ref.name}"


def matrix_rows(scope: Scope, ref: ObjectRef) -> list[MatrixRow]:
    found = {cluster_of(r): r for r in scope.report.results if r.ref == ref}
    rows = []
    for c in scope.clusters:
        result = found.get(c.context)
        if c.error:
            rows.append(MatrixRow(c.context, "cluster error", "", 0, c.error))
        elif result is None:
            rows.append(MatrixRow(c.context, "—", "", 0, NOT_SCANNED))
        else:
            status = display_status(result)
            health = result.health.status.value if result.health is not None else ""
            label = f"{GLYPH[status]} {LABEL[status]}"
            rows.append(
                MatrixRow(c.context, label, health, len(result.differences), result.reason, result)
            )
    return rows


def verdict(rows: list[MatrixRow]) -> str:
    """``drifted only in prod`` / ``differs from Git in a, b; in sync in c`` / ``in sync
    in every cluster``; unreadable clusters are named as such."""
    differs = [r.context for r in rows if r.result is not None and _differs(r.result)]
    in_sync = [r.context for r in rows if r.result is not None and not _differs(r.result)]
    unread = [r.context for r in rows if r.result is None]
    parts = []
    if differs and len(differs) == 1 and in_sync:
        parts.append(f"differs from Git only in {differs[0]}")
    elif differs:
        parts.append(f"differs from Git in {', '.join(differs)}")
    if in_sync:
        parts.append(
            "in sync in every cluster"
            if not differs and not unread
            else f"in sync in {', '.join(in_sync)}"
        )
    if unread:
        parts.append(f"not known in {', '.join(unread)}")
    return "; ".join(parts)


def _differs(result: DriftResult) -> bool:
    return display_status(result) is not DisplayStatus.IN_SYNC
