"""The right-hand tabs for the selected object: Diff, Git, Live, Fields and History.

Each tab's content is built only when that tab is shown for that object, in a thread
worker, and cached by the result's ``cache_key`` (same blob + same resourceVersion gives
the same text), so moving the cursor never waits for a diff.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from driftui.compare.masking import session_masker
from driftui.history import HistoryEntry
from driftui.model import Difference, DriftResult, ObjectRef
from driftui.tui import diff_render, diff_source
from driftui.tui.diff_render import RenderedDiff, Row, plain_diff_rows, render_diff, yaml_rows
from driftui.tui.formatting import (
    ago,
    attribution,
    fit_middle,
    full_value,
    plain,
    short_value,
    shown,
)
from driftui.tui.health_view import image_rows
from driftui.tui.status_style import GLYPH, LABEL, SEVERITY, display_status, markup
from driftui.tui.tree_model import Group
from driftui.tui.widgets.lines_view import LinesView
from driftui.versions import field_line

TABS: tuple[tuple[str, str], ...] = (
    ("diff", "Diff"),
    ("git", "Git"),
    ("live", "Live"),
    ("fields", "Fields"),
    ("history", "History"),
    ("images", "Images"),
)
FULL_CONTEXT = None
COMPACT_CONTEXT = 3
CACHE_SIZE = 256
PREFETCHED_TABS = ("diff", "git", "live")  # history walks Git: only on demand
PREFETCH_TOKEN = -1  # never the token of a visible build

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
NO_HISTORY = (
    "History is not available here yet.\n\n"
    "Per-object Git history (the commits that changed this object, each with its diff)\n"
    "appears in this tab when driftui is started with a history source."
)

_STATUS_NOTE = {
    "missing": "Declared in Git, absent from the cluster: every line below is Git only.",
    "extra": "In the cluster with this source's markers, absent from Git.",
}


@dataclass(frozen=True)
class Subject:
    """What the tabs describe: one object, or a group summarised."""

    result: DriftResult | None = None
    title: str = ""
    group: Group | None = None


class DetailPane(Vertical):
    """Owns the view options (split, context, managedFields) and the per-tab cache."""

    class Ready(Message):
        def __init__(self, token: int, key: CacheKey, payload: Payload | Exception) -> None:
            super().__init__()
            self.token = token
            self.key = key
            self.payload = payload

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        history: HistoryFn | None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.history = history
        self.split = False
        self.full = False
        self.managed_fields = False
        self.subject = Subject()
        self._fields: list[Difference] = []  # the Fields tab's rows, for the whole-value line
        self._token = 0
        self._cache: OrderedDict[CacheKey, Payload] = OrderedDict()
        self._history_entries: list[HistoryEntry] = []
        self._waiting_for: int | None = None  # token of the build the tabs still wait for

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="diff", id="tabs"):
            with TabPane("1 Diff", id="diff"):
                yield Static(id="diff-info", classes="info-line")
                yield LinesView(id="diff-view", classes="text-view")
            with TabPane("2 Git", id="git"):
                yield LinesView(id="git-view", classes="text-view")
            with TabPane("3 Live", id="live"):
                yield Static(id="live-info", classes="info-line")
                yield LinesView(id="live-view", classes="text-view")
            with TabPane("4 Fields", id="fields"):
                yield DataTable(id="fields-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="field-whole", classes="info-line")
            with TabPane("5 History", id="history"):
                yield OptionList(id="history-list")
                yield LinesView(id="history-view", classes="text-view")
            with TabPane("6 Images", id="images"):
                yield LinesView(id="images-view", classes="text-view")

    def on_mount(self) -> None:
        table = self.query_one("#fields-table", DataTable)
        # who and when right after the path: they must show without scrolling sideways
        table.add_columns("path", "type", "manager · last write", "git", "live")
        self.query_one("#history-list", OptionList).display = self.history is not None

    # -- public -------------------------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "diff"

    def show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def show(self, subject: Subject) -> None:
        if subject.result is not None and subject.result is self.subject.result:
            return  # the same object again (a rebuild kept the cursor on it): nothing to redo
        self.subject = subject
        self._render_active()

    def redraw(self) -> None:
        self._render_active()

    def prefetch(self, results: list[DriftResult]) -> None:
        """Build the visible tab for the objects next to the cursor ahead of time, so that
        moving onto them shows a cached view in the same frame as the cursor."""
        tab = self.active_tab
        if tab not in PREFETCHED_TABS:
            return
        jobs = [self._builder(tab, result) for result in results]
        missing = [(key, build) for key, build in jobs if key not in self._cache]
        if missing:
            self._prefetch(missing)

    def is_cached(self, result: DriftResult, tab: str | None = None) -> bool:
        """Whether showing ``result`` on ``tab`` (default: the visible one) needs no build."""
        key, _build = self._builder(tab or self.active_tab, result)
        return key in self._cache

    def toggle_split(self) -> None:
        self.split = not self.split
        self._render_active()

    def toggle_context(self) -> None:
        self.full = not self.full
        self._render_active()

    def toggle_managed_fields(self) -> None:
        self.managed_fields = not self.managed_fields
        self._render_active()

    def focus_content(self) -> None:
        target = {
            "diff": "#diff-view",
            "git": "#git-view",
            "live": "#live-view",
            "fields": "#fields-table",
            "history": "#history-list" if self.history else "#history-view",
        }[self.active_tab]
        self.query_one(target).focus()

    def selected_commit(self) -> str | None:
        if self.active_tab != "history" or not self._history_entries:
            return None
        index = self.query_one("#history-list", OptionList).highlighted
        if index is None or index >= len(self._history_entries):
            return None
        return self._history_entries[index].sha or None

    def view_lines(self, view_id: str) -> list[str]:
        return self.query_one(f"#{view_id}", LinesView).plain_lines()

    # -- rendering ----------------------------------------------------------------------------

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self._render_active()
        self.app.refresh_bindings()

    @property
    def pending(self) -> bool:
        """True while the visible tab waits for a build (tests and benchmarks wait on it)."""
        return self._waiting_for is not None

    def _render_active(self) -> None:
        self._token += 1
        self._waiting_for = None
        tab = self.active_tab
        result = self.subject.result
        if result is None:
            self._show_summary(tab)
            return
        if tab == "fields":
            self._show_fields(result)
            return
        if tab == "images":
            self.query_one("#images-view", LinesView).show_rows(image_rows(result))
            return
        key, build = self._builder(tab, result)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self._apply(key, cached)
            return
        self._waiting_for = self._token
        self._build(self._token, key, build)

    def _builder(self, tab: str, result: DriftResult) -> tuple[CacheKey, Build]:
        now = self.clock()
        context = FULL_CONTEXT if self.full else COMPACT_CONTEXT
        if tab == "diff":
            split = self.split
            return ("diff", result.cache_key, self.full, split), lambda: render_diff(
                result, context=context, split=split, now=now
            )
        if tab == "git":
            return ("git", result.cache_key), lambda: Rows(diff_render.git_rows(result))
        if tab == "live":
            managed = self.managed_fields

            def live_rows() -> Rows:
                if result.live is None:
                    return Rows(None)
                obj = result.live if managed else diff_source.without_managed_fields(result.live)
                return Rows(yaml_rows(obj))

            return ("live", result.cache_key, managed), live_rows
        history = self.history
        return ("history", result.cache_key), lambda: History(
            history(result.ref) if history is not None else None
        )

    @work(thread=True, exclusive=True, group="detail")
    def _build(self, token: int, key: CacheKey, build: Build) -> None:
        payload: Payload | Exception
        try:
            payload = build()
        except Exception as error:  # a broken object must not break the explorer
            payload = error
        self.post_message(self.Ready(token, key, payload))

    @work(thread=True, exclusive=True, group="prefetch")
    def _prefetch(self, jobs: list[tuple[CacheKey, Build]]) -> None:
        worker = get_current_worker()
        for key, build in jobs:
            if worker.is_cancelled:
                return
            try:
                payload = build()
            except Exception:  # shown, with its message, if the user goes there
                continue
            self.post_message(self.Ready(PREFETCH_TOKEN, key, payload))

    def on_detail_pane_ready(self, message: Ready) -> None:
        if message.token == self._waiting_for:
            self._waiting_for = None
        if isinstance(message.payload, Exception):
            self.app.notify(f"Could not build this view: {message.payload}", severity="error")
            return
        self._cache[message.key] = message.payload
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        if message.token == self._token:
            self._apply(message.key, message.payload)

    def _apply(self, key: CacheKey, payload: Payload) -> None:
        result = self.subject.result
        assert result is not None
        if isinstance(payload, RenderedDiff):
            self._show_diff(result, payload)
        elif isinstance(payload, History):
            self._show_history(payload.entries)
        elif key[0] == "live":
            self._show_live(payload.rows)
        elif payload.rows is None:
            view = self.query_one("#git-view", LinesView)
            view.show_message("Not in Git: this object exists only in the cluster.")
        else:
            self.query_one("#git-view", LinesView).show_rows(payload.rows)

    def _heading(self, result: DriftResult) -> Content:
        status = display_status(result)
        return Content.from_markup(
            f"{markup(status, GLYPH[status] + ' ' + LABEL[status])} [b]$ref[/b]",
            ref=shown(result.ref),
        )

    def _show_diff(self, result: DriftResult, rendered: RenderedDiff) -> None:
        info = self.query_one("#diff-info", Static)
        view = self.query_one("#diff-view", LinesView)
        status = display_status(result)
        layout = "side-by-side" if rendered.split else "unified"
        mode = f"{layout} · {'full' if self.full else 'compact'}"
        details = f"· {rendered.changed} changed · {mode}"
        if result.ignored:
            details += f" · {result.ignored} ignored"
        # The info line is one row high (.info-line): a new heading never changes the
        # layout, and asking for one laid the whole screen out again on every move.
        if status.value in ("error", "forbidden"):
            info.update(self._heading(result), layout=False)
            view.show_message(
                f"{LABEL[status]}: {result.reason or 'no reason given'}", "$text-error"
            )
            return
        info.update(
            self._heading(result) + Content.styled(f" {details}", "$text-muted"), layout=False
        )
        if rendered.empty:
            view.show_message("No differences: live matches Git for every field Git sets.")
            return
        note = _STATUS_NOTE.get(status.value)
        if rendered.split_rows is not None:
            view.show_split(rendered.split_rows)
        else:
            heading = [Row(Content.styled(note, "italic $text-muted"))] if note else []
            view.show_rows(heading + rendered.rows)

    def _show_live(self, rows: list[Row] | None) -> None:
        info = self.query_one("#live-info", Static)
        state = "shown" if self.managed_fields else "hidden"
        info.update(
            Content.styled(f"metadata.managedFields {state} (m toggles)", "$text-muted"),
            layout=False,
        )
        view = self.query_one("#live-view", LinesView)
        if rows is None:
            view.show_message("Not in the cluster: this object is declared in Git only.")
        else:
            view.show_rows(rows)

    def _show_fields(self, result: DriftResult) -> None:
        """Path, type, manager and time always fit the pane; values get what is left, and
        the highlighted row is shown whole underneath."""
        table = self.query_one("#fields-table", DataTable)
        table.clear()
        now = self.clock()
        self._fields = list(result.differences)
        who = [attribution(d.manager, d.time, now) or "—" for d in self._fields]
        paths = [shown(d.dotted) for d in self._fields]
        fixed = max((len(d.type.value) for d in self._fields), default=0)
        fixed += max((len(w) for w in who), default=0) + 2 * 5  # cell padding, 5 columns
        rest = max(self.size.width - 2 - fixed, 40)
        path_width = min(max((len(p) for p in paths), default=0), max(16, rest // 2))
        value_width = max(8, (rest - path_width) // 2)
        for diff, path, manager in zip(self._fields, paths, who, strict=True):
            # Text, not str: a str cell is parsed as markup, and `[name=web]` would vanish.
            cells = (
                fit_middle(path, path_width),
                diff.type.value,
                manager,
                short_value(diff.git, value_width),
                short_value(diff.live, value_width),
            )
            table.add_row(*(Text(cell) for cell in cells))
        self._show_whole(0)

    @on(DataTable.RowHighlighted, "#fields-table")
    def _field_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_whole(event.cursor_row)

    def _show_whole(self, row: int) -> None:
        """The highlighted field in full: nothing the table had to cut is out of reach."""
        whole = self.query_one("#field-whole", Static)
        if not 0 <= row < len(self._fields):
            whole.update("")
            return
        diff = self._fields[row]
        text = (
            f"{shown(diff.dotted)}" + (f"  ({shown(diff.pointer)})" if diff.pointer else "") + "\n"
            f"git:  {full_value(diff.git)}\nlive: {full_value(diff.live)}"
        )
        whole.update(plain(text, multiline=True))

    def _show_history(self, entries: list[HistoryEntry] | None) -> None:
        options = self.query_one("#history-list", OptionList)
        view = self.query_one("#history-view", LinesView)
        options.clear_options()
        if entries is None:
            self._history_entries = []
            options.display = False
            view.show_message(NO_HISTORY)
            return
        self._history_entries = list(entries)
        options.display = True
        for entry in entries:
            options.add_option(Option(Text(_history_line(entry, self.clock()))))
        view.show_message(
            "Enter shows the object's diff at the highlighted commit."
            if entries
            else "No commit changed this object."
        )

    @on(OptionList.OptionSelected, "#history-list")
    def _history_selected(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        entries = self._history_entries
        if not 0 <= index < len(entries):
            return
        entry = entries[index]
        rows = plain_diff_rows(_masked(entry.before), _masked(entry.after))
        fields = [Row(plain(field_line(f))) for f in entry.fields]
        if fields:  # what changed, field by field, then the whole diff
            fields.append(Row(Content("")))
        view = self.query_one("#history-view", LinesView)
        view.show_rows(
            fields + rows or [Row(Content("This commit did not change the object's content."))]
        )

    @on(OptionList.OptionHighlighted, "#history-list")
    def _history_highlighted(self) -> None:
        self.app.refresh_bindings()

    def _show_summary(self, tab: str) -> None:
        """A group (or nothing) is selected: say what is inside instead of an empty pane."""
        group = self.subject.group
        if group is None:
            text = self.subject.title or "Select an object in the tree."
            lines = [Row(plain(text, "$text-muted"))]
        else:
            lines = [Row(plain(self.subject.title, "b"))]
            for status in SEVERITY:
                count = group.counts.get(status, 0)
                if count:
                    lines.append(
                        Row(
                            Content.from_markup(
                                markup(status, f"{GLYPH[status]} {count} {LABEL[status]}")
                            )
                        )
                    )
            lines.append(
                Row(Content.styled("Enter opens the group on its worst object.", "$text-muted"))
            )
        for view_id in ("diff-view", "git-view", "live-view", "history-view", "images-view"):
            self.query_one(f"#{view_id}", LinesView).show_rows(lines)
        self.query_one("#diff-info", Static).update("", layout=False)
        self.query_one("#live-info", Static).update("", layout=False)
        self.query_one("#fields-table", DataTable).clear()


_SESSION_MASKER = session_masker()


def _masked(body: dict[str, Any] | None) -> dict[str, Any] | None:
    """Secrets from Git history are masked too (a no-op for values already masked)."""
    return _SESSION_MASKER.mask_object(body) if body is not None else None


def _history_line(entry: HistoryEntry, now: datetime) -> str:
    """sha, age, author and the subject's first line. Never the entry itself: its bodies
    are the object's content at the commit, Secret data unmasked."""
    subject = entry.subject.splitlines()[0] if entry.subject.strip() else "(no message)"
    when = ago(entry.date, now)
    return shown("  ".join(p for p in (entry.sha[:7], when, entry.author, subject) if p))
