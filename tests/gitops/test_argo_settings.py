"""``argocd-cm`` read as the user may read it, once per namespace for any number of apps,
against the real API server (its audit log counts the GETs)."""

from __future__ import annotations

import json

import pytest

from driftui.gate import MutationGate
from driftui.gitops.app_specs import App, argo_app
from driftui.gitops.argo_settings import ARGOCD_CM, ArgoSettings
from driftui.live.client import ClusterClient
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

pytestmark = pytest.mark.cluster


def application(namespace: str, name: str) -> App:
    return argo_app({"metadata": {"namespace": namespace, "name": name}, "spec": {}})


def settings_gets(cluster: ClusterInfo, since: int, namespace: str) -> int:
    lines = cluster.audit_log.read_text().splitlines()[since:]
    path = f"/api/v1/namespaces/{namespace}/configmaps/{ARGOCD_CM}"
    return sum(
        1
        for event in map(json.loads, lines)
        if event["verb"] == "get"
        and event["requestURI"] == path
        and event["stage"] == "ResponseComplete"
    )


def test_the_apps_of_one_argo_cd_read_its_settings_once(
    cluster: ClusterInfo, namespace: str
) -> None:
    cm = {
        "metadata": {"name": ARGOCD_CM},
        "data": {"application.resourceTrackingMethod": " annotation "},
    }
    status, body = harness.request(
        cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", cm
    )
    assert status == 201, body
    client = ClusterClient.from_kubeconfig(cluster.kubeconfig(), gate=MutationGate())
    settings = ArgoSettings(client)
    since = len(cluster.audit_log.read_text().splitlines())

    methods = [settings.tracking_method(application(namespace, f"app-{i}")) for i in range(5)]

    assert methods == ["annotation"] * 5
    assert settings_gets(cluster, since, namespace) == 1
