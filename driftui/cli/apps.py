"""``driftui reconcile``, ``suspend`` and ``resume``: asking an Argo CD or Flux app to act.

An app is named ``flux:NS/NAME`` or ``argocd:[NS/]NAME``, or found as the owner of the
objects a selector picks. A suspension is recorded, so ``resume`` undoes exactly it and
the explorer can remind whoever opens this cluster next.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from driftui.actions.sync import Syncer
from driftui.cli.app_scans import add_app_flags
from driftui.cli.conversation import Conversation, no_confirmation
from driftui.cli.exits import EXIT_ERROR as EXIT_REFUSED
from driftui.cli.exits import EXIT_OK, EXIT_PARTIAL
from driftui.cli.flags import AddCommon, add_command
from driftui.cli.selectors import select
from driftui.engine import Scanner
from driftui.gate import MutationRefused
from driftui.gitops.apps import KINDS, AppError, GitOpsApp, find_app, parse_app, resolved
from driftui.gitops.owners import app_owner
from driftui.gitops.reconcile import request_reconcile
from driftui.gitops.suspension import SuspensionStore, resume, suspend
from driftui.model import AppOwner, AppRef, ObjectRef, Status


def add_parsers(
    subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
    add_common: AddCommon,
) -> None:

    reconcile = add_command(
        subparsers, add_common, "reconcile", "ask the owning Argo CD / Flux app to reconcile"
    )
    reconcile.add_argument(
        "selectors",
        nargs="*",
        metavar="SELECTOR_OR_APP",
        help="objects (as for sync) or apps (flux:NS/NAME, argocd:[NS/]NAME)",
    )
    reconcile.add_argument(
        "--refresh",
        action="store_true",
        help="Argo CD: refresh only (the refresh annotation), no sync",
    )
    reconcile.add_argument("-y", "--yes", action="store_true", help="do not ask")
    add_app_flags(reconcile, all_apps=False)

    suspend_p = add_command(
        subparsers, add_common, "suspend", "stop an app's auto-sync (recorded, until resume)"
    )
    suspend_p.add_argument("apps", nargs="+", metavar="APP")
    suspend_p.add_argument("-y", "--yes", action="store_true", help="do not ask")

    resume_p = add_command(
        subparsers, add_common, "resume", "restore auto-sync that driftui suspended"
    )
    resume_p.add_argument("apps", nargs="*", metavar="APP", help="default: list suspensions")
    resume_p.add_argument("--all", action="store_true", help="resume every suspension here")
    resume_p.add_argument("-y", "--yes", action="store_true", help="do not ask")


def owner_of(app: AppRef | None) -> AppOwner | None:
    """The app ``--app`` named, as an owner reconcile can ask (Argo CD, Flux Kustomization)."""
    kind = next((k for k in KINDS.values() if app is not None and k.kind == app.kind), None)
    return AppOwner(kind.tool, app.namespace, app.name) if kind and app else None


def app_refusal(syncer: Syncer, app: GitOpsApp) -> str:
    kind = app.kind
    return syncer.why_not("patch", kind.group, kind.resource, app.owner.namespace)


def run_reconcile(scanner: Scanner, args: argparse.Namespace, io: Conversation) -> int:
    client = scanner.client()
    named = [s for s in args.selectors if ":" in s]
    selectors = [s for s in args.selectors if ":" not in s]
    targets: dict[AppOwner, list[ObjectRef]] = {parse_app(s): [] for s in named}
    if selectors or not named:
        report = scanner.scan()
        for warning in report.warnings:
            io.warn(f"warning: {warning}")
        chosen = (
            select(report.results, selectors)
            if selectors
            else [
                r
                for r in report.results
                if r.status in (Status.DRIFTED, Status.MISSING, Status.EXTRA)
            ]
        )
        for result in chosen:
            # an object compared for an app (--app) is that app's to reconcile
            owner = owner_of(result.app) or result.owner or app_owner(result.desired or {})
            if owner is None:
                io.warn(
                    f"warning: {result.ref}: no owning app (`driftui sync` applies it directly)"
                )
                continue
            refs = targets.setdefault(resolved(owner), [])
            if selectors:
                refs.append(result.ref)
    if not targets:
        io.warn("error: no owning app to reconcile")
        return EXIT_REFUSED
    syncer = Syncer(client)
    ready: list[tuple[GitOpsApp, list[ObjectRef]]] = []
    problems = 0
    for owner, refs in targets.items():
        app, reason = find_app(client, owner)
        reason = reason or (app_refusal(syncer, app) if app is not None else "")
        if app is None or reason:
            io.warn(f"refused: {owner}: {reason}")
            problems += 1
            continue
        ready.append((app, refs))
    if not ready:
        return EXIT_REFUSED
    for app, refs in ready:
        what = "refresh" if args.refresh and app.owner.tool == "argocd" else "reconcile"
        io.say(f"# {app.owner}: {what}" + (f" of {len(refs)} objects" if refs else ""))
    answer = io.confirm(f"Request {len(ready)} reconciles?", args.yes)
    if not answer:
        return no_confirmation(io, answer)
    done = 0
    for app, refs in ready:
        try:
            io.say(request_reconcile(client, app, refs, refresh_only=args.refresh))
            done += 1
        except (AppError, MutationRefused) as exc:
            io.warn(f"error: {app.owner}: {exc}")
            problems += 1
    return EXIT_OK if not problems else EXIT_PARTIAL if done else EXIT_REFUSED


def run_suspend(scanner: Scanner, args: argparse.Namespace, io: Conversation) -> int:
    client = scanner.client()
    store = SuspensionStore()
    syncer = Syncer(client)
    ready: list[GitOpsApp] = []
    for text in args.apps:
        owner = parse_app(text)
        app, reason = find_app(client, owner)
        reason = reason or (app_refusal(syncer, app) if app is not None else "")
        if app is not None and not reason and not app.auto_sync.enabled:
            reason = "does not auto-sync; nothing to suspend"
        if app is None or reason:
            io.warn(f"refused: {owner}: {reason}")
            continue
        ready.append(app)
    if not ready:
        return EXIT_REFUSED
    answer = io.confirm(f"Suspend auto-sync of {', '.join(str(a.owner) for a in ready)}?", args.yes)
    if not answer:
        return no_confirmation(io, answer)
    for app in ready:
        record = suspend(client, app, store)
        io.say(
            f"{app.owner}: {record.field} changed (was {record.previous!r}); "
            f"undo with `driftui resume {app.owner}`"
        )
    return EXIT_OK if len(ready) == len(args.apps) else EXIT_PARTIAL


def run_resume(scanner: Scanner, args: argparse.Namespace, io: Conversation) -> int:
    client = scanner.client()
    store = SuspensionStore()
    records = store.for_server(client.server)
    if not args.apps and not args.all:
        for record in records:
            io.say(record.reminder())
        if not records:
            io.say("no auto-sync suspended by driftui on this cluster")
        return EXIT_OK
    wanted = records if args.all else []
    missing = 0
    for text in args.apps:
        owner = parse_app(text)
        found = next((r for r in records if r.owner == owner), None)
        if found is None:
            io.warn(f"error: {owner}: driftui did not suspend it on this cluster")
            missing += 1
        else:
            wanted.append(found)
    if not wanted:
        return EXIT_REFUSED
    syncer = Syncer(client)
    for record in wanted:
        app, reason = find_app(client, record.owner)
        if app is None and reason == "not found in this cluster":
            continue  # resume() drops the record of an app that is gone
        reason = reason or (app_refusal(syncer, app) if app is not None else "")
        if reason:
            io.warn(f"refused: {record.owner}: {reason}")
            return EXIT_REFUSED
    answer = io.confirm(f"Resume auto-sync of {', '.join(str(r.owner) for r in wanted)}?", args.yes)
    if not answer:
        return no_confirmation(io, answer)
    for record in wanted:
        io.say(resume(client, record, store))
    return EXIT_OK if not missing else EXIT_PARTIAL


def suspension_reminders(server: str, path: Path | None = None) -> list[str]:
    """One line per auto-sync driftui suspended on ``server``: for the explorer's header."""
    return [s.reminder() for s in SuspensionStore(path).for_server(server)]
