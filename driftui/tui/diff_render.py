"""Turns diff lines into highlighted, attributed display rows (no widgets, no drift logic).

Syntax colours come from pygments through :func:`textual.highlight.highlight`, which
maps tokens onto theme variables; added and removed lines get the theme's muted success
and error backgrounds. Changed lines carry who changed them, from the Difference whose
path is the line's path or its closest ancestor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from textual.content import Content
from textual.highlight import highlight

from driftui.compare.textdiff import DiffLine
from driftui.model import Difference, DriftResult, Path
from driftui.tui import diff_source
from driftui.tui.formatting import attribution, plain

ADDED_BG = "on $success-muted"
REMOVED_BG = "on $error-muted"
HUNK_STYLE = "$text-primary on $primary-muted"
GUTTER_STYLE = "$text-muted"
NOTE_STYLE = "italic $text-muted"
TAB_SIZE = 8


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
    """A unified diff's ``rows``, or a side-by-side diff's ``split_rows`` (None if unified)."""

    changed: int  # added + removed lines
    rows: list[Row] = field(default_factory=list)
    split_rows: list[SplitRow] | None = None

    @property
    def split(self) -> bool:
        return self.split_rows is not None

    @property
    def empty(self) -> bool:
        return not (self.rows or self.split_rows)


def display_text(text: str) -> str:
    """YAML text as the screen shows it. Its strings are escaped already (the YAML writer
    quotes any that hold controls); tabs are expanded, since a raw tab moves the terminal's
    cursor by a width the layout never counted."""
    return text.expandtabs(TAB_SIZE)


def highlighted_lines(text: str) -> list[Content]:
    if not text:
        return []
    shown = display_text(text)
    lines = highlight(shown, language="yaml").split("\n", allow_blank=True)
    return lines[: len(shown.splitlines())]


def yaml_rows(obj: Any) -> list[Row]:
    return [Row(line) for line in highlighted_lines(diff_source.render_yaml(obj))]


def git_rows(result: DriftResult) -> list[Row] | None:
    """The Git tab (None: not in Git). A multi-source app's object first names the source
    it came from: its file is in that repository, not in the app's first one."""
    if result.desired is None:
        return None
    origin = result.origin
    if origin is None:
        return yaml_rows(result.desired)
    where = f"# from {origin.repo} @ {origin.ref} ({origin.commit[:12]}): {result.source_file}"
    return [Row(plain(where, NOTE_STYLE)), *yaml_rows(result.desired)]


class _Painter:
    """Highlights a diff line by taking it from the highlighted full text (keeps context)."""

    def __init__(self, git: diff_source.Text, live: diff_source.Text) -> None:
        self.git_lines = highlighted_lines(diff_source.plain(git))
        self.live_lines = highlighted_lines(diff_source.plain(live))

    def body(self, line: DiffLine) -> Content:
        if line.kind == "added":
            lines, number = self.live_lines, line.new_no
        else:
            lines, number = self.git_lines, line.old_no
        text = display_text(line.text)
        if number is not None and 0 < number <= len(lines) and lines[number - 1].plain == text:
            found: Content = lines[number - 1]
            return found
        return plain(text)


def _who(path: Path | None, index: dict[Path, Difference], now: datetime) -> str:
    if path is None or not index:
        return ""
    for end in range(len(path), 0, -1):
        diff = index.get(tuple(path[:end]))
        if diff is not None:
            return attribution(diff.manager, diff.time, now)
    return ""


def _gutter(number: int | None) -> Content:
    return Content.styled(f"{number:>4} " if number else "     ", GUTTER_STYLE)


def _note(text: str) -> Content:
    return plain(f"  ◂ {text}", NOTE_STYLE) if text else Content("")


_SIGN = {"added": "+ ", "removed": "- ", "context": "  "}
_BG = {"added": ADDED_BG, "removed": REMOVED_BG, "context": ""}


def render_diff(
    result: DriftResult, *, context: int | None, split: bool, now: datetime
) -> RenderedDiff:
    """Rows for one result, git = old side, live = new side."""
    git, live = diff_source.texts(result)
    painter = _Painter(git, live)
    index = {d.path: d for d in result.differences}
    if split:
        return _split(git, live, context, painter, index, now)
    rows: list[Row] = []
    changed = 0
    for line in diff_source.unified(git, live, context=context):
        if line.kind == "hunk":
            rows.append(Row(Content.styled(line.text, HUNK_STYLE), HUNK_STYLE))
            continue
        changed += line.kind != "context"
        note = _who(line.path, index, now) if line.kind != "context" else ""
        old_no = line.old_no if line.kind != "added" else None
        new_no = line.new_no if line.kind != "removed" else None
        row = (
            _gutter(old_no)
            + _gutter(new_no)
            + Content(_SIGN[line.kind])
            + painter.body(line)
            + _note(note)
        )
        bg = _BG[line.kind]
        rows.append(Row(row.stylize_before(bg) if bg else row, bg))
    return RenderedDiff(changed, rows=rows)


def _split(
    git: diff_source.Text,
    live: diff_source.Text,
    context: int | None,
    painter: _Painter,
    index: dict[Path, Difference],
    now: datetime,
) -> RenderedDiff:
    rows: list[SplitRow] = []
    changed = 0
    for left, right in diff_source.side_by_side(git, live, context=context):
        if left is not None and left.kind == "hunk":
            hunk = Content.styled(left.text, HUNK_STYLE)
            rows.append(SplitRow(hunk, Content(""), HUNK_STYLE, HUNK_STYLE))
            continue
        if left is not None and left.kind == "context":
            body = painter.body(left)
            rows.append(
                SplitRow(
                    _gutter(left.old_no) + Content("  ") + body,
                    _gutter(left.new_no) + Content("  ") + body,
                )
            )
            continue
        left_content = Content("")
        right_content = Content("")
        if left is not None:
            changed += 1
            left_content = _gutter(left.old_no) + Content("- ") + painter.body(left)
        if right is not None:
            changed += 1
            note = _who(right.path, index, now)
            right_content = (
                _gutter(right.new_no) + Content("+ ") + painter.body(right) + _note(note)
            )
        rows.append(
            SplitRow(
                left_content,
                right_content,
                REMOVED_BG if left is not None else "",
                ADDED_BG if right is not None else "",
            )
        )
    return RenderedDiff(changed, split_rows=rows)


def plain_diff_rows(before: Any, after: Any, *, context: int | None = 3) -> list[Row]:
    """A diff between two versions of an object (History tab), without attribution."""
    old, new = diff_source.rendered(before), diff_source.rendered(after)
    painter = _Painter(old, new)
    rows: list[Row] = []
    for line in diff_source.unified(old, new, context=context):
        if line.kind == "hunk":
            rows.append(Row(Content.styled(line.text, HUNK_STYLE), HUNK_STYLE))
            continue
        bg = _BG[line.kind]
        row = Content(_SIGN[line.kind]) + painter.body(line)
        rows.append(Row(row.stylize_before(bg) if bg else row, bg))
    return rows
