"""What the user may do, as the API server itself answers: SelfSubjectAccessReview.

The explorer disables an action whose verb RBAC denies, and says why; the gate asks this
probe before any write. Answers are cached per (verb, group, resource, namespace) for the
life of the client: a dozen reviews cover a scan of thousands of objects. A review that
could not be sent is not cached, so a passing fault does not disable actions for good.
"""

from __future__ import annotations

import threading

from driftui.gate import ProbeFailed
from driftui.live.client import ClusterClient
from driftui.live.errors import ClusterError


class AccessReview:
    """A :data:`~driftui.gate.PermissionProbe` backed by one cluster's RBAC."""

    def __init__(self, client: ClusterClient) -> None:
        self._client = client
        self._answers: dict[tuple[str, str, str, str], bool] = {}
        self._lock = threading.Lock()

    def __call__(self, verb: str, group: str, resource: str, namespace: str) -> bool:
        key = (verb, group, resource, namespace)
        with self._lock:
            known = self._answers.get(key)
        if known is not None:
            return known
        try:
            allowed = self._client.can_i(verb, group, resource, namespace)
        except ClusterError as exc:
            raise ProbeFailed(str(exc)) from None
        with self._lock:
            self._answers[key] = allowed
        return allowed
