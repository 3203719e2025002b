"""API discovery: which resource serves a group/kind, and is it namespaced?

Aggregated discovery (apidiscovery.k8s.io/v2) answers for every group in two requests;
older servers fall back to the per-group documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError
from driftui.live.patience import THROTTLE_ONLY

AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"
)


def guess_resource(group: str, kind: str) -> str:
    """The English plural of a kind: what the API server uses for nearly every built-in
    kind. Only a fallback where discovery has no answer: a CRD names its own plural."""
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower if lower.endswith("endpoints") else lower + "es"
    return lower + "s"


@dataclass(frozen=True)
class ResourceInfo:
    group: str
    version: str  # the server's preferred version
    kind: str
    resource: str  # plural
    namespaced: bool
    verbs: frozenset[str]

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str = "", name: str = "") -> str:
        return object_path(
            self.group, self.version, self.resource, namespace if self.namespaced else "", name
        )


class Discovery:
    """Group/kind -> resource, for the preferred version of each group."""

    def __init__(self, resources: list[ResourceInfo]) -> None:
        self._by_kind: dict[tuple[str, str], ResourceInfo] = {}
        served: set[str] = set()
        for info in resources:  # first wins: resources arrive in preference order
            self._by_kind.setdefault((info.group, info.kind), info)
            served |= {info.api_version, f"{info.api_version}/{info.kind}"}
        # Every version served, not only the preferred one: what Helm's
        # .Capabilities.APIVersions.Has asks about (Argo CD passes the same list).
        self.api_versions: tuple[str, ...] = tuple(sorted(served))

    def resolve(self, group: str, kind: str) -> ResourceInfo | None:
        return self._by_kind.get((group, kind))

    def is_namespaced(self, group: str, kind: str) -> bool | None:
        info = self.resolve(group, kind)
        return None if info is None else info.namespaced

    def __len__(self) -> int:
        return len(self._by_kind)

    def infos(self) -> list[ResourceInfo]:
        """Every kind served, at its preferred version (shell completion lists them)."""
        return list(self._by_kind.values())


def _from_aggregated(doc: dict[str, Any]) -> list[ResourceInfo]:
    out: list[ResourceInfo] = []
    for group in doc.get("items") or []:
        name = (group.get("metadata") or {}).get("name") or ""
        for version in group.get("versions") or []:  # ordered by preference
            for res in version.get("resources") or []:
                kind = (res.get("responseKind") or {}).get("kind")
                if not kind or "/" in res.get("resource", "/"):
                    continue
                out.append(
                    ResourceInfo(
                        group=name,
                        version=version["version"],
                        kind=kind,
                        resource=res["resource"],
                        namespaced=res.get("scope") == "Namespaced",
                        verbs=frozenset(res.get("verbs") or ()),
                    )
                )
    return out


def _from_legacy_list(doc: dict[str, Any], group: str, version: str) -> list[ResourceInfo]:
    return [
        ResourceInfo(
            group, version, r["kind"], r["name"], bool(r.get("namespaced")), frozenset(r["verbs"])
        )
        for r in doc.get("resources") or []
        if "/" not in r["name"]
    ]


def _legacy(client: ClusterClient) -> list[ResourceInfo]:
    out: list[ResourceInfo] = []
    core = client.get("/api")
    for version in core.get("versions") or ["v1"]:
        out += _from_legacy_list(client.get(f"/api/{version}"), "", version)
    for group in client.get("/apis").get("groups") or []:
        preferred = group["preferredVersion"]["version"]
        ordered = [preferred] + [
            v["version"] for v in group["versions"] if v["version"] != preferred
        ]
        for version in ordered:
            try:
                doc = client.get(f"/apis/{group['name']}/{version}", policy=THROTTLE_ONLY)
                out += _from_legacy_list(doc, group["name"], version)
            except ApiError:  # an unavailable aggregated API must not sink the scan
                continue
    return out


def discover(client: ClusterClient) -> Discovery:
    core = client.get("/api", accept=AGGREGATED)
    if core.get("kind") != "APIGroupDiscoveryList":
        return Discovery(_legacy(client))
    groups = client.get("/apis", accept=AGGREGATED)
    return Discovery(_from_aggregated(core) + _from_aggregated(groups))
