"""How a mutating action runs from the explorer: check, preview, confirm, execute, report.

Every step that may be slow (a dry-run preview, the action itself, resuming auto-syncs)
runs in a worker thread; the checks and the execution go through
:mod:`driftui.actions.registry`, which asks the one :class:`MutationGate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from textual.app import App

from driftui.actions.registry import (
    ActionOutcome,
    ActionRequest,
    Executor,
    Previewer,
    ResourceOf,
    Suspensions,
    execute,
    planned_changes,
    unavailable_reason,
)
from driftui.gate import MutationGate, MutationRefused
from driftui.tui.scope import cluster_of
from driftui.tui.screens.confirm import ConfirmActionScreen


@dataclass(frozen=True)
class ClusterParts:
    """What acts on one cluster of a multi-cluster explorer: its gate (read-only, and that
    cluster's own RBAC), its executors and previewers, and its discovery's resource names."""

    gate: MutationGate
    executors: Mapping[str, Executor] = field(default_factory=dict)
    previewers: Mapping[str, Previewer] = field(default_factory=dict)
    resource_of: ResourceOf | None = None


Placer = Callable[[ActionRequest], tuple[str, "ClusterParts | None"]]
"""Where a request acts: (the cluster its confirmation names, "" for the explorer's own, or
why it cannot act; that cluster's parts, None when it cannot). An app tree's objects act on
their app's own destination cluster, which their tree does not show."""


class ActionFlow:
    """Runs actions for ``app``; ``after_success`` (a rescan) follows every action that
    worked. ``cursor_blink``: the confirmation's input blinks like the app's (tests stop it)."""

    def __init__(
        self,
        app: App[None],
        *,
        gate: MutationGate,
        executors: Mapping[str, Executor],
        previewers: Mapping[str, Previewer],
        resource_of: ResourceOf,
        suspensions: Suspensions | None,
        after_success: Callable[[], None],
        cursor_blink: bool,
        clusters: Mapping[str, ClusterParts] | Placer | None = None,
    ) -> None:
        self.app = app
        self.gate = gate
        self.executors = dict(executors)
        self.previewers = dict(previewers)
        self.resource_of = resource_of
        self.suspensions = suspensions
        self.after_success = after_success
        self.cursor_blink = cursor_blink
        own = ClusterParts(gate, self.executors, self.previewers, resource_of)
        self.place: Placer = (
            clusters if callable(clusters) else partial(by_cluster, dict(clusters or {}), own)
        )

    def start(self, request: ActionRequest) -> None:
        """Refuse with a reason, or preview (if the action has a previewer) and confirm.
        In a multi-cluster explorer an action acts on exactly one cluster."""
        spec = request.action
        cluster, parts = self.place(request)
        if parts is None:
            reason = f"{spec.title} acts on exactly one cluster: {cluster}"
        else:
            reason = unavailable_reason(request, parts.gate, parts.resource_of or self.resource_of)
        if reason or parts is None:
            self.app.notify(reason, title=f"{spec.title} unavailable", severity="warning")
            return
        previewer = parts.previewers.get(spec.id)
        if previewer is None:
            self._confirm(request, None, cluster, parts)
        else:
            self.app.notify(f"Working out what {spec.title.lower()} would change…", timeout=3)
            self._in_thread(partial(self._preview, request, previewer, cluster, parts))

    def resume(self) -> None:
        """Resume the auto-syncs driftui suspended."""
        if self.suspensions is not None:
            self._in_thread(partial(self._resume, self.suspensions))

    def _in_thread(self, job: Callable[[], None]) -> None:
        self.app.run_worker(job, group="actions", exit_on_error=False, thread=True)

    def _preview(
        self, request: ActionRequest, previewer: Previewer, cluster: str, parts: ClusterParts
    ) -> None:
        """A dry-run or a side revert can take a while: never on the UI thread."""
        try:
            changes: tuple[str, ...] | None = previewer(request)
        except Exception as error:
            changes = (f"preview failed: {error}", *planned_changes(request))
        self.app.call_from_thread(self._confirm, request, changes, cluster, parts)

    def _confirm(
        self,
        request: ActionRequest,
        changes: tuple[str, ...] | None,
        cluster: str,
        parts: ClusterParts,
    ) -> None:
        def confirmed(ok: bool | None) -> None:
            if ok:
                self._run_confirmed(request, parts)

        screen = ConfirmActionScreen(
            request, cursor_blink=self.cursor_blink, changes=changes, cluster=cluster
        )
        self.app.push_screen(screen, confirmed)

    def _run_confirmed(self, request: ActionRequest, parts: ClusterParts) -> None:
        executor = parts.executors.get(request.action.id)
        if executor is None:
            self.app.notify(
                f"{request.action.title} is not available in this build yet.",
                title=f"{request.action.title} unavailable",
                severity="warning",
            )
            return
        self._in_thread(partial(self._execute, request, executor, parts))

    def _execute(self, request: ActionRequest, executor: Executor, parts: ClusterParts) -> None:
        resource_of = parts.resource_of or self.resource_of
        work = partial(execute, request, parts.gate, executor, resource_of)
        self._report(work, request.action.title)

    def _resume(self, suspensions: Suspensions) -> None:
        self._report(suspensions.resume, "Resume")

    def _report(self, work: Callable[[], ActionOutcome], what: str) -> None:
        """Run ``work`` (off the UI thread) and show its outcome; a refusal or a failure is
        an outcome too, never an exception that kills the worker."""
        try:
            outcome = work()
        except MutationRefused as refused:
            outcome = ActionOutcome(ok=False, summary=str(refused))
        except Exception as error:
            outcome = ActionOutcome(ok=False, summary=f"{what} failed: {error}")
        self.app.call_from_thread(self._done, outcome)

    def _done(self, outcome: ActionOutcome) -> None:
        message = "\n".join((outcome.summary, *outcome.details))
        self.app.notify(message, severity="information" if outcome.ok else "error", timeout=8)
        if outcome.ok:
            self.after_success()


def by_cluster(
    clusters: Mapping[str, ClusterParts], own: ClusterParts, request: ActionRequest
) -> tuple[str, ClusterParts | None]:
    """The cluster tree's :data:`Placer`: the cluster the objects were read from. Parts
    None, with the reason in place of the name, when the targets span several clusters or
    an unknown one; ``own`` in a one-cluster explorer."""
    if not clusters:
        return "", own
    named = sorted({cluster_of(t) for t in request.targets})
    if len(named) > 1:
        return f"select objects of one cluster, not of {', '.join(named)}", None
    if not named:
        return "", own  # nothing selected: the registry says so
    parts = clusters.get(named[0])
    return (named[0], parts) if parts is not None else (f"{named[0]} cannot act", None)
