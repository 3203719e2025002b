"""Shared helpers for the explorer's Pilot and snapshot tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from textual.notifications import Notification, Notify
from textual.pilot import Pilot

from driftui.actions.registry import ActionOutcome, ActionRequest, Executor
from driftui.gate import MutationGate
from driftui.model import ScanReport
from driftui.runtime.progress import ProgressFn
from driftui.tui.app import DriftExplorer
from driftui.tui.widgets.detail import HistoryFn
from tests.tui.sample_data import clock, sample_report, scanner_of


class TestExplorer(DriftExplorer):
    """The real explorer with the cursor blink off, so screenshots are deterministic.

    ``told`` keeps every notification as shown (after the explorer made it safe): Textual
    drops a toast after its timeout (5 s by default), which a loaded machine can pass
    before the test reads it.
    """

    __test__ = False
    CURSOR_BLINK = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.told: list[Notification] = []

    def on_notify(self, event: Notify) -> None:
        # App._on_notify shows it as well: Textual calls each class's handler in the MRO
        self.told.append(event.notification)


def told(app: DriftExplorer) -> list[str]:
    """Every notification's message so far, shown or already timed out."""
    assert isinstance(app, TestExplorer)
    return [n.message for n in app.told]


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until scans and detail builds have finished and their messages are handled."""
    app = pilot.app
    assert isinstance(app, DriftExplorer)
    for _ in range(50):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.scanning and not app.detail.pending:
            await pilot.pause()
            return
    raise AssertionError("the explorer did not settle")


def scanned(app: DriftExplorer) -> ScanReport:
    """The report on screen: a test that reads it expects a scan to have finished."""
    assert app.report is not None, "no scan has finished"
    return app.report


class RecordingExecutor:
    """An executor that records what it was asked to do (stands in for sync/prune, not k8s)."""

    def __init__(self) -> None:
        self.requests: list[ActionRequest] = []

    def __call__(self, request: ActionRequest) -> ActionOutcome:
        self.requests.append(request)
        return ActionOutcome(ok=True, summary=f"{request.action.title}: done")


def make_app(
    scanner: Callable[[ProgressFn], ScanReport] | None = None,
    *,
    read_only: bool = True,
    gate: MutationGate | None = None,
    executors: Mapping[str, Executor] | None = None,
    history: HistoryFn | None = None,
    watch_interval: float = 10.0,
) -> TestExplorer:
    return TestExplorer(
        scanner or scanner_of(sample_report()),
        read_only=read_only,
        gate=gate if gate is not None else MutationGate(read_only=read_only),
        history=history,
        clock=clock,
        watch_interval=watch_interval,
        executors=executors,
    )


@pytest.fixture
def recorder() -> RecordingExecutor:
    return RecordingExecutor()
