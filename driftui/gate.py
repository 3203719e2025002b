"""The one gate every mutation passes through.

k9s leaked read-only mode twice because each view checked it on its own; here the
cluster client and the Git layer call :meth:`MutationGate.check` themselves, so a UI
that forgets to hide a button still cannot write anything.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from driftui.errors import DriftuiError


class MutationRefused(DriftuiError, PermissionError):
    """Raised instead of sending a mutating request. The message says why."""


class ProbeFailed(DriftuiError):
    """The permission could not be checked (the server did not answer); never cached."""


PermissionProbe = Callable[[str, str, str, str], bool]
"""(verb, group, resource, namespace) -> allowed; backed by SelfSubjectAccessReview.
May raise :class:`ProbeFailed`."""


def read_only_from_env() -> bool:
    return os.environ.get("DRIFTUI_READ_ONLY", "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class MutationGate:
    read_only: bool = False
    probe: PermissionProbe | None = None
    refused: list[str] = field(default_factory=list)  # what was refused, for tests and the UI

    def why_not(self, verb: str, group: str = "", resource: str = "", namespace: str = "") -> str:
        """Empty when allowed, else a short human reason ("read-only mode", "no patch permission")."""
        if self.read_only:
            return "read-only mode"
        if self.probe is None or not resource:
            return ""
        try:
            allowed = self.probe(verb, group, resource, namespace)
        except ProbeFailed as exc:
            return f"cannot check {verb} permission: {exc}"
        if allowed:
            return ""
        where = f" in {namespace}" if namespace else ""
        return f"no {verb} permission on {resource}{'.' + group if group else ''}{where}"

    def check(self, verb: str, group: str = "", resource: str = "", namespace: str = "") -> None:
        reason = self.why_not(verb, group, resource, namespace)
        if reason:
            target = ".".join(p for p in (resource, group) if p) or "repository"
            self.refused.append(f"{verb} {target}: {reason}")
            raise MutationRefused(f"refused to {verb} {target}: {reason}")


READ_ONLY = MutationGate(read_only=True)
