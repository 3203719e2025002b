"""``--app``, ``--all-apps`` and ``--repo-map``: scan what Argo CD / Flux apps deploy.

Thin wiring only: discovery and the app-to-source mapping live in :mod:`driftui.gitops`,
the one scan of many apps in :mod:`driftui.engine.app_scan`. Every command that takes the
flags gets an :class:`~driftui.engine.app_scan.AppScanner` in place of the ``--repo`` one
(:func:`with_apps`), so diff, report, snapshot, the explorer, sync, history and revert all
read each app's own source, and act with it.
"""

from __future__ import annotations

import argparse

from driftui.engine import Scanner
from driftui.engine.app_scan import AppScanner
from driftui.errors import UsageError
from driftui.gitops.app_source import choose_apps
from driftui.gitops.app_specs import App
from driftui.gitops.discovery import discover_apps
from driftui.gitops.repo_map import merged_repo_map

# the commands that take --app (and --all-apps, where it makes sense)
APP_COMMANDS = frozenset(
    {"diff", "report", "snapshot", "tui", "sync", "history", "revert", "reconcile"}
)
ALL_APPS_COMMANDS = frozenset({"diff", "report", "snapshot", "tui"})


def add_app_flags(parser: argparse.ArgumentParser, *, all_apps: bool = True) -> None:
    group = parser.add_argument_group("apps")
    group.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="NAME",
        help="scan what this Argo CD / Flux app deploys, from its own source: NAMESPACE/NAME,"
        " or KIND/NAMESPACE/NAME (application, kustomization, helmrelease) when ambiguous;"
        " repeatable",
    )
    if all_apps:
        group.add_argument(
            "--all-apps",
            action="store_true",
            help="scan every app you can read (with -n: the apps in that namespace), in one scan",
        )
    group.add_argument(
        "--repo-map",
        action="append",
        default=[],
        metavar="URL=PATH",
        help="with --app/--all-apps: compare the local checkout PATH (its HEAD) instead of the"
        " remote URL",
    )


def wants_apps(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "app", None) or getattr(args, "all_apps", False))


def chosen_apps(scanner: Scanner, args: argparse.Namespace) -> list[App]:
    """The apps ``--app`` names (in that order), or with ``--all-apps`` every readable one."""
    found = discover_apps(scanner.client(), [args.namespace] if args.namespace else [])
    if getattr(args, "all_apps", False):
        if args.app:
            raise UsageError("--all-apps scans every app: do not name apps with --app too")
        # as `kubectl get -n`: the apps in that namespace
        return [a for a in found.apps if not args.namespace or a.namespace == args.namespace]
    return choose_apps(found.apps, args.app)


def with_apps(scanner: Scanner, args: argparse.Namespace) -> Scanner:
    """The scanner a command runs with: one of every app chosen, else ``scanner`` itself."""
    if getattr(args, "repo_map", None) and not wants_apps(args):
        raise UsageError("--repo-map maps the repositories of apps: give --app or --all-apps too")
    if not wants_apps(args):
        return scanner
    if args.live:
        raise UsageError("--app and --all-apps find apps in the cluster; they cannot take --live")
    return AppScanner(scanner, chosen_apps(scanner, args), merged_repo_map(args.repo_map))
