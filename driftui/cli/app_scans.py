"""``--app`` and ``--repo-map`` on diff and report: scan what Argo CD / Flux apps deploy.

Thin wiring only: discovery and the app-to-source mapping live in :mod:`driftui.gitops`;
each app is one scan of the engine, on its own source (the app's repository, revision and
path, its destination namespace, its directory options), and the reports are joined. An app
that cannot be scanned (its repository unreachable, a renderer not supported) becomes one
problem naming it; the other apps still scan. Each repository is fetched once per run.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from driftui.engine import Scanner, ScanOptions
from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.gitops.app_clusters import app_placements
from driftui.gitops.app_source import (
    AppSourceError,
    choose_apps,
    parse_repo_map,
    repo_key,
    scan_source,
)
from driftui.gitops.app_specs import App
from driftui.gitops.destinations import KubeContext, Placement
from driftui.gitops.discovery import discover_apps
from driftui.live.contexts import context_servers
from driftui.model import Fidelity, LiveInfo, LoadProblem, ScanReport, SourceInfo


def add_app_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("apps")
    group.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="NAME",
        help="scan what this Argo CD / Flux app deploys, from its own source: NAMESPACE/NAME,"
        " or KIND/NAMESPACE/NAME (application, kustomization) when ambiguous; repeatable",
    )
    group.add_argument(
        "--repo-map",
        action="append",
        default=[],
        metavar="URL=PATH",
        help="with --app: compare the local checkout PATH (its HEAD) instead of the remote URL",
    )


def _app_options(base: ScanOptions, app: App, repo_map: dict[str, str], fetch: bool) -> ScanOptions:
    source = scan_source(app, repo_map)
    return replace(
        base,
        repo=source.repo,
        ref=source.ref,
        path=source.path,
        path_from_cwd=False,
        namespace=source.namespace or base.namespace,
        files=source.files,
        force_namespace=source.force_namespace,
        fetch=fetch and not source.mapped,
    )


def _joined(reports: list[ScanReport], problems: list[LoadProblem]) -> ScanReport:
    """One report of every app's scan: results, problems and warnings of all."""
    if not reports:
        return ScanReport(
            SourceInfo("", "", "", ""), LiveInfo(), Fidelity.CLIENT_SIDE, [], problems
        )
    first = reports[0]
    return replace(
        first,
        results=[r for report in reports for r in report.results],
        problems=[p for report in reports for p in report.problems] + problems,
        skipped=sum(report.skipped for report in reports),
        warnings=list(dict.fromkeys(w for report in reports for w in report.warnings)),
        client_side={
            why: sum(report.client_side.get(why, 0) for report in reports)
            for why in {w for report in reports for w in report.client_side}
        },
    )


def scan_apps(scanner: Scanner, args: argparse.Namespace) -> ScanReport:
    """Every app ``--app`` names, each scanned from its own source."""
    repo_map = parse_repo_map(args.repo_map)
    found = discover_apps(scanner.client(), [args.namespace] if args.namespace else [])
    fetched: set[str] = set()
    reports: list[ScanReport] = []
    problems: list[LoadProblem] = []
    chosen = choose_apps(found.apps, args.app)
    placed = destination_placements(scanner, chosen)
    for app in chosen:
        try:
            options = _app_options(scanner.options, app, repo_map, scanner.options.fetch)
            key = repo_key(options.repo)
            options = replace(options, fetch=options.fetch and key not in fetched)
            fetched.add(key)
            report = scan_at_destination(scanner, options, placed[app.key], app)
            reports.append(
                replace(report, results=[replace(r, app=app.ref) for r in report.results])
            )
        except AppSourceError as exc:
            problems.append(LoadProblem(str(app), str(exc).removeprefix(f"{app}: ")))
        except DriftuiError as exc:  # the repository cannot be reached, the path is gone, ...
            problems.append(LoadProblem(str(app), str(exc)))
    return _joined(reports, problems)


# -- where each app deploys (issue 23) ---------------------------------------------------


def destination_placements(
    scanner: Scanner, apps: list[App]
) -> dict[tuple[str, str, str], Placement]:
    """The kubeconfig context each app deploys to (its Argo CD destination), by app key."""
    contexts = [KubeContext(n, s) for n, s in context_servers(scanner.options.kubeconfig)]
    return app_placements(scanner.client(), apps, contexts)


def scan_at_destination(
    scanner: Scanner, options: ScanOptions, placement: Placement, app: App
) -> ScanReport:
    """``options`` scanned on the app's own cluster: with the home scanner's context and
    gate when it deploys there, else through the matched context with a gate of its own
    (the gate asks each cluster's RBAC), said in a warning. No context reaches it: an
    error naming the URL."""
    if placement.problem:
        raise AppSourceError(placement.problem)
    if placement.context == scanner.client().context:
        return Scanner(options, scanner.gate).scan()
    gate = MutationGate(read_only=scanner.gate.read_only)
    report = Scanner(replace(options, context=placement.context), gate).scan()
    where = f"{app} deploys to {placement.server}: its objects were read through context"
    report.warnings.append(f"{where} {placement.context}")
    return report
