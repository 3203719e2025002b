"""The implementations behind the explorer's actions (see :mod:`driftui.actions.registry`).

Each executor is plain core code: the same sync, prune and revert the command line runs,
with the same gate underneath. The explorer only decides when to call them.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftui.actions.outcomes import ItemResult
from driftui.actions.registry import (
    ActionOutcome,
    ActionRequest,
    Executor,
    Previewer,
    PreviewLines,
    Suspensions,
)
from driftui.actions.revert import apply_revert, preview_revert
from driftui.actions.revert_view import needs_elsewhere_consent, preview_lines, revert_effects
from driftui.actions.sync import Syncer
from driftui.actions.sync_plan import (
    SyncPlan,
    declared_refs,
    match_manifests,
    plan_sync,
    prune_blocked,
)
from driftui.engine import Scanner
from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.gitops.suspension import SuspensionStore, resume
from driftui.model import DesiredState
from driftui.source.git_repo import SourceError, open_repo

ELSEWHERE_WORD = "elsewhere"  # typed to revert files outside the explorer's --path


def _outcome(title: str, results: Sequence[ItemResult]) -> ActionOutcome:
    failed = [r for r in results if not r.ok]
    summary = f"{title}: {len(results) - len(failed)} of {len(results)} done"
    return ActionOutcome(ok=not failed, summary=summary, details=tuple(str(r) for r in results))


def source_of(scanner: Scanner, request: ActionRequest) -> Scanner:
    """The scanner of the source the request's objects were compared with: their app's own
    (its repository, revision and path), or the scan's one source. An action on objects of
    several apps at once is refused rather than done with one app's source."""
    apps = {t.app for t in request.targets}
    if len(apps) > 1:
        names = ", ".join(sorted(str(a) for a in apps))
        raise DriftuiError(f"the selected objects belong to several apps ({names}): one at a time")
    return scanner.scanner_for(next(iter(apps), None))


def _desired_at(scanner: Scanner, request: ActionRequest) -> DesiredState:
    """Git at the commit the explorer showed: an action never picks up a newer commit."""
    source = source_of(scanner, request)
    commit = request.source_commit if source is scanner else source.scanned_commit()
    # rendered as the scan renders (the config's Helm values, the cluster's version)
    return source.desired(commit or source.options.ref)


def sync_plan(scanner: Scanner, request: ActionRequest) -> SyncPlan:
    desired = _desired_at(scanner, request)
    source = source_of(scanner, request)
    namespace = source.options.namespace or source.client().namespace
    return plan_sync(
        request.targets, match_manifests(request.targets, desired.manifests, namespace)
    )


def ref_moved(scanner: Scanner, request: ActionRequest) -> str:
    """Says so when the ref has moved since the scan ("" when it has not, or is unknown)."""
    source = source_of(scanner, request)
    shown = request.source_commit if source is scanner else source.scanned_commit()
    opts = source.options
    try:
        now = open_repo(opts.repo, cache_dir=opts.cache_dir).resolve(opts.ref)
    except SourceError:
        return ""
    if not shown or now == shown:
        return ""
    return (
        f"note: {opts.ref} has moved to {now[:12]} since the scan; this acts on the commit"
        f" shown, {shown[:12]}. Cancel and refresh (r) to review {now[:12]} first."
    )


def make_previewers(scanner: Scanner) -> dict[str, Previewer]:
    """The confirmation dialogs' content: a dry-run apply for sync, a side revert for revert."""

    def sync(request: ActionRequest, force: bool = False) -> tuple[str, ...]:
        items = sync_plan(scanner, request).applies
        # the cluster of the objects' own source: an app may deploy to another context
        previews = Syncer(source_of(scanner, request).client()).preview(items, force=force)
        moved = ref_moved(scanner, request)
        lines: list[str] = [moved] if moved else []
        for preview in previews:
            lines.append(f"{preview.item.ref}: {preview.message or 'predicted by a dry-run apply'}")
            marks = {"added": "+ ", "removed": "- ", "context": "  ", "hunk": ""}
            lines += [f"  {marks[d.kind]}{d.text}" for d in preview.lines if d.kind != "context"]
        return tuple(lines)

    def revert(request: ActionRequest) -> tuple[str, ...]:
        assert request.commit is not None
        source = source_of(scanner, request)
        opts = source.options
        preview = preview_revert(opts.repo, request.commit, path=opts.path, load=source.render_at)
        if preview.conflicts:
            return (f"git revert {preview.short} conflicts in: " + ", ".join(preview.conflicts),)
        lines = [f"git revert {preview.short} {preview.subject!r} on the current branch"]
        lines += preview_lines(preview, revert_effects(source, preview))
        if not needs_elsewhere_consent(preview):
            return tuple(lines)
        lines.append(
            f"This revert also changes {len(preview.files_elsewhere)} file(s) elsewhere in the"
            f" repo: type {ELSEWHERE_WORD} to revert them too."
        )
        return PreviewLines.requiring(lines, ELSEWHERE_WORD)

    return {"sync": sync, "force-sync": lambda r: sync(r, force=True), "revert": revert}


def make_executors(
    scanner: Scanner, gate: MutationGate, *, field_manager: str = "driftui"
) -> dict[str, Executor]:
    """Executors for the scan's source and cluster. Offline (a snapshot) there is no sync."""
    opts = scanner.options

    def syncer(request: ActionRequest) -> Syncer:
        """Writes to the cluster (and through the gate) of the objects' own source, with its
        markers: an app may deploy to another context than the scan's."""
        source = source_of(scanner, request)
        tracking = source.config.tracking if source.config else None
        return Syncer(source.client(), field_manager=field_manager, tracking=tracking)

    def sync(request: ActionRequest, force: bool = False) -> ActionOutcome:
        plan = sync_plan(scanner, request)
        return _outcome("Sync", syncer(request).apply(plan.applies, force=force))

    def prune(request: ActionRequest) -> ActionOutcome:
        """Each extra is re-read and deleted only if it is still the one shown."""
        plan = plan_sync(request.targets, {}, prune=True)
        source = source_of(scanner, request)
        namespace = source.options.namespace or source.client().namespace
        desired = _desired_at(scanner, request)
        blocked = prune_blocked(desired)
        if blocked:
            return ActionOutcome(ok=False, summary=f"Prune: nothing deleted: {blocked}")
        return _outcome(
            "Prune", syncer(request).prune(plan.prunes, declared_refs(desired, namespace))
        )

    def revert(request: ActionRequest) -> ActionOutcome:
        assert request.commit is not None  # the registry asks for a commit first
        repo = source_of(scanner, request).options.repo  # the app's own repository
        outcome = apply_revert(repo, request.commit, gate=gate, branch=False)
        return ActionOutcome(ok=not outcome.push_error, summary=outcome.summary())

    executors: dict[str, Executor] = {"revert": revert}
    if not opts.live_snapshot:
        executors |= {"sync": sync, "force-sync": lambda r: sync(r, force=True), "prune": prune}
    return executors


def suspended_apps(scanner: Scanner, store: SuspensionStore | None = None) -> list[str]:
    """Auto-syncs driftui suspended on this scan's cluster, until resumed (the header's reminder)."""
    if scanner.options.live_snapshot:
        return []
    try:
        server = scanner.client().server
    except Exception:  # no kubeconfig yet: nothing of ours can be suspended there
        return []
    return [str(s.owner) for s in (store or SuspensionStore()).for_server(server)]


def resume_suspended(scanner: Scanner, store: SuspensionStore | None = None) -> ActionOutcome:
    """Undo every suspension driftui recorded for this cluster (each through the gate)."""
    store = store or SuspensionStore()
    client = scanner.client()
    lines = [resume(client, record, store) for record in store.for_server(client.server)]
    return ActionOutcome(ok=True, summary=f"Resumed {len(lines)} app(s)", details=tuple(lines))


def make_suspensions(scanner: Scanner) -> Suspensions:
    return Suspensions(
        current=lambda: suspended_apps(scanner), resume=lambda: resume_suspended(scanner)
    )
