"""Rows built in bulk leave their labels until drawn, yet measure and read as built ones;
moving the cursor relabels the detail pane's info line without a layout of the screen."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style

from driftui.model import DriftResult, Health, HealthStatus, ObjectRef, ScanReport, Status
from driftui.tui.messages import EventsJudged
from driftui.tui.tree_delta import changes_between
from driftui.tui.tree_model import Grouping
from driftui.tui.widgets.resource_tree import ResourceTree
from driftui.tui.widgets.tree_labels import Labels, LazyNode, leaf_width
from tests.tui.conftest import make_app, scanned, settle
from tests.tui.sample_data import NOW, sample_report, sample_results, scanner_of

MANY = 600  # objects in one group: opened in one go (more than BULK), more than a screen


def drifted_base() -> DriftResult:
    return next(r for r in sample_results() if r.status is Status.DRIFTED)


def many_drifted(n: int) -> ScanReport:
    base = drifted_base()
    results = [
        replace(base, ref=ObjectRef("", "ConfigMap", "bulk", f"cm-{i:04d}"), blob_sha=f"b{i}")
        for i in range(n)
    ]
    return replace(sample_report(), results=results)


async def test_rows_opened_in_bulk_build_only_the_labels_drawn_and_measure_as_drawn() -> None:
    app = make_app(scanner_of(many_drifted(MANY)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.resource_tree
        rows = list(tree.walk())
        lazy = [n for n in rows if isinstance(n, LazyNode)]
        assert len(lazy) >= MANY  # the group was opened (on its worst object) in one go
        built = [n for n in lazy if n.built]
        assert 0 < len(built) <= tree.size.height  # the rows on screen, no more
        widths = [tree.get_label_width(n) for n in rows]  # measured before building
        drawn = [tree.render_label(n, Style(), Style()).cell_len for n in rows]
        assert widths == drawn
        for node in lazy:
            if isinstance(node.data, DriftResult):
                assert str(node.label) == str(tree.leaf_label(node.data))


names = st.text(min_size=1, max_size=30)
healths = st.sampled_from([None, *HealthStatus])


@settings(max_examples=200)
@given(name=names, namespace=names, health=healths, grouping=st.sampled_from(Grouping))
def test_a_row_measured_from_plain_text_is_as_wide_as_its_label(
    name: str, namespace: str, health: HealthStatus | None, grouping: Grouping
) -> None:
    """Object names come from users: wide characters, controls, markup, newlines."""
    result = replace(
        drifted_base(),
        ref=ObjectRef("apps", "Deployment", namespace, name),
        health=Health(health) if health is not None else None,
    )
    label = Labels(dict).leaf(result, grouping)
    assert "\n" not in label.plain
    assert leaf_width(result, grouping) == label.cell_len


async def test_moving_the_cursor_relabels_the_info_line_without_a_layout() -> None:
    """The info line is one row high: a layout per move re-laid out the whole screen."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        info = app.detail.query_one("#diff-info")
        asked: list[dict[str, Any]] = []
        original = info.refresh

        def refresh(*regions: Any, **options: Any) -> Any:
            asked.append(options)
            return original(*regions, **options)

        info.refresh = refresh  # type: ignore[method-assign]
        for key in "jjk":
            await pilot.press(key)
            await settle(pilot)
        assert asked, "the info line was never redrawn"
        assert not [options for options in asked if options.get("layout")]


def half_in_sync(report: ScanReport) -> ScanReport:
    """Every other object in sync: folded away until shown, a row of its own once drifted."""
    results = [
        replace(r, status=Status.IN_SYNC, differences=()) if i % 2 else r
        for i, r in enumerate(report.results)
    ]
    return replace(report, results=results)


def built_since(tree: ResourceTree, before: ScanReport) -> list[LazyNode]:
    """The object rows whose label is built, of objects that changed since ``before``."""
    leaves = [n for n in tree.walk() if isinstance(n.data, DriftResult)]
    assert all(isinstance(n, LazyNode) for n in leaves)  # every object row is lazy
    kept = {id(r) for r in before.results}
    return [n for n in leaves if isinstance(n, LazyNode) and n.built and id(n.data) not in kept]


def on_screen(tree: ResourceTree) -> list[object]:
    top = int(tree.scroll_offset.y)
    return [tree.get_node_at_line(y) for y in range(top, top + tree.size.height)]


async def batch(pilot: Any, report: ScanReport) -> None:
    app = pilot.app
    base = scanned(app)
    app.post_message(EventsJudged(base, report, changes_between(base.results, report.results), NOW))
    await settle(pilot)
    assert app.report is report


async def test_watch_batches_leave_the_labels_of_rows_off_screen_unbuilt() -> None:
    """Batch after batch relabels objects all over a large group and adds the rows of
    objects that drifted out of the fold; each row kept the label built for it, drawn or
    not (issue 21: the explorer grew with every object churn had touched). Only the rows
    drawn since hold a label, and every label reads as its object's."""
    app = make_app(scanner_of(half_in_sync(many_drifted(MANY))))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.resource_tree
        for status in (Status.DRIFTED, Status.MISSING, Status.DRIFTED):
            before = scanned(app)
            turned = [
                r if r.status is status else replace(r, status=status) for r in before.results
            ]
            await batch(pilot, replace(before, results=turned))
            built = built_since(tree, before)
            assert built, "no row of the batch was drawn"
            shown = on_screen(tree)
            assert all(any(node is row for row in shown) for node in built)
        rows = [n for n in tree.walk() if isinstance(n.data, DriftResult)]
        assert len(rows) == MANY  # every object drifted out of the fold: a row each
        for node in rows:
            assert isinstance(node.data, DriftResult)
            assert str(node.label) == str(tree.leaf_label(node.data))
