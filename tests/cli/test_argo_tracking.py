"""Argo CD's tracking method, read from ``argocd-cm``: which live objects absent from Git are
an app's extras. In label mode only the ``app.kubernetes.io/instance`` label marks them; in
the annotation modes only the ``tracking-id`` does (a chart's bare instance label does not).
Against the real control plane with Argo CD's CRDs; live objects as argocd-controller
leaves them (its manager; ``<namespace>_<app>`` as the instance name of an app outside the
control namespace)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import harness
from tests.cluster.crds import APPLICATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import driftui, make_repo

pytestmark = pytest.mark.cluster

SETTINGS = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-settings"}}
TRACKING = "argocd.argoproj.io/tracking-id"
INSTANCE = "app.kubernetes.io/instance"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    work = make_repo(tmp_path / "work", {"web/settings.yaml": json.dumps(SETTINGS)})
    make_bare(tmp_path / "srv", "deploy.git", work)
    with serve_git(tmp_path / "srv") as base:
        yield f"{base}/deploy.git", work


def live(cluster: ClusterInfo, ns: str, name: str, label: bool, annotation: bool) -> None:
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if label:
        meta["labels"] = {INSTANCE: f"{ns}_web"}
    if annotation:
        meta["annotations"] = {TRACKING: f"{ns}_web:/ConfigMap:{ns}/{name}"}
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}
    path = f"/api/v1/namespaces/{ns}/configmaps?fieldManager=argocd-controller"
    code, out = harness.request(cluster, "POST", path, body)
    assert code == 201, out


def report_web(cluster: ClusterInfo, ns: str, work: Path) -> subprocess.CompletedProcess[str]:
    """``driftui report`` of the app ``web`` in ``ns``, as JSON."""
    argv = ("report", "--format", "json", f"--app={ns}/web", "-n", ns)
    return driftui(*argv, "--kubeconfig", cluster.kubeconfig(), cwd=work)


@pytest.mark.parametrize(
    ("method", "extras"),
    [
        ("label", {"by-label"}),
        ("annotation", {"by-annotation"}),
        ("annotation+label", {"by-annotation"}),
        (None, {"by-label", "by-annotation"}),  # no argocd-cm: both count, as before
    ],
)
def test_extras_follow_the_tracking_method_in_argocd_cm(
    cluster: ClusterInfo,
    gitops_crds: None,
    namespace: str,
    served: tuple[str, Path],
    method: str | None,
    extras: set[str],
) -> None:
    url, work = served
    ns = namespace
    if method is not None:
        settings = {
            "metadata": {"name": "argocd-cm"},
            "data": {"application.resourceTrackingMethod": method},
        }
        code, out = harness.request(
            cluster, "POST", f"/api/v1/namespaces/{ns}/configmaps", settings
        )
        assert code == 201, out
    source = {"repoURL": url, "targetRevision": "main", "path": "web"}
    spec = {"project": "default", "source": source, "destination": {"namespace": ns}}
    create(cluster, APPLICATION, ns, "web", spec, status=argo_status("Synced", "Healthy"))
    live(cluster, ns, "web-settings", label=True, annotation=True)
    live(cluster, ns, "by-label", label=True, annotation=False)
    live(cluster, ns, "by-annotation", label=False, annotation=True)

    done = report_web(cluster, ns, work)

    doc = json.loads(done.stdout)
    found = {o["name"]: o["status"] for o in doc["objects"]}
    assert found.pop("web-settings") == "in_sync", done.stderr
    assert found == dict.fromkeys(extras, "extra")


def test_an_ignore_rule_driftui_cannot_honour_is_a_warning_naming_the_app(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, served: tuple[str, Path]
) -> None:
    url, work = served
    ns = namespace
    source = {"repoURL": url, "targetRevision": "main", "path": "web"}
    ignore = [{"kind": "ConfigMap", "jqPathExpressions": [".data | del(.x)", ".data.kept"]}]
    spec = {
        "project": "default",
        "source": source,
        "destination": {"namespace": ns},
        "ignoreDifferences": ignore,
    }
    create(cluster, APPLICATION, ns, "web", spec, status=argo_status("Synced", "Healthy"))
    live(cluster, ns, "web-settings", label=True, annotation=True)

    done = report_web(cluster, ns, work)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["warnings"] == [
        f"application/{ns}/web: not honoured: ignoreDifferences[0]:"
        " jq '.data | del(.x)' not understood"
    ]
