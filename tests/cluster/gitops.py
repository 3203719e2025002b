"""Install the Argo CD and Flux CRDs in a test control plane (no controllers run)."""

from __future__ import annotations

import time

from tests.cluster import harness
from tests.cluster.crds import GITOPS_KINDS, upstream_crd
from tests.cluster.harness import ClusterInfo

VIEW_ROLE = "driftui-test-gitops-view"


def install_gitops_crds(cluster: ClusterInfo, timeout: float = 30.0) -> None:
    """Application, Kustomization, GitRepository and HelmRelease, readable by ``view``.

    409 (already there, from an earlier test module) is fine; returns once all are served.
    """
    base = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    for kind in GITOPS_KINDS:
        status, body = harness.request(cluster, "POST", base, upstream_crd(kind))
        assert status in (201, 409), body
    view = {
        "metadata": {
            "name": VIEW_ROLE,
            "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"},
        },
        "rules": [
            {
                "apiGroups": sorted({k.group for k in GITOPS_KINDS}),
                "resources": sorted({k.plural for k in GITOPS_KINDS}),
                "verbs": ["get", "list", "watch"],
            }
        ],
    }
    roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    status, body = harness.request(cluster, "POST", roles, view)
    if status == 409:  # an older, narrower role of the same name: widen it
        status, body = harness.request(
            cluster,
            "PATCH",
            f"{roles}/{VIEW_ROLE}",
            {"rules": view["rules"]},
            content_type="application/merge-patch+json",
        )
    assert status in (200, 201), body
    harness.aggregate_cluster_roles(cluster)
    deadline = time.monotonic() + timeout
    for kind in GITOPS_KINDS:
        while harness.request(cluster, "GET", kind.path())[0] != 200:
            assert time.monotonic() < deadline, f"{kind.plural}.{kind.group} never served"
            time.sleep(0.2)
