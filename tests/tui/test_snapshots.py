"""SVG snapshots of the explorer (pytest-textual-snapshot): fixed size, clock and data.

Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the
SVGs before committing them.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from driftui.model import ObjectRef
from tests.tui.conftest import make_app, settle

SIZE = (100, 30)
WEB = ObjectRef("apps", "Deployment", "shop", "web")


async def _ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def _on_web(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    app: Any = pilot.app
    result = next(r for r in app.report.results if r.ref == WEB)
    app.resource_tree.reveal(WEB, app.resource_tree.path_of(result))
    await settle(pilot)


def test_main_screen(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_diff_unified(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_on_web)


def test_diff_side_by_side(snap_compare: Any) -> None:
    async def split(pilot: Pilot[Any]) -> None:
        await _on_web(pilot)
        await pilot.press("v")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=split)


def test_help_screen(snap_compare: Any) -> None:
    async def help_open(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=help_open)


def test_sync_confirmation(snap_compare: Any) -> None:
    async def confirm(pilot: Pilot[Any]) -> None:
        await _on_web(pilot)
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(make_app(read_only=False), terminal_size=SIZE, run_before=confirm)


def test_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_on_web)


def test_images_tab(snap_compare: Any) -> None:
    async def images(pilot: Pilot[Any]) -> None:
        await _on_web(pilot)
        await pilot.press("6")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=images)
