"""kubectl-style object selectors on the command line: ``KIND``, ``KIND/NAME``, ``NS/KIND/NAME``.

A kind is spelled as kubectl users spell it, and as completion offers it: the kind
(``Deployment``), the resource (``deployments``), either with its group (``deployments.apps``),
in any case.
"""

from __future__ import annotations

import argparse
import fnmatch
from collections.abc import Iterable

from driftui.live.discovery import guess_resource
from driftui.model import DriftResult, HealthStatus, ObjectRef


def kind_names(ref: ObjectRef) -> set[str]:
    """Every spelling of ``ref``'s kind a selector may use, lower case. The resource is the
    English plural (a CRD with an irregular plural is reached by its kind)."""
    resource = guess_resource(ref.group, ref.kind)
    names = {ref.kind.lower(), resource}
    return names | {f"{name}.{ref.group}" for name in names if ref.group}


def select(results: Iterable[DriftResult], selectors: Iterable[str]) -> list[DriftResult]:
    """kubectl-style selectors: ``KIND/NAME``, ``KIND``, ``NS/KIND/NAME``; globs allowed."""
    patterns = list(selectors)
    if not patterns:
        return list(results)

    def matches(result: DriftResult, pattern: str) -> bool:
        parts = pattern.split("/")
        ref = result.ref
        kinds = kind_names(ref)
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


def health_states(text: str) -> frozenset[HealthStatus]:
    """``--health Degraded,Progressing``: states by name, any case (argparse's ``type``)."""
    names = {s.value.lower(): s for s in HealthStatus}
    chosen = set()
    for part in text.split(","):
        state = names.get(part.strip().lower())
        if state is None:
            known = ", ".join(s.value for s in HealthStatus)
            raise argparse.ArgumentTypeError(f"unknown health state {part.strip()!r} ({known})")
        chosen.add(state)
    return frozenset(chosen)


def by_health(
    results: Iterable[DriftResult], states: Iterable[frozenset[HealthStatus]] | None
) -> list[DriftResult]:
    """Only results whose health is one of ``states`` (each ``--health`` adds more)."""
    if not states:
        return list(results)
    wanted = frozenset().union(*states)
    return [r for r in results if r.health is not None and r.health.status in wanted]


def add_health_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--health",
        action="append",
        type=health_states,
        metavar="STATE[,STATE]",
        help="only objects in these health states: " + ", ".join(s.value for s in HealthStatus),
    )
