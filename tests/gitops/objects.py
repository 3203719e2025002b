"""Argo CD and Flux objects for tests, made as their controllers leave them: spec by the user,
status (sync, health, Ready) written through the status subresource as the controllers do."""

from __future__ import annotations

import uuid
from typing import Any

from tests.cluster import harness
from tests.cluster.crds import UpstreamKind
from tests.cluster.harness import ClusterInfo

JSON_MERGE = "application/merge-patch+json"


def create(
    cluster: ClusterInfo,
    kind: UpstreamKind,
    namespace: str,
    name: str,
    spec: dict[str, Any],
    *,
    status: dict[str, Any] | None = None,
    **meta: Any,
) -> dict[str, Any]:
    body = {
        "apiVersion": kind.api_version,
        "kind": kind.kind,
        "metadata": {"name": name, "namespace": namespace, **meta},
        "spec": spec,
    }
    through_subresource = status is not None and kind.status_subresource
    if status is not None and not through_subresource:
        body["status"] = status  # Argo CD writes an Application's status with the object
    code, created = harness.request(cluster, "POST", kind.path(namespace), body)
    assert code == 201, created
    if through_subresource:
        code, created = harness.request(
            cluster,
            "PATCH",
            kind.path(namespace, name) + "/status",
            {"status": status},
            content_type=JSON_MERGE,
        )
        assert code == 200, created
    return dict(created)


def argo_status(sync: str, health: str) -> dict[str, Any]:
    return {"sync": {"status": sync}, "health": {"status": health}}


def flux_status(ready: str, reason: str) -> dict[str, Any]:
    condition = {"type": "Ready", "status": ready, "reason": reason, "message": reason}
    return {"conditions": [{**condition, "lastTransitionTime": "2026-01-01T00:00:00Z"}]}


def grant(cluster: ClusterInfo, user: str, namespace: str, rules: list[dict[str, Any]]) -> None:
    """A Role in ``namespace`` with ``rules``, bound to ``user`` there only."""
    name = f"driftui-test-{uuid.uuid4().hex[:8]}"
    base = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}"
    role = {"metadata": {"name": name}, "rules": rules}
    code, body = harness.request(cluster, "POST", f"{base}/roles", role)
    assert code == 201, body
    binding = {
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    code, body = harness.request(cluster, "POST", f"{base}/rolebindings", binding)
    assert code == 201, body


def read_rule(kind: UpstreamKind) -> dict[str, Any]:
    return {"apiGroups": [kind.group], "resources": [kind.plural], "verbs": ["get", "list"]}


def controller_applied(cluster: ClusterInfo, body: dict[str, Any], manager: str) -> None:
    """``body`` as a controller leaves it: a forced server-side apply as ``manager``."""
    meta = body["metadata"]
    group = body["apiVersion"].rpartition("/")[0]
    api = f"/apis/{body['apiVersion']}" if group else f"/api/{body['apiVersion']}"
    plural = body["kind"].lower() + "s"
    url = f"{api}/namespaces/{meta['namespace']}/{plural}/{meta['name']}"
    code, out = harness.request(
        cluster,
        "PATCH",
        f"{url}?fieldManager={manager}&force=true",
        body,
        content_type="application/apply-patch+yaml",
    )
    assert code in (200, 201), out


def hand_edited(cluster: ClusterInfo, namespace: str, name: str, **data: str) -> None:
    """A ConfigMap's data changed by hand, as `kubectl edit` does (a merge patch)."""
    code, out = harness.request(
        cluster,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/configmaps/{name}?fieldManager=kubectl-edit",
        {"data": data},
        content_type="application/merge-patch+json",
    )
    assert code == 200, out
