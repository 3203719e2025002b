"""What each tab of the detail pane builds off the screen's thread, and the key the pane
caches it under.

A key holds the tab, the result's ``cache_key`` (same blob + same resourceVersion gives
the same text) and only the view options that tab's build reads, so toggling managed
fields does not throw away the diffs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from driftui.history import HistoryEntry
from driftui.model import DriftResult, ObjectRef
from driftui.tui import diff_render, diff_source
from driftui.tui.diff_render import RenderedDiff, Row, render_diff, yaml_rows

FULL_CONTEXT = None
COMPACT_CONTEXT = 3

HistoryFn = Callable[[ObjectRef], list[HistoryEntry]]
CacheKey = tuple[Hashable, ...]  # (tab, the result's cache_key, the view options it depends on)


@dataclass(frozen=True)
class Rows:
    """The Git or Live tab's YAML rows; None when that side does not exist."""

    rows: list[Row] | None


@dataclass(frozen=True)
class History:
    """The History tab's commits; None when no history function was given."""

    entries: list[HistoryEntry] | None


Payload = RenderedDiff | Rows | History
Build = Callable[[], Payload]


def builder(
    tab: str,
    result: DriftResult,
    *,
    split: bool,
    full: bool,
    managed_fields: bool,
    history: HistoryFn | None,
    now: datetime,
) -> tuple[CacheKey, Build]:
    """The cache key and the build for ``result`` on ``tab`` (diff, git, live or history),
    with the pane's toggles: side by side, whole file, managedFields shown."""
    context = FULL_CONTEXT if full else COMPACT_CONTEXT
    if tab == "diff":
        return ("diff", result.cache_key, full, split), lambda: render_diff(
            result, context=context, split=split, now=now
        )
    if tab == "git":
        return ("git", result.cache_key), lambda: Rows(diff_render.git_rows(result))
    if tab == "live":

        def live_rows() -> Rows:
            if result.live is None:
                return Rows(None)
            live = result.live
            obj = live if managed_fields else diff_source.without_managed_fields(live)
            return Rows(yaml_rows(obj))

        return ("live", result.cache_key, managed_fields), live_rows
    return ("history", result.cache_key), lambda: History(
        history(result.ref) if history is not None else None
    )
