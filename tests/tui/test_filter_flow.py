"""The filter over many objects: in a worker, keys never held, the latest query wins."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from driftui.model import DriftResult, ScanReport
from driftui.runtime import heap
from driftui.runtime.progress import ProgressFn
from driftui.tui import filter_flow
from driftui.tui.app import DriftExplorer
from driftui.tui.search import fuzzy_pattern, haystack
from driftui.tui.tree_model import Prepared
from tests.tui.conftest import make_app, scanned, settle
from tests.tui.sample_data import sample_report

PATIENCE = 30.0  # seconds before a wait gives up (a guard, not a timing check)


def matching(results: list[DriftResult], query: str) -> set[str]:
    patterns = fuzzy_pattern(query)
    return {str(r.ref) for r in results if all(p.search(haystack(r)) for p in patterns)}


async def filtered(pilot: Pilot[Any], query: str) -> set[str]:
    """Once the filter for ``query`` has landed: the objects the tree shows."""
    app = pilot.app
    assert isinstance(app, DriftExplorer)
    deadline = time.monotonic() + PATIENCE
    while app.filtering.running or app.prepared is None or app.prepared.view.query != query:
        assert time.monotonic() < deadline, "the filter never landed"
        await pilot.pause(0.05)
    await settle(pilot)
    return {str(n.data.ref) for n in app.resource_tree.walk() if isinstance(n.data, DriftResult)}


async def test_keys_typed_while_the_filter_runs_show_and_only_the_latest_query_runs_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(filter_flow, "IN_WORKER_ABOVE", 0)  # the sample's 20 objects count as many
    release = threading.Event()
    queries: list[str] = []
    regroup = filter_flow.FilterFlow.regroup

    def slow(self: filter_flow.FilterFlow, results: Any, prepared: Any, view: Any) -> Prepared:
        queries.append(view.query)
        release.wait(PATIENCE)  # the first query's filter takes its time
        return regroup(self, results, prepared, view)

    monkeypatch.setattr(filter_flow.FilterFlow, "regroup", slow)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        queries.clear()
        await pilot.press("slash", "w", "e", "b")
        assert app.main_screen.query_one("#filter", Input).value == "web"  # not held
        assert queries == ["w"]  # still filtering "w"; "we" and "web" wait
        release.set()
        shown = await filtered(pilot, "web")
        expected = matching(scanned(app).results, "web")
    assert queries == ["w", "web"]  # "we" was skipped, not queued
    assert shown == expected and expected


async def test_opening_the_filter_field_makes_the_search_keys_before_the_first_keystroke(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Making and joining 100,000 keys was the first keystroke's to pay (~70 ms)."""
    monkeypatch.setattr(filter_flow, "IN_WORKER_ABOVE", 0)  # the sample's 20 objects count as many
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.filtering._search is None
        await pilot.press("slash")
        await settle(pilot)
        search = app.filtering._search
        assert search is not None and search.results is scanned(app).results
        assert search._whole  # joined: the first keystroke only searches
        await pilot.press("w", "e", "b")
        shown = await filtered(pilot, "web")
        assert app.filtering._search is search  # the keys made on opening were used
    assert shown == matching(scanned(app).results, "web")


async def test_a_report_filtered_in_a_worker_goes_once_a_new_one_lands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reference counting alone frees the report the filter's worker filtered once a scan
    replaced it. Textual's workers live in reference cycles, and one that closed over the
    report kept it, with every result it held, until a full collection (issue 21)."""
    monkeypatch.setattr(filter_flow, "IN_WORKER_ABOVE", 0)  # the sample's 20 objects count as many
    monkeypatch.setattr(heap, "settle", lambda *, idle: False)  # no full collection of ours
    base = sample_report()

    def scan(progress: ProgressFn) -> ScanReport:
        return replace(base)  # a new report each scan, kept by the explorer alone

    app = make_app(scan)
    gc.collect()
    gc.disable()  # nor CPython's: what waits for one stays
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("slash", "w", "e", "b")
            await filtered(pilot, "web")
            await pilot.press("escape")
            replaced = weakref.ref(scanned(app))
            await pilot.press("r")
            await settle(pilot)
            assert app.report is not None and app.report is not replaced()
            gone = replaced() is None
    finally:
        gc.enable()
    assert gone
