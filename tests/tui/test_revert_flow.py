"""History -> revert preview -> cancel, then -> confirm, on the real demo repository."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from textual.widgets import Button, OptionList, Static

from driftui.__main__ import history_of
from driftui.actions.executors import make_executors, make_previewers
from driftui.demo import DEMO_KEY, build_demo
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import ObjectRef
from driftui.tui.screens.confirm import ConfirmActionScreen
from tests.tui.conftest import TestExplorer, scanned, settle

CART = ObjectRef("apps", "Deployment", "shop", "cart")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


async def wait_for_confirm(pilot: Any) -> ConfirmActionScreen:
    """The dialog once it has mounted and taken focus (a loaded machine pushes the screen
    a frame or two before its focus lands)."""
    for _ in range(100):
        await pilot.pause(0.05)
        screen = pilot.app.screen
        if isinstance(screen, ConfirmActionScreen) and screen.focused is not None:
            return screen
    raise AssertionError("no focused confirmation dialog appeared")


async def test_history_revert_preview_cancel_then_confirm(tmp_path: Path) -> None:
    demo = build_demo(tmp_path)
    gate = MutationGate(read_only=False)
    scanner = Scanner(
        ScanOptions(repo=str(demo.repo), live_snapshot=str(demo.snapshot), snapshot_key=DEMO_KEY),
        gate,
    )
    app = TestExplorer(
        scanner.scan,
        read_only=False,
        gate=gate,
        history=history_of(scanner),
        executors=make_executors(scanner, gate),
        previewers=make_previewers(scanner),
    )
    head = git(demo.repo, "rev-parse", "HEAD")
    target = git(demo.repo, "log", "-1", "--format=%h", "--grep=legacy checkout")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        result = next(r for r in scanned(app).results if r.ref == CART)
        assert app.resource_tree.reveal(CART, app.resource_tree.path_of(result))
        await pilot.press("5")
        await settle(pilot)
        history = app.query_one("#history-list", OptionList)
        assert history.option_count == 3
        history.highlighted = 0  # the newest commit that changed cart: the legacy-flag drop
        assert (app.detail.selected_commit() or "").startswith(target)

        await pilot.press("t")
        dialog = await wait_for_confirm(pilot)
        shown = "\n".join(str(s.render()) for s in dialog.query(Static))
        assert f"git revert {target}" in shown
        assert "modified shop/Deployment.apps/cart" in shown
        assert "spec.replicas: 5 -> 3" in shown  # what a sync would then do, against live
        assert dialog.focused is dialog.query_one("#cancel", Button)  # Cancel is the default
        await pilot.press("enter")
        await settle(pilot)
        assert git(demo.repo, "rev-parse", "HEAD") == head

        await pilot.press("t")
        dialog = await wait_for_confirm(pilot)
        dialog.query_one("#confirm", Button).press()
        await settle(pilot)
        for _ in range(50):
            if git(demo.repo, "rev-parse", "HEAD") != head:
                break
            await pilot.pause(0.05)
        assert git(demo.repo, "log", "-1", "--format=%s").startswith(
            'Revert "cart: drop the legacy'
        )
        assert git(demo.repo, "rev-parse", "HEAD~1") == head
