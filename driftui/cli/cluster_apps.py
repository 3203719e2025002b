"""``driftui apps --context a,b`` and ``--all-contexts``: the apps of several clusters, one list.

Each cluster is read concurrently (as scans are, :data:`CLUSTER_WORKERS` at once). Every row
says the cluster the app was read from (``CLUSTER``; ``cluster: {context, server}`` in JSON)
and the context it deploys to (``DESTINATION``). A cluster that cannot be read is a row of
its own with its error, the others are listed, and the exit code is 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from driftui.cli.app_list import HEADERS, Placements, aligned, app_json, rows
from driftui.cli.exits import EXIT_ERROR, EXIT_OK
from driftui.cli.flags import options_from
from driftui.engine import Scanner
from driftui.engine.app_scan import destination_placements
from driftui.engine.clusters import CLUSTER_WORKERS
from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.gitops.discovery import Discovery, discover_apps
from driftui.safe_text import safe


@dataclass
class ClusterApps:
    """One cluster's apps and where each deploys, or why the cluster could not be read."""

    context: str
    server: str = ""
    found: Discovery = field(default_factory=lambda: Discovery(()))
    where: Placements = field(default_factory=dict)
    error: str = ""


def read_cluster_apps(args: argparse.Namespace, context: str) -> ClusterApps:
    """The apps ``context`` reaches, as ``driftui apps`` lists them; listing never writes."""
    scanner = Scanner(replace(options_from(args), context=context), MutationGate(read_only=True))
    try:
        client = scanner.client()
    except DriftuiError as exc:
        return ClusterApps(context, error=str(exc))
    try:
        found = discover_apps(client, [args.namespace] if args.namespace else [])
        if args.namespace:
            found = replace(
                found, apps=tuple(a for a in found.apps if a.namespace == args.namespace)
            )
        return ClusterApps(
            context,
            client.server,
            found,
            destination_placements(client, args.kubeconfig, found.apps),
        )
    except DriftuiError as exc:
        return ClusterApps(context, client.server, error=str(exc))


def _json(listed: list[ClusterApps]) -> dict[str, Any]:
    return {
        "clusters": [
            {"context": c.context, "server": c.server, "error": c.error or None} for c in listed
        ],
        "apps": [
            {
                **app_json(a, c.where.get(a.key)),
                "cluster": {"context": c.context, "server": c.server},
            }
            for c in listed
            for a in c.found.apps
        ],
        "notes": [f"{c.context}: {note}" for c in listed for note in c.found.notes],
    }


def _table(listed: list[ClusterApps]) -> str:
    lines: list[tuple[str, ...]] = [("CLUSTER", *HEADERS)]
    blank = ("",) * (len(HEADERS) - 1)
    for c in listed:
        if c.error:
            lines.append((c.context, f"(error: {c.error})", *blank))
            continue
        lines += [(c.context, *row) for row in rows(c.found.tree(), c.where)]
    return aligned(lines)


def run_apps_clusters(args: argparse.Namespace, contexts: list[str]) -> int:
    """``driftui apps`` over ``contexts``: 2 when any cluster could not be read, else 0."""
    with ThreadPoolExecutor(min(CLUSTER_WORKERS, len(contexts)), "driftui-apps") as pool:
        listed = list(pool.map(lambda context: read_cluster_apps(args, context), contexts))
    if args.format == "json":
        sys.stdout.write(json.dumps(_json(listed), indent=2) + "\n")
    else:
        sys.stdout.write(_table(listed))
        for c in listed:
            for note in c.found.notes:
                print(safe(f"note: {c.context}: {note}"), file=sys.stderr)
    for c in listed:
        if c.error:
            print(safe(f"error: cluster {c.context}: {c.error}"), file=sys.stderr)
    return EXIT_ERROR if any(c.error for c in listed) else EXIT_OK
