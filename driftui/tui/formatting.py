"""Small text helpers shared by the explorer's widgets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from textual.content import Content

from driftui.safe_text import safe, safe_value


def shown(value: object, *, multiline: bool = False) -> str:
    """Untrusted text (names, values, messages, commit subjects) as the screen may show it.

    Multi-line text keeps its newlines; its tabs become spaces, since a raw tab moves the
    terminal's cursor by a width Textual's layout never counted."""
    text = safe_value(value, multiline=multiline)
    return text.expandtabs() if multiline else text


def plain(value: object, style: str = "", *, multiline: bool = False) -> Content:
    """Untrusted text as Content: controls made visible, and never parsed as markup."""
    text = shown(value, multiline=multiline)
    return Content.styled(text, style) if style else Content(text)


def parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def ago(value: str | None, now: datetime) -> str:
    """``2h ago`` from an RFC 3339 time; empty when unknown."""
    if not value:
        return ""
    then = parse_time(value)
    if then is None:
        return value
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def fit_middle(text: str, width: int) -> str:
    """``text`` in ``width`` columns, cut in the middle: a path's start and its leaf both
    say something (``spec.template…env[name=DEBUG].value``)."""
    if len(text) <= width:
        return text
    head = max(1, (width - 1) // 2)
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def full_value(value: Any) -> str:
    """A JSON value whole, for the line under the Fields table: strings as they are."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return shown(text, multiline=True)


def short_value(value: Any, limit: int = 40) -> str:
    """One-line rendering of a JSON value for tables; ``—`` for absent."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = safe(text.replace("\n", "⏎"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def attribution(manager: str | None, when: str | None, now: datetime) -> str:
    """``kubectl-set · last write 35s ago``. managedFields keep one time per manager: its
    last write to the object, which may be later than the write of this field."""
    since = ago(when, now)
    parts = [p for p in (manager, f"last write {since}" if since else "") if p]
    return safe(" · ".join(parts))
