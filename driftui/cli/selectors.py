"""kubectl-style object selectors on the command line: ``KIND``, ``KIND/NAME``, ``NS/KIND/NAME``."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from driftui.model import DriftResult


def select(results: Iterable[DriftResult], selectors: Iterable[str]) -> list[DriftResult]:
    """kubectl-style selectors: ``KIND/NAME``, ``KIND``, ``NS/KIND/NAME``; globs allowed."""
    patterns = list(selectors)
    if not patterns:
        return list(results)

    def matches(result: DriftResult, pattern: str) -> bool:
        parts = pattern.split("/")
        ref = result.ref
        kinds = {ref.kind.lower(), ref.group_kind.lower()}
        if len(parts) == 1:
            return any(fnmatch.fnmatch(k, parts[0].lower()) for k in kinds)
        if len(parts) == 2:
            kind, name = parts
            ns = None
        else:
            ns, kind, name = parts[-3:]
        return (
            any(fnmatch.fnmatch(k, kind.lower()) for k in kinds)
            and fnmatch.fnmatch(ref.name, name)
            and (ns is None or fnmatch.fnmatch(ref.namespace, ns))
        )

    return [r for r in results if any(matches(r, p) for p in patterns)]
