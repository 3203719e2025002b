"""``driftui apps``: every Argo CD / Flux app the user can read, with its source and its
operator's own sync and health status, as a table or JSON.

Repository URLs are shown with any credentials in them redacted, and every value made safe:
app specs are written by whoever may create apps, not by us.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

from driftui.cli.exits import EXIT_OK
from driftui.cli.flags import AddCommon, add_command
from driftui.cli.scan import Command
from driftui.engine import Scanner
from driftui.gitops.app_specs import App
from driftui.gitops.discovery import AppNode, discover_apps
from driftui.safe_text import safe
from driftui.source.redact import redact_url

HEADERS = ("KIND", "NAMESPACE", "NAME", "REPO", "REVISION", "PATH", "SYNC", "HEALTH")


def add_parsers(sub: Any, add_common: AddCommon) -> None:
    text = "list the Argo CD and Flux apps you can read, with their sources and status"
    p = add_command(sub, add_common, "apps", text)
    p.add_argument("--format", choices=("table", "json"), default="table")


def app_json(app: App) -> dict[str, Any]:
    """One app as ``driftui apps --format json`` writes it."""
    parent = app.parent
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
    }


def _rows(nodes: tuple[AppNode, ...], depth: int = 0) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for node in nodes:
        app, source = node.app, node.app.source
        repo = redact_url(source.repo_url) if source else f"({app.problem or 'no source'})"
        rows.append(
            (
                app.kind,
                app.namespace,
                "  " * depth + app.name,  # an app of apps' children, indented under it
                repo + (f" (+{len(app.sources) - 1})" if len(app.sources) > 1 else ""),
                (source.revision or "HEAD") if source else "",
                (source.path or ".") if source else "",
                app.sync_status or "-",
                app.health_status or "-",
            )
        )
        rows += _rows(node.children, depth + 1)
    return rows


def table(nodes: tuple[AppNode, ...]) -> str:
    rows = [HEADERS] + [tuple(safe(cell) for cell in row) for row in _rows(nodes)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    return "".join(
        "   ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows
    )


def run_apps(scanner: Scanner, args: argparse.Namespace) -> int:
    client = scanner.client()
    found = discover_apps(client, [args.namespace] if args.namespace else [])
    if args.namespace:  # as `kubectl get -n`: the apps in that namespace
        found = replace(found, apps=tuple(a for a in found.apps if a.namespace == args.namespace))
    if args.format == "json":
        body = {"apps": [app_json(a) for a in found.apps], "notes": list(found.notes)}
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        sys.stdout.write(table(found.tree()) if found.apps else "No apps found.\n")
        for note in found.notes:
            print(safe(f"note: {note}"), file=sys.stderr)
    return EXIT_OK


COMMANDS: dict[str, Command] = {"apps": lambda scanner, args, _gate: run_apps(scanner, args)}
