"""Every action that changes the cluster or the repository, declared once.

The explorer's key bindings, its command palette, its help screen and its confirmation
dialog all read these declarations, and all ask :func:`unavailable_reason` whether an
action may run. That one function consults the :class:`MutationGate`, so read-only mode
and missing RBAC verbs are decided in a single place (k9s leaked read-only mode because
each view decided on its own). The implementations (server-side apply, git revert,
delete) are injected as :data:`Executor` callables by the layers that own them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from driftui.gate import MutationGate
from driftui.live.discovery import guess_resource
from driftui.model import Difference, DiffType, DriftResult, Status

Target = Literal["cluster", "repository"]


@dataclass(frozen=True)
class ActionSpec:
    """What an action is called, which key runs it, and what it needs to be allowed."""

    id: str
    title: str
    key: str
    description: str
    dangerous: bool  # irreversible or overwrites someone's work: confirm with a warning
    verb: str  # the verb checked at the gate ("patch", "delete", "revert")
    target: Target
    applies_to: frozenset[Status]
    needs_commit: bool = False  # revert works on a commit picked in the History tab
    typed_confirmation: bool = False  # the user types the object's name (or the action id)


SYNC = ActionSpec(
    id="sync",
    title="Sync",
    key="s",
    description="Apply the Git version of the selected object to the cluster",
    dangerous=True,
    verb="patch",
    target="cluster",
    applies_to=frozenset({Status.DRIFTED, Status.MISSING}),
)
FORCE_SYNC = ActionSpec(
    id="force-sync",
    title="Force sync",
    key="S",
    description="Apply Git and take over fields that other managers own (server-side apply force)",
    dangerous=True,
    verb="patch",
    target="cluster",
    applies_to=frozenset({Status.DRIFTED}),
)
REVERT = ActionSpec(
    id="revert",
    title="Revert commit",
    key="t",
    description="git revert the selected commit so the GitOps operator rolls back",
    dangerous=False,
    verb="revert",
    target="repository",
    applies_to=frozenset(Status),
    needs_commit=True,
)
PRUNE = ActionSpec(
    id="prune",
    title="Prune",
    key="p",
    description="Delete the selected extra object from the cluster",
    dangerous=True,
    verb="delete",
    target="cluster",
    applies_to=frozenset({Status.EXTRA}),
    typed_confirmation=True,
)

ACTIONS: tuple[ActionSpec, ...] = (SYNC, FORCE_SYNC, REVERT, PRUNE)


def action_by_id(action_id: str) -> ActionSpec:
    for spec in ACTIONS:
        if spec.id == action_id:
            return spec
    raise KeyError(action_id)


@dataclass(frozen=True)
class ActionRequest:
    """One intended run of an action: which objects, and for a revert which commit."""

    action: ActionSpec
    targets: tuple[DriftResult, ...]
    commit: str | None = None
    # the commit the shown results were scanned at: a sync applies exactly that commit
    source_commit: str | None = None


@dataclass(frozen=True)
class ActionOutcome:
    """What an executor reports back; ``details`` holds one line per object."""

    ok: bool
    summary: str
    details: tuple[str, ...] = field(default_factory=tuple)


class PreviewLines(tuple[str, ...]):
    """A previewer's lines, plus a word the user must type when the preview found
    something that needs more than a button press (a revert reaching other apps' files)."""

    confirm_word: str | None = None

    @classmethod
    def requiring(cls, lines: Sequence[str], word: str | None) -> PreviewLines:
        made = cls(lines)
        made.confirm_word = word
        return made


Executor = Callable[[ActionRequest], ActionOutcome]
Previewer = Callable[[ActionRequest], tuple[str, ...]]


@dataclass(frozen=True)
class Suspensions:
    """Auto-syncs driftui suspended (shown as a reminder) and the way to undo them."""

    current: Callable[[], list[str]]
    resume: Callable[[], ActionOutcome]


"""Exactly what an action would change, worked out by the layer that owns it (a dry-run
server-side apply, a revert computed off to the side). May be slow: run it off the UI."""
ResourceOf = Callable[[str, str], str]
"""(group, kind) -> plural resource name, as RBAC spells it. Discovery gives the real one
(:meth:`driftui.engine.Scanner.resource_name`); a CRD may spell its plural any way."""


def required_verb(spec: ActionSpec, result: DriftResult) -> str:
    """A sync creates what is missing and patches what exists."""
    if spec is SYNC and result.status is Status.MISSING:
        return "create"
    return spec.verb


_NOT_APPLICABLE = {
    Status.IN_SYNC: "object is in sync",
    Status.DRIFTED: "object exists in Git",
    Status.MISSING: "object is not in the cluster",
    Status.EXTRA: "object is not in Git",
    Status.ERROR: "object could not be compared",
}


def unavailable_reason(
    request: ActionRequest, gate: MutationGate, resource_of: ResourceOf = guess_resource
) -> str:
    """Empty when the action may run, else a short reason the UI shows instead of acting.

    The gate is asked first, so read-only mode always reads "read-only mode".
    """
    spec = request.action
    if spec.target == "repository":
        reason = gate.why_not(spec.verb)
        if reason:
            return reason
    for result in request.targets:
        if spec.target != "cluster":
            break
        ref = result.ref
        reason = gate.why_not(
            required_verb(spec, result), ref.group, resource_of(ref.group, ref.kind), ref.namespace
        )
        if reason:
            return reason
    if spec.needs_commit and request.commit is None:
        return "pick a commit in the History tab"
    if not request.targets:
        return "nothing selected"
    for result in request.targets:
        if result.status not in spec.applies_to:
            return f"{result.ref.kind} {result.ref.name}: {_NOT_APPLICABLE[result.status]}"
        if spec is PRUNE and result.prune_refused:  # the operator itself never would
            return f"{result.ref.kind} {result.ref.name}: never pruned: {result.prune_refused}"
    return ""


def _short(value: object, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_difference(diff: Difference) -> str:
    if diff.type is DiffType.ADDED_OUTSIDE_GIT:
        # server-side apply removes only what its own manager set: a hand-added field stays
        by = f"{diff.manager} owns it" if diff.manager else "another manager owns it"
        return f"keep {diff.dotted} ({by}; a sync does not remove it)"
    if diff.type is DiffType.MISSING_IN_LIVE:
        return f"set {diff.dotted} = {_short(diff.git)}"
    if diff.type is DiffType.REMOVED_FROM_GIT:
        return f"remove {diff.dotted} (no longer in Git)"
    return f"{diff.dotted}: {_short(diff.live)} → {_short(diff.git)}"


def planned_changes(request: ActionRequest) -> tuple[str, ...]:
    """Exactly what the action will change, one line each, for the confirmation dialog."""
    spec = request.action
    lines: list[str] = []
    if spec.needs_commit:
        lines.append(f"git revert {request.commit or '?'} on the current branch")
    for result in request.targets:
        ref = result.ref
        where = f"{ref.namespace}/" if ref.namespace else ""
        name = f"{ref.group_kind} {where}{ref.name}"
        if spec is PRUNE:
            lines.append(f"delete {name}")
        elif spec in (SYNC, FORCE_SYNC) and result.status is Status.MISSING:
            lines.append(f"create {name}")
        elif spec in (SYNC, FORCE_SYNC):
            lines.append(f"patch {name}:")
            lines.extend(f"  {_describe_difference(d)}" for d in result.differences)
        else:
            lines.append(f"{name} returns to its state before {request.commit or '?'}")
    return tuple(lines)


def confirmation_word(request: ActionRequest, preview: Sequence[str] | None = None) -> str | None:
    """What the user must type before a typed-confirmation action runs (Argo CD's habit),
    or before an action whose preview asks for it."""
    asked = getattr(preview, "confirm_word", None)
    if isinstance(asked, str):
        return asked
    if not request.action.typed_confirmation:
        return None
    if len(request.targets) == 1:
        return request.targets[0].ref.name
    return request.action.id


def execute(
    request: ActionRequest,
    gate: MutationGate,
    executor: Executor,
    resource_of: ResourceOf = guess_resource,
) -> ActionOutcome:
    """Run ``executor`` only if the gate allows every target; refusals are recorded on the gate.

    The executors' own clients check the gate again; this check makes sure a refused
    action never even reaches them.
    """
    spec = request.action
    if spec.target == "repository":
        gate.check(spec.verb)
    else:
        for result in request.targets:
            ref = result.ref
            gate.check(
                required_verb(spec, result),
                ref.group,
                resource_of(ref.group, ref.kind),
                ref.namespace,
            )
    reason = unavailable_reason(request, gate, resource_of)
    if reason:
        return ActionOutcome(ok=False, summary=f"{spec.title}: {reason}")
    return executor(request)


def request_for(
    spec: ActionSpec, targets: Sequence[DriftResult], commit: str | None = None
) -> ActionRequest:
    return ActionRequest(action=spec, targets=tuple(targets), commit=commit)
