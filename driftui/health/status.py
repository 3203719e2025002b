"""The health states, one verdict, and how verdicts roll up a tree.

Health is a second axis beside drift (in sync, drifted, ...), never mixed into it: an object
can match Git exactly and still crash, or run fine while drifted. The states and their order
are Argo CD's (gitops-engine ``pkg/health``), so a user reads them the way they already do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import TypeVar

from driftui.model import Health as Health
from driftui.model import HealthStatus as HealthStatus

ORDER: tuple[HealthStatus, ...] = tuple(HealthStatus)
"""From healthiest to worst, as Argo CD orders them: Unknown is the worst of all."""

_RANK = {status: rank for rank, status in enumerate(ORDER)}


def rank(status: HealthStatus) -> int:
    """Higher is worse."""
    return _RANK[status]


def worst(statuses: Iterable[HealthStatus]) -> HealthStatus:
    """The worst of ``statuses``; Healthy when there are none, as an empty Argo CD app is."""
    return max(statuses, key=rank, default=HealthStatus.HEALTHY)


def rollup(children: Iterable[Health]) -> Health:
    """A namespace's, app's or kind's health: the worst child wins.

    The message counts how many children share the worst state and repeats the first one's
    message, so a folded tree row still says what is wrong.
    """
    items = list(children)
    if not items:
        return Health(HealthStatus.HEALTHY, "no objects")
    status = worst(h.status for h in items)
    same = [h for h in items if h.status is status]
    if status is HealthStatus.HEALTHY:
        return Health(status, f"{len(items)} healthy")
    first = next((h.message for h in same if h.message), "")
    message = f"{len(same)} of {len(items)} {status}" + (f": {first}" if first else "")
    return Health(status, message)


Key = TypeVar("Key", bound=Hashable)


def rollup_by(children: Iterable[tuple[Key, Health]]) -> dict[Key, Health]:
    """One rollup per key: by namespace, by app, or by kind, as the tree folds."""
    groups: dict[Key, list[Health]] = {}
    for key, health in children:
        groups.setdefault(key, []).append(health)
    return {key: rollup(healths) for key, healths in groups.items()}


def counts(healths: Iterable[Health]) -> dict[str, int]:
    """How many of each state, every state present (zeros too), in Argo CD's order."""
    seen = Counter(h.status for h in healths)
    return {str(status): seen.get(status, 0) for status in ORDER}
