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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import IO

from driftui.actions.clusters import ActingCluster, acting_clusters
from driftui.actions.ignore_export import export_rules
from driftui.actions.outcomes import ItemResult
from driftui.actions.sync import DEFAULT_FIELD_MANAGER, Preview, Syncer
from driftui.actions.sync_plan import SyncItem, plan_sync, prune_confirmation_word
from driftui.cli import apps as app_commands
from driftui.cli.app_scans import add_app_flags
from driftui.cli.conversation import Conversation, Prompt, no_confirmation, terminal_prompt
from driftui.cli.exits import EXIT_ERROR as EXIT_REFUSED
from driftui.cli.exits import EXIT_OK, EXIT_PARTIAL, combined_exit
from driftui.cli.flags import AddCommon, add_command
from driftui.cli.progress_display import progress_for, scan
from driftui.cli.selectors import select
from driftui.cli.sync_routes import Desired, Routes, desired, route
from driftui.compare.textdiff import DiffLine
from driftui.config import load_config
from driftui.engine import Scanner
from driftui.gate import MutationGate, MutationRefused
from driftui.gitops.apps import AppError, GitOpsApp
from driftui.gitops.reconcile import request_reconcile
from driftui.live.client import ClusterClient
from driftui.model import AppOwner, ObjectRef, ScanReport
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


def _print_preview(io: Conversation, preview: Preview) -> None:
    item = preview.item
    verb = "prune" if item.prune else "patch" if item.exists else "create"
    io.say(f"--- live/{item.ref}\n+++ sync/{item.ref}  ({verb})")
    if item.marker is not None:
        io.say(f"# this source's: tracked by {item.marker}")
    if preview.message:
        io.say(f"# {preview.message}")
    for conflict in preview.conflicts:
        io.say(f"# conflict: {conflict}")
    _print_lines(io, preview.lines)


def _print_lines(io: Conversation, lines: Sequence[DiffLine]) -> None:
    for line in lines:
        prefix = {"added": "+", "removed": "-", "context": " ", "hunk": ""}[line.kind]
        io.say(prefix + line.text)


def _print_outcome(io: Conversation, outcome: ItemResult) -> None:
    """As it happens: a sync that stops half-way has still said what it did."""
    (io.say if outcome.ok else io.warn)(str(outcome))
    if outcome.preview:
        io.say(f"# {outcome.ref} as it is now; applying Git would change:")
        _print_lines(io, outcome.preview)


def _exit_for(outcomes: Sequence[ItemResult], failed_requests: int = 0) -> int:
    done = sum(o.ok for o in outcomes)
    if done == len(outcomes) and not failed_requests:
        return EXIT_OK
    return EXIT_PARTIAL if done else EXIT_REFUSED


@dataclass
class _Permitted:
    """What the gate and RBAC let this sync do: objects to apply or prune, apps to ask."""

    items: list[SyncItem]
    apps: dict[AppOwner, tuple[GitOpsApp, list[ObjectRef]]]
    refused: dict[ObjectRef, str]
    app_refusals: dict[AppOwner, str]
    warnings: list[str]


def _permitted(syncer: Syncer, apps: Syncer, routes: Routes, io: Conversation) -> _Permitted:
    """``syncer``: the cluster the objects are on; ``apps``: the one their apps live on."""
    refused = syncer.refusals(routes.direct)
    app_refusals = {
        owner: reason
        for owner, (app, _refs) in routes.via_app.items()
        if (reason := app_commands.app_refusal(apps, app))
    }
    for ref, reason in refused.items():
        io.warn(f"refused: {ref}: {reason}")
    for owner, reason in app_refusals.items():
        io.warn(f"refused: {owner}: {reason}")
    return _Permitted(
        [i for i in routes.direct if i.ref not in refused],
        {o: v for o, v in routes.via_app.items() if o not in app_refusals},
        refused,
        app_refusals,
        routes.warnings,
    )


def _show_previews(
    io: Conversation, syncer: Syncer, allowed: _Permitted, args: argparse.Namespace
) -> list[Preview]:
    with progress_for(args) as progress:
        previews = syncer.preview(allowed.items, progress=progress)
    for preview in previews:
        if preview.conflicts and args.force_conflicts:
            # show the conflict, then what taking the fields over would produce
            (forced,) = syncer.preview([preview.item], force=True)
            preview = replace(
                forced,
                conflicts=preview.conflicts,
                message="forced: " + (forced.message or "these fields change owner"),
            )
        _print_preview(io, preview)
    for owner, (_app, refs) in allowed.apps.items():
        io.say(f"# {owner} will be asked to reconcile {len(refs)} objects instead of applying")
    for warning in allowed.warnings:
        io.warn(f"warning: {warning}")
    return previews


@dataclass(frozen=True)
class _Consent:
    applies: list[SyncItem]
    prunes: list[SyncItem]
    force: bool  # take over conflicting fields
    prune: bool  # the typed confirmation was given


def _consent(
    io: Conversation, args: argparse.Namespace, allowed: _Permitted, previews: list[Preview]
) -> _Consent | int:
    """The user's yes, for applies (and app reconciles), for forcing, and typed for prunes."""
    applies = [i for i in allowed.items if not i.prune]
    prunes = [i for i in allowed.items if i.prune]
    question = (
        f"Apply {len(applies)} objects as {args.field_manager!r}"
        + (f" and request {len(allowed.apps)} reconciles" if allowed.apps else "")
        + "?"
    )
    answer = io.confirm(question, args.yes) if applies or allowed.apps else True
    if not answer:
        return no_confirmation(io, answer)
    conflicts = [c for p in previews for c in p.conflicts]
    force = False
    if conflicts and args.force_conflicts:
        managers = ", ".join(sorted({c.manager for c in conflicts}))
        question = f"Take over {len(conflicts)} conflicting fields from {managers}?"
        force = bool(io.confirm(question, args.yes))
    prune_ok = False
    if prunes:
        word = prune_confirmation_word(prunes)
        prune_ok = bool(args.yes) or bool(io.typed(f"Delete {len(prunes)} objects?", word))
        if not prune_ok:
            io.warn("prune not confirmed: no object is deleted")
    if not (applies or allowed.apps or prune_ok):
        return no_confirmation(io, None if io.prompt is None else False)
    return _Consent(applies, prunes, force, prune_ok)


def _execute(
    io: Conversation,
    syncer: Syncer,
    apps_at: ClusterClient,
    allowed: _Permitted,
    consent: _Consent,
    git: Desired,
    blocked: str,
) -> int:
    """Apply, ask apps (on ``apps_at``, where they live), then prune: never after a failed
    apply, as `kubectl apply --prune`."""
    outcomes = [ItemResult(ref, "refused", why) for ref, why in allowed.refused.items()]
    for outcome in outcomes:
        _print_outcome(io, outcome)
    failed_requests = len(allowed.app_refusals)
    for owner, (app, refs) in allowed.apps.items():
        try:
            io.say(request_reconcile(apps_at, app, refs))
        except (AppError, MutationRefused) as exc:
            io.warn(f"error: {owner}: {exc}")
            failed_requests += 1
    show = partial(_print_outcome, io)
    applied = syncer.apply(consent.applies, force=consent.force, report=show)
    outcomes += applied
    unapplied = sum(not o.ok for o in applied)
    prunes = consent.prunes
    if prunes and blocked:
        outcomes += _skipped(prunes, f"not pruned: {blocked}", show)
    elif prunes and unapplied:
        why = f"not pruned: {unapplied} of {len(applied)} applies failed or were skipped"
        outcomes += _skipped(prunes, why, show)
    elif prunes and consent.prune:
        outcomes += syncer.prune(prunes, git.declared, report=show)
    else:
        outcomes += _skipped(prunes, "prune not confirmed", show)
    return _exit_for(outcomes, failed_requests)


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
    allowed = _permitted(syncer, apps, routes, io)
    if not allowed.items and not allowed.apps:
        io.warn("nothing was changed")
        return EXIT_REFUSED
    previews = _show_previews(io, syncer, allowed, args)
    blocked = git.prune_blocked if any(i.prune for i in allowed.items) else ""
    if blocked:
        io.warn(f"warning: nothing will be pruned: {blocked}")
    if args.dry_run:
        unresolved = any(p.conflicts for p in previews) and not args.force_conflicts
        failing = any(not p.ok and not p.conflicts for p in previews)
        refused = allowed.refused or allowed.app_refusals
        return EXIT_REFUSED if failing or unresolved or refused or blocked else EXIT_OK
    consent = _consent(io, args, allowed, previews)
    if isinstance(consent, int):
        return consent
    return _execute(io, syncer, apps_at, allowed, consent, git, blocked)


def _skipped(
    items: Sequence[SyncItem], why: str, show: Callable[[ItemResult], None]
) -> list[ItemResult]:
    out = [ItemResult(item.ref, "skipped", why) for item in items]
    for outcome in out:
        show(outcome)
    return out


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
