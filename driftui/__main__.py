"""Entry point: wires the command line to the explorer.

This is the only place outside ``driftui.tui`` that may import it, and it does so lazily,
so ``driftui diff`` in CI never loads textual.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from driftui import cli
from driftui.actions.executors import make_executors, make_previewers, make_suspensions
from driftui.engine import Scanner, ScanOptions
from driftui.engine.object_history import history_for
from driftui.engine.watching import LiveWatch
from driftui.gate import MutationGate
from driftui.history import HistoryEntry
from driftui.model import ObjectRef


def history_of(scanner: Scanner) -> Callable[[ObjectRef], list[HistoryEntry]]:
    """The explorer's History tab reads what `driftui history` prints."""
    return partial(history_for, scanner)


def explorer_parts(scanner: Scanner, gate: MutationGate) -> dict[str, Any]:
    """Everything the explorer is handed besides the scan: one wiring for the program and
    for the tests that drive it. Permissions come from the cluster's own RBAC (the gate's
    probe, set when the scanner opens its client) under discovery's real resource names."""
    return {
        "read_only": gate.read_only,
        "gate": gate,
        "history": history_of(scanner),
        "executors": make_executors(scanner, gate),
        "previewers": make_previewers(scanner),
        "suspensions": make_suspensions(scanner),
        "resource_of": scanner.resource_name,
        # watch events from the cluster; a snapshot has none, so watch mode rescans it
        "watcher": None if scanner.options.live_snapshot else partial(LiveWatch, scanner),
    }


def open_explorer(args: argparse.Namespace, scanner: Scanner, gate: MutationGate) -> int:
    from driftui.tui.app import run_explorer

    return run_explorer(scanner.scan, **explorer_parts(scanner, gate))


def run_demo(args: argparse.Namespace) -> int:
    from driftui.demo import DEMO_KEY, build_demo, named_for_demo
    from driftui.tui.app import run_explorer

    with tempfile.TemporaryDirectory(prefix="driftui-demo-") as tmp:
        fixture = build_demo(Path(tmp))
        gate = MutationGate(read_only=True)
        options = ScanOptions(
            repo=str(fixture.repo),
            live_snapshot=str(fixture.snapshot),
            read_only=True,
            snapshot_key=DEMO_KEY,
        )
        scanner = Scanner(options, gate)
        # The header names the demo's repository and snapshot, not this temporary directory
        return run_explorer(named_for_demo(scanner.scan), **explorer_parts(scanner, gate))


def main() -> int:
    return cli.main(sys.argv[1:], explorer=open_explorer, demo=run_demo)


if __name__ == "__main__":
    sys.exit(main())
