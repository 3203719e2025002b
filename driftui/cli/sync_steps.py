"""The steps of one sync on one cluster, after its plan: what RBAC and the gate permit, the
previews, the user's consent, then applies, app reconciles and prunes, each outcome said as it
happens. ``driftui.cli.sync`` decides which clusters and objects; this module talks to the user.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from driftui.actions.outcomes import ItemResult
from driftui.actions.sync import Preview, Syncer
from driftui.actions.sync_plan import SyncItem, prune_confirmation_word
from driftui.cli import apps as app_commands
from driftui.cli.conversation import Conversation, no_confirmation
from driftui.cli.exits import EXIT_ERROR as EXIT_REFUSED
from driftui.cli.exits import EXIT_OK, EXIT_PARTIAL
from driftui.cli.progress_display import progress_for
from driftui.cli.sync_routes import Desired, Routes
from driftui.compare.textdiff import DiffLine
from driftui.gate import MutationRefused
from driftui.gitops.apps import AppError, GitOpsApp
from driftui.gitops.reconcile import request_reconcile
from driftui.live.client import ClusterClient
from driftui.model import AppOwner, ObjectRef


def print_preview(io: Conversation, preview: Preview) -> None:
    item = preview.item
    verb = "prune" if item.prune else "patch" if item.exists else "create"
    io.say(f"--- live/{item.ref}\n+++ sync/{item.ref}  ({verb})")
    if item.marker is not None:
        io.say(f"# this source's: tracked by {item.marker}")
    if preview.message:
        io.say(f"# {preview.message}")
    for conflict in preview.conflicts:
        io.say(f"# conflict: {conflict}")
    print_lines(io, preview.lines)


def print_lines(io: Conversation, lines: Sequence[DiffLine]) -> None:
    for line in lines:
        prefix = {"added": "+", "removed": "-", "context": " ", "hunk": ""}[line.kind]
        io.say(prefix + line.text)


def print_outcome(io: Conversation, outcome: ItemResult) -> None:
    """As it happens: a sync that stops half-way has still said what it did."""
    (io.say if outcome.ok else io.warn)(str(outcome))
    if outcome.preview:
        io.say(f"# {outcome.ref} as it is now; applying Git would change:")
        print_lines(io, outcome.preview)


def exit_for(outcomes: Sequence[ItemResult], failed_requests: int = 0) -> int:
    done = sum(o.ok for o in outcomes)
    if done == len(outcomes) and not failed_requests:
        return EXIT_OK
    return EXIT_PARTIAL if done else EXIT_REFUSED


@dataclass
class Permitted:
    """What the gate and RBAC let this sync do: objects to apply or prune, apps to ask."""

    items: list[SyncItem]
    apps: dict[AppOwner, tuple[GitOpsApp, list[ObjectRef]]]
    refused: dict[ObjectRef, str]
    app_refusals: dict[AppOwner, str]
    warnings: list[str]


def permitted(syncer: Syncer, apps: Syncer, routes: Routes, io: Conversation) -> Permitted:
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
    return Permitted(
        [i for i in routes.direct if i.ref not in refused],
        {o: v for o, v in routes.via_app.items() if o not in app_refusals},
        refused,
        app_refusals,
        routes.warnings,
    )


def show_previews(
    io: Conversation, syncer: Syncer, allowed: Permitted, args: argparse.Namespace
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
        print_preview(io, preview)
    for owner, (_app, refs) in allowed.apps.items():
        io.say(f"# {owner} will be asked to reconcile {len(refs)} objects instead of applying")
    for warning in allowed.warnings:
        io.warn(f"warning: {warning}")
    return previews


@dataclass(frozen=True)
class Consent:
    applies: list[SyncItem]
    prunes: list[SyncItem]
    force: bool  # take over conflicting fields
    prune: bool  # the typed confirmation was given


def consent(
    io: Conversation, args: argparse.Namespace, allowed: Permitted, previews: list[Preview]
) -> Consent | int:
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
    return Consent(applies, prunes, force, prune_ok)


def execute(
    io: Conversation,
    syncer: Syncer,
    apps_at: ClusterClient,
    allowed: Permitted,
    consent: Consent,
    git: Desired,
    blocked: str,
) -> int:
    """Apply, ask apps (on ``apps_at``, where they live), then prune: never after a failed
    apply, as `kubectl apply --prune`."""
    outcomes = [ItemResult(ref, "refused", why) for ref, why in allowed.refused.items()]
    for outcome in outcomes:
        print_outcome(io, outcome)
    failed_requests = len(allowed.app_refusals)
    for owner, (app, refs) in allowed.apps.items():
        try:
            io.say(request_reconcile(apps_at, app, refs))
        except (AppError, MutationRefused) as exc:
            io.warn(f"error: {owner}: {exc}")
            failed_requests += 1
    show = partial(print_outcome, io)
    applied = syncer.apply(consent.applies, force=consent.force, report=show)
    outcomes += applied
    unapplied = sum(not o.ok for o in applied)
    prunes = consent.prunes
    if prunes and blocked:
        outcomes += skipped(prunes, f"not pruned: {blocked}", show)
    elif prunes and unapplied:
        why = f"not pruned: {unapplied} of {len(applied)} applies failed or were skipped"
        outcomes += skipped(prunes, why, show)
    elif prunes and consent.prune:
        outcomes += syncer.prune(prunes, git.declared, report=show)
    else:
        outcomes += skipped(prunes, "prune not confirmed", show)
    return exit_for(outcomes, failed_requests)


def skipped(
    items: Sequence[SyncItem], why: str, show: Callable[[ItemResult], None]
) -> list[ItemResult]:
    out = [ItemResult(item.ref, "skipped", why) for item in items]
    for outcome in out:
        show(outcome)
    return out
