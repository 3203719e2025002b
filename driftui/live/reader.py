"""Read live objects with one paginated LIST per resource, concurrently.

A 403 on a cluster-wide LIST retries per namespace, and whatever stays forbidden is
recorded with the verb and resource so the scan can go on and say exactly what it missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from driftui.live.client import ApiError, ClusterClient
from driftui.live.discovery import ResourceInfo
from driftui.model import ObjectRef
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress

GroupKind = tuple[str, str]


@dataclass
class LiveState:
    objects: dict[ObjectRef, dict[str, Any]] = field(default_factory=dict)
    # (group, kind, namespace or "") -> reason, e.g. "forbidden: list deployments.apps in ns"
    forbidden: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # (group, kind) -> error text for failures other than 403 (server died mid-scan, ...)
    failed: dict[GroupKind, str] = field(default_factory=dict)

    def forbidden_reason(self, ref: ObjectRef) -> str:
        return (
            self.forbidden.get((ref.group, ref.kind, ref.namespace))
            or self.forbidden.get((ref.group, ref.kind, ""))
            or ""
        )


@dataclass
class _KindResult:
    items: list[dict[str, Any]] = field(default_factory=list)
    forbidden: dict[str, str] = field(default_factory=dict)  # namespace ("" = cluster) -> reason
    failed: str = ""


def _forbidden_text(info: ResourceInfo, namespace: str) -> str:
    what = f"{info.resource}.{info.group}" if info.group else info.resource
    where = f" in namespace {namespace}" if namespace else " at cluster scope"
    return f"forbidden: list {what}{where}"


def _read_kind(client: ClusterClient, info: ResourceInfo, namespaces: set[str]) -> _KindResult:
    out = _KindResult()
    try:
        out.items = list(client.list_items(info.path()))
        return out
    except ApiError as exc:
        if exc.status != 403:
            out.failed = str(exc)
            return out
        if not info.namespaced:
            out.forbidden[""] = _forbidden_text(info, "")
            return out
    for namespace in sorted(namespaces):
        try:
            out.items += client.list_items(info.path(namespace))
        except ApiError as exc:
            if exc.status != 403:
                out.failed = str(exc)
                return out
            out.forbidden[namespace] = _forbidden_text(info, namespace)
    return out


def read_live(
    client: ClusterClient,
    kinds: Iterable[ResourceInfo],
    namespaces: Iterable[str],
    *,
    progress: ProgressFn = no_progress,
    workers: int = 8,
) -> LiveState:
    """LIST every kind; ``namespaces`` are tried one by one where cluster-wide is forbidden."""
    wanted = sorted(set(kinds), key=lambda i: (i.group, i.kind))
    spaces = set(namespaces)
    state = LiveState()
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(_read_kind, client, info, spaces): info for info in wanted}
        for future, info in futures.items():
            try:
                result = future.result()
            except Exception as exc:  # an unreachable server mid-scan: record, go on
                result = _KindResult(failed=str(exc))
            for item in result.items:
                item.setdefault("apiVersion", info.api_version)
                item.setdefault("kind", info.kind)
                state.objects[ObjectRef.of(item)] = item
            for namespace, reason in result.forbidden.items():
                state.forbidden[(info.group, info.kind, namespace)] = reason
            if result.failed:
                state.failed[(info.group, info.kind)] = result.failed
            done += 1
            progress(ProgressEvent("kinds listed", done, len(wanted)))
    return state
