"""The explorer's Git tab names the source a multi-source app's object came from: its file
is in that source's repository, not in the repository the header names."""

from __future__ import annotations

from dataclasses import replace

from driftui.model import SourceInfo
from tests.tui.conftest import make_app, settle
from tests.tui.sample_data import sample_report, scanner_of
from tests.tui.test_explorer import WEB, select

CHARTS = SourceInfo("https://git.example.com/charts.git", "v3", "c" * 40, "web")


async def test_the_git_tab_names_the_source_of_an_object_of_a_multi_source_app() -> None:
    report = sample_report()
    report.results = [replace(r, origin=CHARTS) if r.ref == WEB else r for r in report.results]
    app = make_app(scanner_of(report))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("2")
        await settle(pilot)
        web = next(r for r in report.results if r.ref == WEB)
        lines = app.detail.view_lines("git-view")
        assert lines[0].startswith(
            f"# from https://git.example.com/charts.git @ v3 (cccccccccccc): {web.source_file}"
        )
        assert "replicas: 3" in "\n".join(lines[1:])
