"""``driftui images``: per workload and container, the image Git names, the live spec's, and
what its Pods run, for the whole scope; as a table or as JSON.

Exit codes as ``diff``: 0 when every workload runs what Git names, 1 when an image is
flagged (spec drift, a stuck rollout, a moving tag), 2 on error. No registry is contacted.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from driftui.cli.exits import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from driftui.cli.flags import AddCommon, add_command
from driftui.cli.scan import Command, warn_about
from driftui.engine import Scanner
from driftui.health import image_flags
from driftui.model import DriftResult, ScanReport
from driftui.report.health import image_json
from driftui.safe_text import safe

HEADER = ("NAMESPACE", "WORKLOAD", "CONTAINER", "GIT", "SPEC", "RUNNING", "FLAGS")


def add_parsers(sub: Any, add_common: AddCommon) -> None:
    text = "show per workload container the image in Git, in the live spec, and in its Pods"
    images = add_command(sub, add_common, "images", text)
    images.add_argument("--format", choices=("table", "json"), default="table")


def _workloads(report: ScanReport) -> list[DriftResult]:
    return [r for r in report.results if r.images]


def _flags(r: DriftResult) -> dict[str, list[str]]:
    """container -> the flags' messages."""
    out: dict[str, list[str]] = {}
    for flag in image_flags(r.images):
        out.setdefault(flag.container, []).append(flag.message)
    return out


def to_json(report: ScanReport) -> str:
    rows = []
    for r in _workloads(report):
        flags = _flags(r)
        rows.append(
            {
                "namespace": safe(r.ref.namespace),
                "kind": safe(r.ref.kind),
                "name": safe(r.ref.name),
                "images": [
                    {**image_json(c), "flags": [safe(f) for f in flags.get(c.container, [])]}
                    for c in r.images
                ],
            }
        )
    return json.dumps({"workloads": rows}, indent=2) + "\n"


def _running(r: DriftResult, index: int) -> str:
    runs = r.images[index].running
    return (
        ", ".join(f"{run.image} ({run.pods} pod{'' if run.pods == 1 else 's'})" for run in runs)
        or "-"
    )


def to_table(report: ScanReport) -> str:
    rows: list[tuple[str, ...]] = [HEADER]
    for r in _workloads(report):
        flags = _flags(r)
        for index, c in enumerate(r.images):
            said = "; ".join(flags.get(c.container, [])) or "-"
            cells = [r.ref.namespace, f"{r.ref.kind}/{r.ref.name}", str(c.container)]
            cells += [c.git or "-", c.spec or "-", _running(r, index), said]
            rows.append(tuple(safe(cell) for cell in cells))
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    lines = [
        "   ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def run_images(scanner: Scanner, args: argparse.Namespace) -> int:
    report = scanner.scan()
    warn_about(report)
    sys.stdout.write(to_json(report) if args.format == "json" else to_table(report))
    if report.has_errors or report.problems:
        return EXIT_ERROR
    return EXIT_DRIFT if any(image_flags(r.images) for r in report.results) else EXIT_OK


COMMANDS: dict[str, Command] = {"images": lambda scanner, args, _: run_images(scanner, args)}
