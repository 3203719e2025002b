"""Make the README's screenshots from a real run of `driftui demo`.

Run: `make screenshots` (needs rsvg-convert: `apt-get install librsvg2-bin`).
The demo repository and snapshot are built exactly as `driftui demo` builds them, then the
explorer is driven headless with Textual's Pilot; each screen is saved as SVG and PNG.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from driftui.__main__ import history_of
from driftui.demo import DEMO_KEY, build_demo, named_for_demo
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import ObjectRef
from driftui.tui.app import DriftExplorer

HERE = Path(__file__).resolve().parent
SIZE = (120, 34)
FIXED_NOW = datetime(2026, 5, 24, 12, 0).astimezone()  # the demo's dates read relative to it


class ScreenshotExplorer(DriftExplorer):
    CURSOR_BLINK = False


async def settle(app: DriftExplorer, pilot: object) -> None:
    for _ in range(50):
        await pilot.pause()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        if not app.scanning and not app.detail.pending:
            await pilot.pause()  # type: ignore[attr-defined]
            return


async def shoot(workdir: Path, out: Path) -> list[Path]:
    fixture = build_demo(workdir, now=FIXED_NOW)
    gate = MutationGate(read_only=True)
    options = ScanOptions(
        repo=str(fixture.repo),
        live_snapshot=str(fixture.snapshot),
        read_only=True,
        snapshot_key=DEMO_KEY,
    )
    scanner = Scanner(options, gate)
    app = ScreenshotExplorer(
        named_for_demo(scanner.scan),
        read_only=True,
        gate=gate,
        history=history_of(scanner),
        clock=lambda: FIXED_NOW,
    )
    made: list[Path] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)

        async def save(name: str) -> None:
            await settle(app, pilot)
            svg = out / f"{name}.svg"
            app.save_screenshot(filename=svg.name, path=str(out))
            made.append(svg)

        assert app.report is not None
        target = ObjectRef("apps", "Deployment", "shop", "cart")
        result = next(r for r in app.report.results if r.ref == target)
        app.resource_tree.reveal(target, app.resource_tree.path_of(result))
        await save("main")
        await pilot.press("v")
        await save("diff-side-by-side")
        await pilot.press("v", "4")
        await save("fields")
        await pilot.press("5")
        await save("history")
        await pilot.press("escape")  # leave the history list for the tree
        target = ObjectRef("apps", "Deployment", "shop", "frontend")
        result = next(r for r in app.report.results if r.ref == target)
        app.resource_tree.reveal(target, app.resource_tree.path_of(result))
        app.resource_tree.focus()
        await pilot.press("6")
        await save("images")
        await pilot.press("1")
        await pilot.press("question_mark")
        await save("help")
    return made


def main() -> int:
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("error: rsvg-convert not found (apt-get install librsvg2-bin)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="driftui-shots-") as tmp:
        svgs = asyncio.run(shoot(Path(tmp), Path(tmp)))
        for svg in svgs:
            png = HERE / svg.with_suffix(".png").name
            subprocess.run([converter, "-w", "1600", str(svg), "-o", str(png)], check=True)
            print(png.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
