"""``driftui sync``, ``reconcile``, ``suspend``, ``resume`` and ``export-ignores``.

``sync [SELECTOR...]`` previews every change with a dry-run server-side apply, asks, then
applies in dependency order. An object owned by an Argo CD Application or a Flux
Kustomization found in the cluster is not applied directly: its owner is asked to
reconcile instead (``--direct`` applies anyway, with a warning when the owner auto-syncs).
Without ``--yes`` and without a terminal to ask on, nothing is changed. With ``--app``, an
app's objects are synced on the cluster the app deploys to (its Argo CD destination's
kubeconfig context: that client, gate and RBAC), one cluster at a time, each question naming
it; owning apps are asked where they live. An app whose destination has no context is not
synced (exit 2 when nothing else was).

Every object is re-read just before it is written. One that changed since the preview is
previewed again and not applied; a prune deletes only an object that still carries this
source's tracking marker, is still not declared in Git, and still has the uid and
resourceVersion shown (sent as delete preconditions). Nothing is pruned after an apply
failed. These commands change the cluster, so they never take ``--live``.

Exit status (1 is kept for "drift found", as in ``diff`` and ``report``):

* 0: everything asked for was done, or there was nothing to do (``--dry-run``: every
  object previewed cleanly).
* 2: nothing was changed: refused (read-only mode, no permission for any object, no
  confirmation: no terminal without ``--yes``, or the user declined), an error, every
  object failed, or (``--dry-run``) some object would fail.
* 3: partly done: some objects were changed and others failed or were skipped; each
  outcome says why.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import IO

from driftui.actions.clusters import ActingCluster, acting_clusters
from driftui.actions.ignore_export import export_rules
from driftui.actions.sync import DEFAULT_FIELD_MANAGER, Syncer
from driftui.actions.sync_plan import plan_sync
from driftui.cli import apps as app_commands
from driftui.cli.app_scans import add_app_flags
from driftui.cli.conversation import Conversation, Prompt, terminal_prompt
from driftui.cli.exits import EXIT_ERROR as EXIT_REFUSED
from driftui.cli.exits import EXIT_OK, EXIT_PARTIAL, combined_exit
from driftui.cli.flags import AddCommon, add_command
from driftui.cli.progress_display import scan
from driftui.cli.selectors import select
from driftui.cli.sync_routes import desired, route
from driftui.cli.sync_steps import consent, execute, permitted, show_previews
from driftui.config import load_config
from driftui.engine import Scanner
from driftui.gate import MutationGate
from driftui.gitops.apps import AppError
from driftui.live.client import ClusterClient
from driftui.model import ScanReport
from driftui.safe_text import safe
from driftui.source.load import load_desired

CLUSTER_WRITERS = frozenset({"sync", "reconcile", "suspend", "resume"})


def add_parsers(
    subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
    add_common: AddCommon,
) -> None:

    sync = add_command(
        subparsers,
        add_common,
        "sync",
        "apply Git to the cluster (server-side apply), after a preview",
    )
    sync.add_argument(
        "selectors",
        nargs="*",
        metavar="SELECTOR",
        help="KIND, KIND/NAME or NS/KIND/NAME (globs); default: all drift",
    )
    sync.add_argument("--dry-run", action="store_true", help="preview only; change nothing")
    sync.add_argument(
        "--prune", action="store_true", help="also delete extra objects (typed confirmation)"
    )
    sync.add_argument(
        "--field-manager",
        default=DEFAULT_FIELD_MANAGER,
        help=f"server-side apply field manager (default {DEFAULT_FIELD_MANAGER})",
    )
    sync.add_argument(
        "--force-conflicts",
        action="store_true",
        help="take over fields other managers own (asked separately)",
    )
    sync.add_argument(
        "--direct", action="store_true", help="apply even objects an Argo CD / Flux app owns"
    )
    sync.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_app_flags(sync, all_apps=False)

    export = add_command(
        subparsers,
        add_common,
        "export-ignores",
        "print driftui's ignore rules as Argo CD / Flux config",
    )
    export.add_argument("--to", choices=("argocd", "flux"), default="argocd")


def _sync(scanner: Scanner, args: argparse.Namespace, io: Conversation) -> int:
    """Each cluster the selected objects' apps deploy to, in turn: one question naming it."""
    report = scan(scanner, args)
    for warning in report.warnings:
        io.warn(f"warning: {warning}")
    selected = select(report.results, args.selectors)
    if args.selectors and not selected:
        io.warn(f"error: no object matches {' '.join(args.selectors)}")
        return EXIT_REFUSED
    unsyncable = [info for info in report.apps if info.problem]
    for info in unsyncable:  # e.g. its destination has no kubeconfig context
        io.warn(f"error: {info.app}: not synced: {info.problem}")
    clusters = acting_clusters(scanner, selected)
    if not clusters:
        io.say("nothing to sync")
        return EXIT_REFUSED if unsyncable else EXIT_OK
    if len(clusters) == 1 and clusters[0].home:
        code = _sync_on(clusters[0], scanner.client(), report, args, io)
    else:
        codes = []
        for where in clusters:
            io.say(f"# cluster {where.name}")
            on = replace(io, cluster=where.name)
            codes.append(_sync_on(where, scanner.client(), report, args, on))
        code = combined_exit(codes, errored=False, dry_run=bool(args.dry_run))
    if unsyncable:  # the others' changes were made: partly done
        done = code in (EXIT_OK, EXIT_PARTIAL) and not args.dry_run
        return EXIT_PARTIAL if done else EXIT_REFUSED
    return code


def _sync_on(
    where: ActingCluster,
    apps_at: ClusterClient,
    report: ScanReport,
    args: argparse.Namespace,
    io: Conversation,
) -> int:
    """Sync ``where``'s objects through its own client, gate and RBAC; their apps are asked
    to reconcile on ``apps_at``, the cluster the apps live on."""
    client = where.scanner.client()
    git = desired(where.sources, report, client)
    selected = list(where.results)
    plan = plan_sync(selected, git.manifests, prune=args.prune)
    for ref, why in plan.not_syncable:
        io.warn(f"error: {ref}: cannot sync: {why}")
    for ref, why in plan.kept:
        io.say(f"{ref}: not pruned: {why}")
    if not plan.items:
        if plan.not_syncable:
            io.warn("nothing was changed")
            return EXIT_REFUSED
        io.say("nothing to sync")
        return EXIT_OK
    routes = route(plan, {r.ref: r for r in selected}, apps_at, args.direct)
    config = where.scanner.config
    syncer = Syncer(
        client, field_manager=args.field_manager, tracking=config.tracking if config else None
    )
    apps = syncer if apps_at is client else Syncer(apps_at)
    allowed = permitted(syncer, apps, routes, io)
    if not allowed.items and not allowed.apps:
        io.warn("nothing was changed")
        return EXIT_REFUSED
    previews = show_previews(io, syncer, allowed, args)
    blocked = git.prune_blocked if any(i.prune for i in allowed.items) else ""
    if blocked:
        io.warn(f"warning: nothing will be pruned: {blocked}")
    if args.dry_run:
        unresolved = any(p.conflicts for p in previews) and not args.force_conflicts
        failing = any(not p.ok and not p.conflicts for p in previews)
        refused = allowed.refused or allowed.app_refusals
        return EXIT_REFUSED if failing or unresolved or refused or blocked else EXIT_OK
    agreed = consent(io, args, allowed, previews)
    if isinstance(agreed, int):
        return agreed
    return execute(io, syncer, apps_at, allowed, agreed, git, blocked)


def _export(scanner: Scanner, args: argparse.Namespace, io: Conversation) -> int:
    opts = scanner.options
    if opts.config_path:
        config = load_config(opts.config_path)
    else:
        desired = load_desired(
            opts.repo, opts.ref, opts.path, fetch=opts.fetch, cache_dir=opts.cache_dir
        )
        config = load_config(None, desired.config_text) if desired.config_text else load_config()
    io.out.write(safe(export_rules(args.to, config.ignore).yaml(), multiline=True))
    return EXIT_OK


_RUNNERS: dict[str, Callable[[Scanner, argparse.Namespace, Conversation], int]] = {
    "sync": _sync,
    "reconcile": app_commands.run_reconcile,
    "suspend": app_commands.run_suspend,
    "resume": app_commands.run_resume,
    "export-ignores": _export,
}


def run_sync(
    scanner: Scanner,
    args: argparse.Namespace,
    *,
    prompt: Prompt | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    cluster: str = "",
) -> int:
    """Run the sync-family command named by ``args.command`` (see the module docstring).

    ``prompt`` answers confirmations (tests, the explorer); by default the terminal asks,
    and without a terminal there is no one to ask, so only ``--yes`` lets a change happen.
    ``cluster`` is named in every question when one run acts on several clusters.
    """
    io = Conversation(out or sys.stdout, err or sys.stderr, prompt or terminal_prompt(), cluster)
    if args.command in CLUSTER_WRITERS and scanner.options.live_snapshot:
        io.warn(
            f"error: {args.command} changes the cluster, so it cannot take --live:"
            " a snapshot is not the cluster your kubeconfig names"
        )
        return EXIT_REFUSED
    try:
        return _RUNNERS[args.command](scanner, args, io)
    except AppError as exc:
        io.warn(f"error: {exc}")
        return EXIT_REFUSED


def _run(scanner: Scanner, args: argparse.Namespace, _gate: MutationGate) -> int:
    return run_sync(scanner, args)


COMMANDS: dict[str, Callable[[Scanner, argparse.Namespace, MutationGate], int]] = dict.fromkeys(
    _RUNNERS, _run
)
