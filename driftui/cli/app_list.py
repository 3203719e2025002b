"""``driftui apps``: every Argo CD / Flux app the user can read, with its source and its
operator's own sync and health status, as a table or JSON. With ``--scan``, driftui's own
counts beside the operator's status, from one scan of every app listed (as ``--all-apps``).

Repository URLs are shown with any credentials in them redacted, and every value made safe:
app specs are written by whoever may create apps, not by us.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from typing import Any

from driftui.cli.exits import EXIT_OK
from driftui.cli.flags import AddCommon, add_command
from driftui.cli.scan import Command
from driftui.engine import Scanner
from driftui.engine.app_scan import AppScanner, destination_placements
from driftui.errors import UsageError
from driftui.gitops.app_specs import App
from driftui.gitops.destinations import Placement, destination_of
from driftui.gitops.discovery import AppNode, discover_apps
from driftui.gitops.repo_map import merged_repo_map
from driftui.model import AppRef
from driftui.report.apps import by_app
from driftui.safe_text import safe
from driftui.source.redact import redact_url

HEADERS = ("KIND", "NAMESPACE", "NAME", "REPO", "REVISION", "PATH", "SYNC", "HEALTH", "DESTINATION")
COUNTS = ("in_sync", "drifted", "missing", "extra", "error")
COUNT_HEADERS = ("IN-SYNC", "DRIFTED", "MISSING", "EXTRA", "ERROR")
Placements = dict[tuple[str, str, str], Placement]


@dataclass(frozen=True)
class AppCounts:
    """driftui's verdict on one app: its objects by status, or why it was not scanned."""

    counts: dict[str, int]
    problem: str = ""

    def json(self) -> dict[str, Any]:
        return {**self.counts, "problem": self.problem or None}


Counts = dict[AppRef, AppCounts]


def add_parsers(sub: Any, add_common: AddCommon) -> None:
    text = "list the Argo CD and Flux apps you can read, with their sources and status"
    p = add_command(sub, add_common, "apps", text)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument(
        "--scan",
        action="store_true",
        help="also scan every app listed (one scan, as --all-apps) and show driftui's own"
        " counts beside the operator's status: in sync, drifted, missing, extra, error."
        " The exit status stays 0; use report --all-apps to fail on drift",
    )
    p.add_argument(
        "--repo-map",
        action="append",
        default=[],
        metavar="URL=PATH",
        help="with --scan: compare the local checkout PATH instead of the remote URL",
    )


def destination_json(app: App, placement: Placement | None) -> dict[str, Any]:
    """The cluster an app deploys to: the URL (resolved), the Argo CD name it gave, the
    kubeconfig context that reaches it, or the problem that there is none."""
    named = destination_of(app).name
    if placement is None:
        return {"server": None, "name": named or None, "context": None, "problem": None}
    return {
        "server": placement.server or None,
        "name": named or None,
        "context": placement.context or None,
        "problem": placement.problem or None,
    }


def destination_cell(placement: Placement | None) -> str:
    if placement is None:
        return "-"
    return f"({placement.problem})" if placement.problem else placement.context


def app_json(
    app: App, placement: Placement | None = None, counts: Counts | None = None
) -> dict[str, Any]:
    """One app as ``driftui apps --format json`` writes it; ``driftui`` holds its counts
    with ``--scan`` (null without)."""
    parent = app.parent
    found = counts.get(app.ref) if counts is not None else None
    return {
        "kind": app.kind,
        "namespace": app.namespace,
        "name": app.name,
        "sources": [
            {
                "repoURL": redact_url(s.repo_url),
                "revision": s.revision,
                "path": s.path,
                "renderer": s.renderer,
            }
            for s in app.sources
        ],
        "destinationNamespace": app.destination_namespace,
        "sync": app.sync_status,
        "health": app.health_status,
        "problem": app.problem,
        "parent": dict(zip(("kind", "namespace", "name"), parent, strict=True)) if parent else None,
        "destination": destination_json(app, placement),
        "driftui": found.json() if found is not None else None,
    }


def rows(
    nodes: tuple[AppNode, ...], where: Placements, counts: Counts | None = None, depth: int = 0
) -> list[tuple[str, ...]]:
    """One row per app, depth first; ``where`` gives each app's destination context,
    ``counts`` (with --scan) driftui's own counts."""
    out: list[tuple[str, ...]] = []
    for node in nodes:
        app, source = node.app, node.app.source
        repo = redact_url(source.repo_url) if source else f"({app.problem or 'no source'})"
        row = (
            app.kind,
            app.namespace,
            "  " * depth + app.name,  # an app of apps' children, indented under it
            repo + (f" (+{len(app.sources) - 1})" if len(app.sources) > 1 else ""),
            (source.revision or "HEAD") if source else "",
            (source.path or ".") if source else "",
            app.sync_status or "-",
            app.health_status or "-",
            destination_cell(where.get(app.key)),
        )
        out.append(row + (_count_cells(counts.get(app.ref)) if counts is not None else ()))
        out += rows(node.children, where, counts, depth + 1)
    return out


def _count_cells(found: AppCounts | None) -> tuple[str, ...]:
    if found is None or found.problem:
        return ("-",) * len(COUNTS)  # not scanned: the reason is on stderr
    return tuple(str(found.counts[k]) for k in COUNTS)


def table(
    nodes: tuple[AppNode, ...], where: Placements | None = None, counts: Counts | None = None
) -> str:
    """The apps, an app of apps' children indented under it."""
    headers = HEADERS + (COUNT_HEADERS if counts is not None else ())
    return aligned([headers, *rows(nodes, where or {}, counts)])


def aligned(lines: list[tuple[str, ...]]) -> str:
    """Rows in columns as kubectl prints them, each cell made safe."""
    cells = [tuple(safe(cell) for cell in row) for row in lines]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "".join(
        "   ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in cells
    )


def scan_counts(scanner: Scanner, apps: list[App], repo_map: list[str]) -> Counts:
    """driftui's counts for each app, from one scan of them all."""
    report = AppScanner(scanner, apps, merged_repo_map(repo_map)).scan()
    for warning in report.warnings:
        print(safe(f"warning: {warning}"), file=sys.stderr)
    return {
        info.app: AppCounts({k: part.counts()[k] for k in COUNTS}, info.problem)
        for info, part in by_app(report)
    }


def run_apps(scanner: Scanner, args: argparse.Namespace) -> int:
    if args.repo_map and not args.scan:
        raise UsageError("--repo-map maps the repositories of apps scanned: give --scan too")
    client = scanner.client()
    found = discover_apps(client, [args.namespace] if args.namespace else [])
    if args.namespace:  # as `kubectl get -n`: the apps in that namespace
        found = replace(found, apps=tuple(a for a in found.apps if a.namespace == args.namespace))
    where = destination_placements(client, args.kubeconfig, found.apps)
    counts = scan_counts(scanner, list(found.apps), args.repo_map) if args.scan else None
    if args.format == "json":
        apps = [app_json(a, where.get(a.key), counts) for a in found.apps]
        body = {"apps": apps, "notes": list(found.notes)}
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        sys.stdout.write(table(found.tree(), where, counts) if found.apps else "No apps found.\n")
        for note in found.notes:
            print(safe(f"note: {note}"), file=sys.stderr)
        for ref, got in (counts or {}).items():
            if got.problem:
                print(safe(f"error: {ref}: {got.problem}"), file=sys.stderr)
    return EXIT_OK


COMMANDS: dict[str, Command] = {"apps": lambda scanner, args, _gate: run_apps(scanner, args)}
