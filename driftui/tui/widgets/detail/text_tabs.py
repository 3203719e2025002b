"""Drawing the detail pane's text tabs (Diff, Git, Live) from what was built for them, and
the summary every text tab shows when the cursor is on a group instead of an object."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from driftui.model import DriftResult
from driftui.tui.diff_render import RenderedDiff, Row
from driftui.tui.formatting import plain, shown
from driftui.tui.status_style import GLYPH, LABEL, SEVERITY, display_status, markup
from driftui.tui.tree_model import Group
from driftui.tui.widgets.lines_view import LinesView

_STATUS_NOTE = {
    "missing": "Declared in Git, absent from the cluster: every line below is Git only.",
    "extra": "In the cluster with this source's markers, absent from Git.",
}


def heading(result: DriftResult) -> Content:
    status = display_status(result)
    return Content.from_markup(
        f"{markup(status, GLYPH[status] + ' ' + LABEL[status])} [b]$ref[/b]",
        ref=shown(result.ref),
    )


def show_diff(
    info: Static, view: LinesView, result: DriftResult, rendered: RenderedDiff, *, full: bool
) -> None:
    status = display_status(result)
    layout = "side-by-side" if rendered.split else "unified"
    mode = f"{layout} · {'full' if full else 'compact'}"
    details = f"· {rendered.changed} changed · {mode}"
    if result.ignored:
        details += f" · {result.ignored} ignored"
    # The info line is one row high (.info-line): a new heading never changes the
    # layout, and asking for one laid the whole screen out again on every move.
    if status.value in ("error", "forbidden"):
        info.update(heading(result), layout=False)
        view.show_message(f"{LABEL[status]}: {result.reason or 'no reason given'}", "$text-error")
        return
    info.update(heading(result) + Content.styled(f" {details}", "$text-muted"), layout=False)
    if rendered.empty:
        view.show_message("No differences: live matches Git for every field Git sets.")
        return
    note = _STATUS_NOTE.get(status.value)
    if rendered.split_rows is not None:
        view.show_split(rendered.split_rows)
    else:
        heading_rows = [Row(Content.styled(note, "italic $text-muted"))] if note else []
        view.show_rows(heading_rows + rendered.rows)


def show_git(view: LinesView, rows: list[Row] | None) -> None:
    if rows is None:
        view.show_message("Not in Git: this object exists only in the cluster.")
    else:
        view.show_rows(rows)


def show_live(info: Static, view: LinesView, rows: list[Row] | None, *, managed: bool) -> None:
    state = "shown" if managed else "hidden"
    info.update(
        Content.styled(f"metadata.managedFields {state} (m toggles)", "$text-muted"),
        layout=False,
    )
    if rows is None:
        view.show_message("Not in the cluster: this object is declared in Git only.")
    else:
        view.show_rows(rows)


def summary_rows(title: str, group: Group | None) -> list[Row]:
    """A group (or nothing) is selected: say what is inside instead of an empty pane."""
    if group is None:
        return [Row(plain(title or "Select an object in the tree.", "$text-muted"))]
    lines = [Row(plain(title, "b"))]
    for status in SEVERITY:
        count = group.counts.get(status, 0)
        if count:
            said = markup(status, f"{GLYPH[status]} {count} {LABEL[status]}")
            lines.append(Row(Content.from_markup(said)))
    lines.append(Row(Content.styled("Enter opens the group on its worst object.", "$text-muted")))
    return lines
