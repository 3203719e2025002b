"""What happened to each object of a sync, said as it happens.

A sync that stops half-way (a dead server, Ctrl-C) must still give a true account: each
outcome is reported the moment it is known, and a run of server failures ends the rest as
"skipped: server unavailable" instead of waiting out every request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from driftui.actions.sync_plan import SyncItem
from driftui.compare.masking import scrub
from driftui.compare.textdiff import DiffLine
from driftui.gate import MutationRefused
from driftui.live.errors import ApiError, ServerUnavailable
from driftui.model import ObjectRef

Outcome = Literal[
    "created",
    "configured",
    "unchanged",
    "pruned",
    "conflict",
    "failed",
    "refused",
    "skipped",
    "interrupted",
]
OK_OUTCOMES = frozenset({"created", "configured", "unchanged", "pruned"})


@dataclass(frozen=True)
class FieldConflict:
    """A field another manager owns, as the server's 409 names it."""

    field: str  # ".spec.replicas", in the server's own notation
    manager: str

    def __str__(self) -> str:
        return f"{self.field} (owned by {self.manager})"


@dataclass(frozen=True)
class ItemResult:
    ref: ObjectRef
    outcome: Outcome
    message: str = ""
    conflicts: tuple[FieldConflict, ...] = ()
    preview: tuple[DiffLine, ...] = ()  # previewed again: what applying now would change
    server_unavailable: bool = False  # failed because the server was not serving at all

    @property
    def ok(self) -> bool:
        return self.outcome in OK_OUTCOMES

    def __str__(self) -> str:
        text = f"{self.ref}: {self.outcome}"
        if self.message:
            text += f": {self.message}"
        for conflict in self.conflicts:
            text += f"\n    conflict: {conflict}"
        return text


# -- server messages ---------------------------------------------------------------------

_MANAGER = re.compile(r'conflict with "([^"]+)"')


def parse_conflicts(error: ApiError) -> tuple[FieldConflict, ...]:
    """Field/manager pairs from a 409's ``details.causes`` (reason FieldManagerConflict)."""
    details = (error.body or {}).get("details") or {}
    out = []
    for cause in details.get("causes") or []:
        if not isinstance(cause, dict) or cause.get("reason") != "FieldManagerConflict":
            continue
        found = _MANAGER.search(str(cause.get("message", "")))
        out.append(FieldConflict(str(cause.get("field", "")), found.group(1) if found else "?"))
    return tuple(out)


def failure(item: SyncItem, error: Exception) -> ItemResult:
    """The per-object result of a failed request, with the object's Secret values scrubbed."""
    result = failure_of(item.ref, error)
    return replace(result, message=scrub(result.message, item.body))


def failure_of(ref: ObjectRef, error: Exception) -> ItemResult:
    if isinstance(error, MutationRefused):
        return ItemResult(ref, "refused", str(error))
    if isinstance(error, ServerUnavailable):  # unreachable, timed out, 429/5xx after retries
        return ItemResult(ref, "failed", str(error), server_unavailable=True)
    if isinstance(error, ApiError):
        conflicts = parse_conflicts(error) if error.status == 409 else ()
        if conflicts:
            managers = ", ".join(sorted({c.manager for c in conflicts}))
            return ItemResult(
                ref, "conflict", f"fields owned by {managers} (use --force-conflicts)", conflicts
            )
        return ItemResult(ref, "failed", error.message or str(error))
    return ItemResult(ref, "failed", str(error))


def ignore_outcome(_result: ItemResult) -> None:
    """The default ``report``: outcomes are only returned."""


SERVER_UNAVAILABLE = "server unavailable"
CHANGED_SINCE = "the object changed since the preview"
IN_FLIGHT = "interrupted while applying: state unknown (the server may have written it)"
_UNAVAILABLE_IN_A_ROW = 3


class OutcomeLog:
    """Outcomes as they happen, and whether the server has stopped answering."""

    def __init__(self, report: Callable[[ItemResult], None]) -> None:
        self.results: list[ItemResult] = []
        self._report = report
        self._unavailable = 0

    @property
    def server_gone(self) -> bool:
        return self._unavailable >= _UNAVAILABLE_IN_A_ROW

    def add(self, result: ItemResult) -> None:
        self._unavailable = self._unavailable + 1 if result.server_unavailable else 0
        self.results.append(result)
        self._report(result)

    def skip(self, items: Sequence[SyncItem], why: str) -> None:
        for item in items:
            self.add(ItemResult(item.ref, "skipped", why))


def changed_since_scan(item: SyncItem, live: dict[str, Any] | None) -> str:
    """How the live object differs from the one the scan saw ("" when it is the same)."""
    if live is None:
        return "it was deleted since the preview" if item.exists else ""
    if not item.exists:
        return "it was created by someone else since the preview"
    meta = live.get("metadata") or {}
    uid, version = str(meta.get("uid", "")), str(meta.get("resourceVersion", ""))
    if item.uid and uid != item.uid:
        return f"it was replaced since the preview (uid {item.uid} -> {uid})"
    if version != item.resource_version:
        return f"{CHANGED_SINCE} (resourceVersion {item.resource_version} -> {version})"
    return ""
