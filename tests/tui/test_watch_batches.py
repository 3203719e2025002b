"""Watch batches shown in place: the nodes of what changed, and nothing else, are touched."""

from __future__ import annotations

import gc
import random
from dataclasses import replace
from typing import Any

from textual.widgets import Input

from driftui.gate import MutationGate
from driftui.model import DriftResult, ObjectRef, ScanReport, Status
from driftui.runtime import heap
from driftui.tui.messages import EventsJudged
from driftui.tui.tree_delta import changes_between
from driftui.tui.tree_model import prepare
from driftui.tui.widgets.resource_tree import FoldedEntry, GroupEntry, Node, ResourceTree, node_key
from tests.tui.conftest import TestExplorer, make_app, scanned, settle
from tests.tui.quiet_watch import QuietWatch
from tests.tui.sample_data import NOW, clock, sample_report, scanner_of

WEB = ObjectRef("apps", "Deployment", "shop", "web")


async def send_batch(pilot: Any, report: ScanReport) -> None:
    app = pilot.app
    base = app.report
    changes = changes_between(base.results, report.results)
    app.post_message(EventsJudged(base, report, changes, NOW))
    await settle(pilot)
    assert app.report is report


def with_status(report: ScanReport, name: str, status: Status) -> ScanReport:
    results = [replace(r, status=status) if r.ref.name == name else r for r in report.results]
    return replace(report, results=results)


async def test_a_batch_that_folds_the_selected_object_keeps_every_other_node() -> None:
    """web turns in sync: its node moves into the "in sync" fold, the cursor follows it,
    and every other node (the open groups with them) is the same node as before."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.resource_tree
        web = next(r for r in scanned(app).results if r.ref == WEB)
        assert tree.reveal(WEB, tree.path_of(web))
        await settle(pilot)
        before = {node_key(n.data): n for n in tree.walk()}
        expanded = tree.expanded_keys()
        await send_batch(pilot, with_status(scanned(app), "web", Status.IN_SYNC))
        after = {node_key(n.data): n for n in tree.walk()}
        kept = [k for k in before if k != ("", WEB)]
        assert all(after.get(k) is before[k] for k in kept)  # not rebuilt, not replaced
        assert tree.expanded_keys() >= expanded
        cursor = tree.cursor_node
        assert cursor is not None and isinstance(cursor.data, DriftResult)
        assert cursor.data.ref == WEB
        assert cursor.parent is not None and isinstance(cursor.parent.data, FoldedEntry)
        assert app.detail.subject.result is cursor.data  # the new verdict shown


def visible(tree: ResourceTree, node: Node | None = None, depth: int = 0) -> list[object]:
    """The lines the tree shows: each node's key, label and whether it is open."""
    lines: list[object] = []
    for child in (node or tree.root).children:
        lines.append((depth, node_key(child.data), str(child.label), child.is_expanded))
        if child.is_expanded:
            lines += visible(tree, child, depth + 1)
    return lines


def churned(report: ScanReport, rng: random.Random, batch: int) -> ScanReport:
    """A few objects change status, one may go, an extra may come (as events do)."""
    results = list(report.results)
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(results))
        status = rng.choice([Status.IN_SYNC, Status.DRIFTED, Status.MISSING])
        results[at] = replace(results[at], status=status, reason="")
    if rng.random() < 0.3 and len(results) > 5:
        results.pop(rng.randrange(len(results)))
    if rng.random() < 0.3:
        ref = ObjectRef("", "ConfigMap", rng.choice(["shop", "fresh"]), f"extra-{batch}")
        results.append(replace(results[0], ref=ref, status=Status.EXTRA, owner=None))
    return replace(report, results=results)


QUERIES = {20: "e", 25: "w", 30: ""}  # batch: the filter's query from then on


async def test_batch_after_batch_the_tree_shows_what_a_fresh_load_shows() -> None:
    """Groups and folds opened at random, in-sync objects folded or listed, filtered or
    not: after each batch the tree's lines equal those of a tree loaded afresh."""
    app = make_app()
    rng = random.Random(21)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.resource_tree
        fresh = ResourceTree(id="fresh")
        await app.main_screen.mount(fresh)
        for batch in range(40):
            if batch % 10 == 5:
                await pilot.press("i")  # in-sync objects listed, then folded again
                await settle(pilot)
            if batch in QUERIES:  # a filter shows its matches, in sync or not
                # a query typed after batches: grouped by placements that followed them
                app.main_screen.query_one("#filter", Input).value = QUERIES[batch]
                await settle(pilot)
            openable = [n for n in tree.walk() if isinstance(n.data, GroupEntry | FoldedEntry)]
            if openable:
                tree.open_group(rng.choice(openable))
            await send_batch(pilot, churned(scanned(app), rng, batch))
            fresh.show_in_sync, fresh.reveal_all = tree.show_in_sync, tree.reveal_all
            index = prepare(scanned(app).results, app.current_view()).index
            fresh.load(index, expanded=tree.expanded_keys())
            assert visible(tree) == visible(fresh), batch


class ListingWatch(QuietWatch):
    """An event source that only lists (the informers' first LIST), noting the collector."""

    def __init__(self) -> None:
        self.collecting_while_listing: bool | None = None
        self.listed: list[dict[str, list[int]]] = []

    def start(self) -> str:
        self.collecting_while_listing = gc.isenabled()
        self.listed = [{"data": [i]} for i in range(2_000)]
        return ""


async def test_the_informers_first_list_is_kept_like_a_scan_and_the_collector_hook_goes_on_close() -> (
    None
):
    """What the informers list stays as long as the explorer watches: listed with the
    collector paused and frozen, as a scan's objects are, so CPython's full collections
    do not walk it. While open, the explorer freezes what outlives those collections
    (runtime.heap.freeze_survivors); closed, it leaves the collector as it found it."""
    listing = ListingWatch()
    app = TestExplorer(
        scanner_of(sample_report()),
        read_only=True,
        gate=MutationGate(read_only=True),
        clock=clock,
        watcher=lambda: listing,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert heap.freeze_survivors in gc.callbacks
        gc.unfreeze()
        await pilot.press("w")
        await settle(pilot)
        assert app.watching.events is listing
        assert listing.collecting_while_listing is False
        assert gc.get_freeze_count() >= len(listing.listed)
        app.watching.stop()
    assert heap.freeze_survivors not in gc.callbacks
