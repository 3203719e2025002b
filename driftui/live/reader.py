"""Read live objects with paginated LISTs, concurrently, only where the scan looks.

A namespaced kind is LISTed in each scanned namespace (``/api/v1/namespaces/shop/configmaps``),
never across the cluster to drop the rest: a ``-n shop`` scan costs what ``shop`` holds,
however full the other namespaces are, and a user who may list only in ``shop`` is never
refused. Only cluster-scoped kinds, and a scan over more than :data:`PER_NAMESPACE_MAX`
namespaces, LIST cluster-wide; a 403 there retries per namespace. Whatever stays
forbidden is recorded with the verb and resource so the scan can say exactly what it missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from driftui.live.client import ClusterClient
from driftui.live.discovery import ResourceInfo
from driftui.live.errors import ApiError
from driftui.model import ObjectRef
from driftui.runtime.pacing import paced
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress

GroupKind = tuple[str, str]
CLUSTER = ""  # the namespace of a cluster-wide LIST

# Beyond this many namespaces one cluster-wide LIST per kind is cheaper than a request per
# namespace: Argo CD's and Flux's own repositories seldom span more, `-n` is always one.
PER_NAMESPACE_MAX = 16


@dataclass
class LiveState:
    objects: dict[ObjectRef, dict[str, Any]] = field(default_factory=dict)
    # (group, kind, namespace or "") -> reason, e.g. "forbidden: list deployments.apps in ns"
    forbidden: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # (group, kind, namespace or "") -> error text for failures other than 403 (server died
    # mid-scan, ...): a LIST that failed in one namespace says nothing of another's objects
    failed: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def forbidden_reason(self, ref: ObjectRef) -> str:
        return _where(self.forbidden, ref)

    def failed_reason(self, ref: ObjectRef) -> str:
        return _where(self.failed, ref)


def _where(reasons: dict[tuple[str, str, str], str], ref: ObjectRef) -> str:
    """The reason recorded for ``ref``'s namespace, or for its kind's cluster-wide LIST."""
    return (
        reasons.get((ref.group, ref.kind, ref.namespace))
        or reasons.get((ref.group, ref.kind, ""))
        or ""
    )


@dataclass
class _KindResult:
    items: list[dict[str, Any]] = field(default_factory=list)
    forbidden: dict[str, str] = field(default_factory=dict)  # namespace ("" = cluster) -> reason
    failed: dict[str, str] = field(default_factory=dict)  # namespace ("" = cluster) -> error


def _forbidden_text(info: ResourceInfo, namespace: str) -> str:
    what = f"{info.resource}.{info.group}" if info.group else info.resource
    where = f" in namespace {namespace}" if namespace else " at cluster scope"
    return f"forbidden: list {what}{where}"


def list_namespaces(info: ResourceInfo, namespaces: set[str]) -> list[str]:
    """Where to LIST ``info``: each scanned namespace, or once cluster-wide (:data:`CLUSTER`)."""
    if not info.namespaced or not namespaces or len(namespaces) > PER_NAMESPACE_MAX:
        return [CLUSTER]
    return sorted(namespaces)


def _read_namespace(client: ClusterClient, info: ResourceInfo, namespace: str) -> _KindResult:
    out = _KindResult()
    try:
        out.items = list(client.list_items(info.path(namespace)))
    except ApiError as exc:
        if exc.status != 403:
            out.failed[namespace] = str(exc)
        else:
            out.forbidden[namespace] = _forbidden_text(info, namespace)
    return out


def _read_cluster(client: ClusterClient, info: ResourceInfo, namespaces: set[str]) -> _KindResult:
    """One cluster-wide LIST, keeping the scanned namespaces; per namespace where refused."""
    out = _read_namespace(client, info, CLUSTER)
    if not info.namespaced or not namespaces:
        return out
    if CLUSTER not in out.forbidden:
        out.items = [i for i in paced(out.items) if _namespace_of(i) in namespaces]
        return out
    out = _KindResult()
    for namespace in sorted(namespaces):
        out = _merged(out, _read_namespace(client, info, namespace))
        if out.failed:
            break
    return out


def _namespace_of(item: dict[str, Any]) -> str:
    return str((item.get("metadata") or {}).get("namespace") or "")


def _merged(into: _KindResult, more: _KindResult) -> _KindResult:
    into.items += more.items
    into.forbidden |= more.forbidden
    into.failed |= more.failed
    return into


def _read(
    client: ClusterClient, info: ResourceInfo, namespace: str, namespaces: set[str]
) -> _KindResult:
    if namespace == CLUSTER:
        return _read_cluster(client, info, namespaces)
    return _read_namespace(client, info, namespace)


def _outcome(future: Future[_KindResult], namespace: str) -> _KindResult:
    try:
        return future.result()
    except Exception as exc:  # an unreachable server mid-scan: record, go on
        return _KindResult(failed={namespace: str(exc)})


def _record(state: LiveState, info: ResourceInfo, result: _KindResult) -> None:
    for item in paced(result.items):
        item.setdefault("apiVersion", info.api_version)
        item.setdefault("kind", info.kind)
        state.objects[ObjectRef.of(item)] = item
    for namespace, reason in result.forbidden.items():
        state.forbidden[(info.group, info.kind, namespace)] = reason
    for namespace, text in result.failed.items():
        state.failed[(info.group, info.kind, namespace)] = text


def read_live(
    client: ClusterClient,
    kinds: Iterable[ResourceInfo],
    namespaces: Iterable[str],
    *,
    progress: ProgressFn = no_progress,
    workers: int = 8,
) -> LiveState:
    """LIST every kind where the scan looks: namespaced kinds in ``namespaces`` only.

    No ``namespaces`` at all reads namespaced kinds across the whole cluster.
    """
    wanted = sorted(set(kinds), key=lambda i: (i.group, i.kind))
    spaces = set(namespaces)
    state = LiveState()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures: list[tuple[ResourceInfo, list[tuple[str, Future[_KindResult]]]]] = []
        for info in wanted:
            places = list_namespaces(info, spaces)
            lists = [(ns, pool.submit(_read, client, info, ns, spaces)) for ns in places]
            futures.append((info, lists))
        for done, (info, lists) in enumerate(futures, start=1):
            for namespace, future in lists:
                _record(state, info, _outcome(future, namespace))
            progress(ProgressEvent("kinds listed", done, len(wanted)))
    return state
