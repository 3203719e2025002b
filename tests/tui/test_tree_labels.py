"""Rows built in bulk leave their labels until drawn, yet measure and read as built ones;
moving the cursor relabels the detail pane's info line without a layout of the screen."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style

from driftui.model import DriftResult, Health, HealthStatus, ObjectRef, ScanReport, Status
from driftui.tui.tree_model import Grouping
from driftui.tui.widgets.tree_labels import Labels, LazyNode, leaf_width
from tests.tui.conftest import make_app, settle
from tests.tui.sample_data import sample_report, sample_results, scanner_of

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
