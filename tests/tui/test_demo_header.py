"""The demo's header names its repository and snapshot, never the temporary directory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from driftui.__main__ import history_of
from driftui.demo import DEMO_KEY, build_demo, named_for_demo
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from tests.tui.conftest import TestExplorer, settle


async def test_the_header_names_the_demo_not_its_temporary_directory(tmp_path: Path) -> None:
    demo = build_demo(tmp_path, now=datetime(2030, 1, 1, tzinfo=UTC))
    gate = MutationGate(read_only=True)
    options = ScanOptions(
        repo=str(demo.repo), live_snapshot=str(demo.snapshot), snapshot_key=DEMO_KEY
    )
    scanner = Scanner(options, gate)
    app = TestExplorer(
        named_for_demo(scanner.scan), read_only=True, gate=gate, history=history_of(scanner)
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = app.export_screenshot().replace("&#160;", " ")
    assert "demo snapshot" in screen and "demo repo @ HEAD" in screen
    assert str(tmp_path) not in screen and "live-snapshot.json" not in screen
