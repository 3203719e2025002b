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
from driftui.gitops.app_clusters import app_placements
from driftui.gitops.app_specs import App
from driftui.gitops.destinations import KubeContext, Placement, destination_of
from driftui.gitops.discovery import AppNode, discover_apps
from driftui.live.client import ClusterClient
from driftui.live.contexts import context_servers
from driftui.safe_text import safe
from driftui.source.redact import redact_url

HEADERS = ("KIND", "NAMESPACE", "NAME", "REPO", "REVISION", "PATH", "SYNC", "HEALTH", "DESTINATION")
Placements = dict[tuple[str, str, str], Placement]


def add_parsers(sub: Any, add_common: AddCommon) -> None:
    text = "list the Argo CD and Flux apps you can read, with their sources and status"
    p = add_command(sub, add_common, "apps", text)
    p.add_argument("--format", choices=("table", "json"), default="table")


def kube_contexts(kubeconfig: str | None) -> list[KubeContext]:
    """The kubeconfig's contexts with their servers: what destinations are matched to."""
    return [KubeContext(name, server) for name, server in context_servers(kubeconfig)]


def placements(client: ClusterClient, apps: tuple[App, ...], kubeconfig: str | None) -> Placements:
    """Where each app deploys, by app key (issue 23): the context of its destination."""
    return app_placements(client, apps, kube_contexts(kubeconfig))


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


def app_json(app: App, placement: Placement | None = None) -> dict[str, Any]:
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
        "destination": destination_json(app, placement),
    }


def rows(nodes: tuple[AppNode, ...], where: Placements, depth: int = 0) -> list[tuple[str, ...]]:
    """One row per app, depth first; ``where`` gives each app's destination context."""
    out: list[tuple[str, ...]] = []
    for node in nodes:
        app, source = node.app, node.app.source
        repo = redact_url(source.repo_url) if source else f"({app.problem or 'no source'})"
        out.append(
            (
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
        )
        out += rows(node.children, where, depth + 1)
    return out


def table(nodes: tuple[AppNode, ...], where: Placements | None = None) -> str:
    """The apps, an app of apps' children indented under it."""
    return aligned([HEADERS, *rows(nodes, where or {})])


def aligned(lines: list[tuple[str, ...]]) -> str:
    """Rows in columns as kubectl prints them, each cell made safe."""
    cells = [tuple(safe(cell) for cell in row) for row in lines]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "".join(
        "   ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in cells
    )


def run_apps(scanner: Scanner, args: argparse.Namespace) -> int:
    client = scanner.client()
    found = discover_apps(client, [args.namespace] if args.namespace else [])
    if args.namespace:  # as `kubectl get -n`: the apps in that namespace
        found = replace(found, apps=tuple(a for a in found.apps if a.namespace == args.namespace))
    where = placements(client, found.apps, args.kubeconfig)
    if args.format == "json":
        apps = [app_json(a, where.get(a.key)) for a in found.apps]
        body = {"apps": apps, "notes": list(found.notes)}
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        sys.stdout.write(table(found.tree(), where) if found.apps else "No apps found.\n")
        for note in found.notes:
            print(safe(f"note: {note}"), file=sys.stderr)
    return EXIT_OK


COMMANDS: dict[str, Command] = {"apps": lambda scanner, args, _gate: run_apps(scanner, args)}
