"""Helpers every report format shares: one value as text, and where an object is declared."""

from __future__ import annotations

import json
from typing import Any

from driftui.model import DriftResult, Status


def as_text(value: Any) -> str:
    """A value as one piece of text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


NEEDS_CARE = (Status.DRIFTED, Status.MISSING, Status.EXTRA, Status.ERROR)
"""The verdicts a report lists object by object; in-sync objects are only counted."""


MAX_FIELDS = 10  # fields named in one annotation or finding; the JSON report has them all


def needs_care(result: DriftResult) -> bool:
    return result.status in NEEDS_CARE


def summary(result: DriftResult) -> str:
    """One sentence for an annotation or finding: the verdict and the fields concerned."""
    ref = str(result.ref)
    if result.status is Status.ERROR:
        return f"{ref}: error: {result.reason}"
    if result.status is Status.MISSING:
        return f"{ref} is declared in Git but missing from the cluster"
    if result.status is Status.EXTRA:
        return f"{ref} is in the cluster but not declared in Git"
    shown = result.differences[:MAX_FIELDS]
    fields = ", ".join(
        f"{d.dotted} ({d.type.value}"
        + (f" by {d.manager}" if d.manager else "")
        + (f", line {d.line})" if d.line else ")")
        for d in shown
    )
    more = len(result.differences) - len(shown)
    fields += f" and {more} more fields" if more > 0 else ""
    return f"{ref} drifted: {fields}" if fields else f"{ref} drifted"
