"""Move every timestamp of the demo by one delta, so it reads recent and keeps its order.

The captured snapshot and the commit list are dated on the day they were made; shown as
they are, the demo would read "kubectl-edit · 922d ago". Every RFC 3339 time in the live
objects (managedFields, creationTimestamp, status conditions) moves by the same delta as
the commit dates, chosen so the newest change is a few hours older than "now".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
NEWEST_AGE = timedelta(hours=3)  # how old the demo's latest change reads


def parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, _FORMAT).replace(tzinfo=UTC)


def stamps(value: Any) -> list[str]:
    """Every timestamp in a JSON-like value (whole strings only, never parts of data)."""
    if isinstance(value, dict):
        return [s for child in value.values() for s in stamps(child)]
    if isinstance(value, list):
        return [s for child in value for s in stamps(child)]
    return [value] if isinstance(value, str) and STAMP.fullmatch(value) else []


def shifted(value: Any, delta: timedelta) -> Any:
    """A copy of ``value`` with every timestamp moved by ``delta``."""
    if isinstance(value, dict):
        return {key: shifted(child, delta) for key, child in value.items()}
    if isinstance(value, list):
        return [shifted(child, delta) for child in value]
    if isinstance(value, str) and STAMP.fullmatch(value):
        return (parse(value) + delta).strftime(_FORMAT)
    return value


def delta_to(newest: datetime, now: datetime) -> timedelta:
    """Whole seconds that move ``newest`` to NEWEST_AGE before ``now``."""
    return timedelta(seconds=int((now - NEWEST_AGE - newest).total_seconds()))
