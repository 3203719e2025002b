"""The right-hand tabs for the selected object: Diff, Git, Live, Fields, History, Images.

Each tab's content is built only when that tab is shown for that object, in a thread
worker (:mod:`.builds`), and cached by the result's ``cache_key`` (same blob + same
resourceVersion gives the same text), so moving the cursor never waits for a diff. The
pane owns the view options, the cache and the workers; each tab's drawing lives in its
own module (:mod:`.text_tabs`, :mod:`.fields_tab`, :mod:`.history_tab`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, OptionList, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from driftui.history import HistoryEntry
from driftui.model import Difference, DriftResult
from driftui.tui.diff_render import RenderedDiff, Row
from driftui.tui.health_view import image_rows
from driftui.tui.tree_model import Group
from driftui.tui.widgets.detail import text_tabs
from driftui.tui.widgets.detail.builds import Build, CacheKey, History, HistoryFn, Payload, builder
from driftui.tui.widgets.detail.fields_tab import field_rows, whole_field
from driftui.tui.widgets.detail.history_tab import commit_rows, show_history
from driftui.tui.widgets.lines_view import LinesView

TABS: tuple[tuple[str, str], ...] = (
    ("diff", "Diff"),
    ("git", "Git"),
    ("live", "Live"),
    ("fields", "Fields"),
    ("history", "History"),
    ("images", "Images"),
)
CACHE_SIZE = 256
PREFETCHED_TABS = ("diff", "git", "live")  # history walks Git: only on demand
PREFETCH_TOKEN = -1  # never the token of a visible build
TEXT_VIEWS = ("diff-view", "git-view", "live-view", "history-view", "images-view")


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
        return builder(
            tab,
            result,
            split=self.split,
            full=self.full,
            managed_fields=self.managed_fields,
            history=self.history,
            now=self.clock(),
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
        else:
            text_tabs.show_git(self.query_one("#git-view", LinesView), payload.rows)

    def _show_diff(self, result: DriftResult, rendered: RenderedDiff) -> None:
        info = self.query_one("#diff-info", Static)
        view = self.query_one("#diff-view", LinesView)
        text_tabs.show_diff(info, view, result, rendered, full=self.full)

    def _show_live(self, rows: list[Row] | None) -> None:
        info = self.query_one("#live-info", Static)
        view = self.query_one("#live-view", LinesView)
        text_tabs.show_live(info, view, rows, managed=self.managed_fields)

    def _show_fields(self, result: DriftResult) -> None:
        """One row a difference, sized to the pane; the first is shown whole underneath."""
        table = self.query_one("#fields-table", DataTable)
        table.clear()
        self._fields = list(result.differences)
        for cells in field_rows(self._fields, self.clock(), self.size.width):
            table.add_row(*cells)
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
        whole.update(whole_field(self._fields[row]))

    def _show_history(self, entries: list[HistoryEntry] | None) -> None:
        options = self.query_one("#history-list", OptionList)
        view = self.query_one("#history-view", LinesView)
        self._history_entries = list(entries) if entries is not None else []
        show_history(options, view, entries, self.clock())

    @on(OptionList.OptionSelected, "#history-list")
    def _history_selected(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        entries = self._history_entries
        if not 0 <= index < len(entries):
            return
        self.query_one("#history-view", LinesView).show_rows(commit_rows(entries[index]))

    @on(OptionList.OptionHighlighted, "#history-list")
    def _history_highlighted(self) -> None:
        self.app.refresh_bindings()

    def _show_summary(self, tab: str) -> None:
        """A group (or nothing) is selected: say what is inside instead of an empty pane."""
        lines = text_tabs.summary_rows(self.subject.title, self.subject.group)
        for view_id in TEXT_VIEWS:
            self.query_one(f"#{view_id}", LinesView).show_rows(lines)
        self.query_one("#diff-info", Static).update("", layout=False)
        self.query_one("#live-info", Static).update("", layout=False)
        self.query_one("#fields-table", DataTable).clear()
