"""Turns diff lines into highlighted, attributed display rows (no widgets, no drift logic).

Syntax colours come from pygments through :func:`textual.highlight.highlight`, which
maps tokens onto theme variables; added and removed lines get the theme's muted success
and error backgrounds. Changed lines carry who changed them, from the Difference whose
path is the line's path or its closest ancestor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.content import Content
from textual.highlight import highlight

from driftui.model import Difference, DriftResult, Path
from driftui.tui import diff_source
from driftui.tui.formatting import attribution

ADDED_BG = "on $success-muted"
REMOVED_BG = "on $error-muted"
HUNK_STYLE = "$text-primary on $primary-muted"
GUTTER_STYLE = "$text-muted"
NOTE_STYLE = "italic $text-muted"


@dataclass(frozen=True)
class Row:
    """One display line; ``fill`` is the background that extends to the widget's edge."""

    content: Content
    fill: str = ""


@dataclass(frozen=True)
class SplitRow:
    """One side-by-side line: Git on the left, live on the right."""

    left: Content
    right: Content
    left_fill: str = ""
    right_fill: str = ""


@dataclass(frozen=True)
class RenderedDiff:
    unified: list[Row]
    split: list[SplitRow]
    changed: int  # added + removed lines


def highlighted_lines(text: str) -> list[Content]:
    if not text:
        return []
    lines = highlight(text, language="yaml").split("\n", allow_blank=True)
    return lines[: len(text.splitlines())]


def yaml_rows(obj: Any) -> list[Row]:
    return [Row(line) for line in highlighted_lines(diff_source.render_yaml(obj))]


def _attribution_index(differences: Sequence[Difference]) -> dict[Path, Difference]:
    return {d.path: d for d in differences}


def _who(path: Path | None, index: dict[Path, Difference], now: datetime) -> str:
    if path is None or not index:
        return ""
    for end in range(len(path), 0, -1):
        diff = index.get(tuple(path[:end]))
        if diff is not None:
            return attribution(diff.manager, diff.time, now)
    return ""


def _pick(lines: list[Content], number: int | None, text: str) -> Content:
    if number is not None and 0 < number <= len(lines) and lines[number - 1].plain == text:
        return lines[number - 1]
    return Content(text)


def _gutter(number: int | None) -> Content:
    return Content.styled(f"{number:>4} " if number else "     ", GUTTER_STYLE)


def render_diff(
    result: DriftResult, *, context: int | None, now: datetime
) -> RenderedDiff:
    """Unified and side-by-side rows for one result (git = old side, live = new side)."""
    git_text, live_text = diff_source.texts(result)
    git_lines = highlighted_lines(git_text)
    live_lines = highlighted_lines(live_text)
    index = _attribution_index(result.differences)
    unified: list[Row] = []
    split: list[SplitRow] = []
    pending_removed: list[Content] = []
    pending_added: list[tuple[Content, str]] = []
    changed = 0

    def flush() -> None:
        for i in range(max(len(pending_removed), len(pending_added))):
            left = pending_removed[i] if i < len(pending_removed) else Content("")
            right, note = pending_added[i] if i < len(pending_added) else (Content(""), "")
            if note:
                right = right + Content.styled(f"  ◂ {note}", NOTE_STYLE)
            split.append(
                SplitRow(
                    left,
                    right,
                    REMOVED_BG if i < len(pending_removed) else "",
                    ADDED_BG if i < len(pending_added) else "",
                )
            )
        pending_removed.clear()
        pending_added.clear()

    for line in diff_source.unified(git_text, live_text, context=context):
        kind = line.kind
        if kind == "hunk":
            flush()
            unified.append(Row(Content.styled(line.text, HUNK_STYLE), HUNK_STYLE))
            split.append(SplitRow(Content.styled(line.text, HUNK_STYLE), Content(""), HUNK_STYLE, HUNK_STYLE))
            continue
        note = _who(line.path, index, now) if kind != "context" else ""
        if kind == "removed":
            body = _pick(git_lines, line.old_no, line.text)
            sign, bg, gutter = "-", REMOVED_BG, _gutter(line.old_no) + _gutter(None)
            pending_removed.append(_gutter(line.old_no) + Content("- ") + body)
            changed += 1
        elif kind == "added":
            body = _pick(live_lines, line.new_no, line.text)
            sign, bg, gutter = "+", ADDED_BG, _gutter(None) + _gutter(line.new_no)
            pending_added.append((_gutter(line.new_no) + Content("+ ") + body, note))
            changed += 1
        else:
            flush()
            body = _pick(git_lines, line.old_no, line.text)
            sign, bg, gutter = " ", "", _gutter(line.old_no) + _gutter(line.new_no)
            split.append(
                SplitRow(
                    _gutter(line.old_no) + Content("  ") + body,
                    _gutter(line.new_no) + Content("  ") + body,
                )
            )
        row = gutter + Content(f"{sign} ") + body
        if note:
            row = row + Content.styled(f"  ◂ {note}", NOTE_STYLE)
        unified.append(Row(row.stylize_before(bg) if bg else row, bg))
    flush()
    return RenderedDiff(unified=unified, split=split, changed=changed)
