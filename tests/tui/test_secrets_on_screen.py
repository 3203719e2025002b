"""No Secret value reaches the screen: every tab of the demo's Secret, as SVG screenshots."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from driftui.__main__ import history_of
from driftui.demo import DEMO_KEY, SECRET_PLAINTEXTS, build_demo
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live.snapshot import Snapshot, write_snapshot
from driftui.live.snapshot_key import key_from_phrase
from driftui.model import DriftResult, Status
from tests.drift_scenario import write_repo
from tests.tui.conftest import TestExplorer, scanned, settle


async def test_every_tab_of_every_secret_is_masked(tmp_path: Path) -> None:
    demo = build_demo(tmp_path)
    gate = MutationGate(read_only=True)
    scanner = Scanner(
        ScanOptions(repo=str(demo.repo), live_snapshot=str(demo.snapshot), snapshot_key=DEMO_KEY),
        gate,
    )
    app = TestExplorer(scanner.scan, read_only=True, gate=gate, history=history_of(scanner))
    screens: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        secrets = [r for r in scanned(app).results if r.ref.kind == "Secret"]
        assert any(r.status is Status.DRIFTED for r in secrets)
        for result in secrets:
            screens += await every_tab(pilot, result)
    assert_masked("\n".join(screens), SECRET_PLAINTEXTS)


async def test_plaintext_secrets_on_both_sides_never_reach_the_screen(tmp_path: Path) -> None:
    """Unmasked values in Git and in the live state: the explorer must mask both itself."""
    git_value, live_value, kept = "git-side-hunter2", "live-side-hunter3", "same-on-both"
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "a"}}
    repo = tmp_path / "repo"
    write_repo(repo, {"s.yaml": [dict(secret, stringData={"password": git_value, "user": kept})]})
    encoded = {k: base64.b64encode(v.encode()).decode() for k, v in
               {"password": live_value, "user": kept}.items()}  # fmt: skip
    key = key_from_phrase("test")
    snap = tmp_path / "live.json"
    write_snapshot(Snapshot(objects=[dict(secret, data=encoded)], key_id=key.id), snap)
    gate = MutationGate(read_only=True)
    options = ScanOptions(repo=str(repo), live_snapshot=str(snap), snapshot_key=key)
    scanner = Scanner(options, gate)
    app = TestExplorer(scanner.scan, read_only=True, gate=gate, history=history_of(scanner))
    screens: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        (result,) = scanned(app).results
        assert result.status is Status.DRIFTED  # the password differs, and it shows
        screens += await every_tab(pilot, result)
    assert_masked("\n".join(screens), (git_value, live_value, kept))


async def every_tab(pilot: Any, result: DriftResult) -> list[str]:
    """Screenshots of one object in every tab and view mode, managedFields shown too."""
    app = pilot.app
    assert app.resource_tree.reveal(result.ref, app.resource_tree.path_of(result))
    screens = []
    for keys in (["1"], ["v"], ["v", "c"], ["c", "2"], ["3"], ["m"], ["m", "4"], ["5"]):
        await pilot.press(*keys)
        await settle(pilot)
        screens.append(app.export_screenshot())
    return screens


def assert_masked(seen: str, plaintexts: Iterable[str]) -> None:
    assert "&lt;secret:" in seen or "<secret:" in seen  # the values were on screen, masked
    for plain in plaintexts:
        assert plain not in seen
        assert base64.b64encode(plain.encode()).decode() not in seen
