"""The History tab: the commits that changed the object, one line each, and the diff of
the one the user picks. Secrets in Git history are masked like the live ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from driftui.compare.masking import session_masker
from driftui.history import HistoryEntry
from driftui.tui.diff_render import Row, plain_diff_rows
from driftui.tui.formatting import ago, plain, shown
from driftui.tui.widgets.lines_view import LinesView
from driftui.versions import field_line

NO_HISTORY = (
    "History is not available here yet.\n\n"
    "Per-object Git history (the commits that changed this object, each with its diff)\n"
    "appears in this tab when driftui is started with a history source."
)

_SESSION_MASKER = session_masker()


def show_history(
    options: OptionList, view: LinesView, entries: list[HistoryEntry] | None, now: datetime
) -> None:
    """List ``entries`` (None: no history source was given, and the list is hidden)."""
    options.clear_options()
    if entries is None:
        options.display = False
        view.show_message(NO_HISTORY)
        return
    options.display = True
    for entry in entries:
        options.add_option(Option(Text(history_line(entry, now))))
    view.show_message(
        "Enter shows the object's diff at the highlighted commit."
        if entries
        else "No commit changed this object."
    )


def commit_rows(entry: HistoryEntry) -> list[Row]:
    """What the commit changed, field by field, then the whole diff."""
    rows = plain_diff_rows(_masked(entry.before), _masked(entry.after))
    fields = [Row(plain(field_line(f))) for f in entry.fields]
    if fields:
        fields.append(Row(Content("")))
    return fields + rows or [Row(Content("This commit did not change the object's content."))]


def history_line(entry: HistoryEntry, now: datetime) -> str:
    """sha, age, author and the subject's first line. Never the entry itself: its bodies
    are the object's content at the commit, Secret data unmasked."""
    subject = entry.subject.splitlines()[0] if entry.subject.strip() else "(no message)"
    when = ago(entry.date, now)
    return shown("  ".join(p for p in (entry.sha[:7], when, entry.author, subject) if p))


def _masked(body: dict[str, Any] | None) -> dict[str, Any] | None:
    """Secrets from Git history are masked too (a no-op for values already masked)."""
    return _SESSION_MASKER.mask_object(body) if body is not None else None
