"""The implementations behind the explorer's actions (see :mod:`driftui.actions.registry`).

Each executor is plain core code: the same sync, prune and revert the command line runs,
with the same gate underneath. The explorer only decides when to call them.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftui.actions.gate import MutationGate
from driftui.actions.registry import ActionOutcome, ActionRequest, Executor
from driftui.actions.revert import apply_revert
from driftui.actions.sync import ItemResult, Syncer, match_manifests, plan_sync
from driftui.engine import Scanner
from driftui.source.load import load_desired


def _outcome(title: str, results: Sequence[ItemResult]) -> ActionOutcome:
    failed = [r for r in results if not r.ok]
    summary = f"{title}: {len(results) - len(failed)} of {len(results)} done"
    return ActionOutcome(ok=not failed, summary=summary, details=tuple(str(r) for r in results))


def make_executors(
    scanner: Scanner, gate: MutationGate, *, field_manager: str = "driftui"
) -> dict[str, Executor]:
    """Executors for the scan's source and cluster. Offline (a snapshot) there is no sync."""
    opts = scanner.options

    def syncer() -> Syncer:
        return Syncer(scanner.client(), field_manager=field_manager)

    def sync(request: ActionRequest) -> ActionOutcome:
        desired = load_desired(opts.repo, opts.ref, opts.path, fetch=False)
        namespace = opts.namespace or scanner.client().namespace
        manifests = match_manifests(request.targets, desired.manifests, namespace)
        plan = plan_sync(request.targets, manifests)
        return _outcome("Sync", syncer().apply(plan.applies))

    def prune(request: ActionRequest) -> ActionOutcome:
        plan = plan_sync(request.targets, {}, prune=True)
        return _outcome("Prune", syncer().prune(plan.prunes))

    def revert(request: ActionRequest) -> ActionOutcome:
        assert request.commit is not None  # the registry asks for a commit first
        outcome = apply_revert(opts.repo, request.commit, gate=gate, branch=False)
        return ActionOutcome(ok=not outcome.push_error, summary=outcome.summary())

    executors: dict[str, Executor] = {"revert": revert}
    if not opts.live_snapshot:
        executors |= {"sync": sync, "prune": prune}
    return executors
