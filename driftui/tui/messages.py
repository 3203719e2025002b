"""Messages the scan worker posts to the app; plain data so they cross threads safely."""

from __future__ import annotations

from datetime import datetime

from textual.message import Message

from driftui.model import ScanReport
from driftui.runtime.progress import ProgressEvent
from driftui.tui.scope import Scope
from driftui.tui.tree_delta import Change
from driftui.tui.tree_model import Prepared, View


class ScanProgress(Message):
    def __init__(self, event: ProgressEvent) -> None:
        super().__init__()
        self.event = event


class ScanFinished(Message):
    def __init__(
        self,
        report: ScanReport,
        prepared: Prepared,
        at: datetime,
        suspended: tuple[str, ...] = (),
        *,
        scope: Scope | None = None,  # the clusters and apps the report covers
    ) -> None:
        super().__init__()
        self.scope = scope
        self.report = report
        self.prepared = prepared
        self.at = at
        self.suspended = suspended


class EventsJudged(Message):
    """Watch events judged again: ``report`` is ``base`` with ``changes`` made."""

    def __init__(
        self,
        base: ScanReport,
        report: ScanReport,
        changes: list[Change],
        at: datetime,
        suspended: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.base = base
        self.report = report
        self.changes = changes
        self.at = at
        self.suspended = suspended


class Filtered(Message):
    """The filter worker's result for ``view`` of ``report`` (None: it failed)."""

    def __init__(self, report: ScanReport, view: View, prepared: Prepared | None) -> None:
        super().__init__()
        self.report = report
        self.view = view
        self.prepared = prepared


class ScanFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class WatchStarted(Message):
    """Watch mode's informers are up, or ``refused`` says why the explorer must rescan."""

    def __init__(self, watch: object, refused: str) -> None:
        super().__init__()
        self.watch = watch
        self.refused = refused
