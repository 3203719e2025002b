"""What reaches a render: the config's Helm values and the cluster's own version, on every
path, end to end with real helm, real Git and the real control plane."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import ObjectRef
from driftui.source.load import load_desired
from driftui.source.render import Capabilities, helm_kube_version
from tests.cluster import harness
from tests.cluster.crds import namespaced_crd
from tests.cluster.harness import ClusterInfo

pytestmark = pytest.mark.cluster

WEB_CHART = {
    "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "web/values.yaml": "replicas: 1\nserviceType: ClusterIP\n",
    "web/values-prod.yaml": "replicas: 7\nserviceType: LoadBalancer\n",
    "web/templates/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        "spec:\n  replicas: {{ .Values.replicas }}\n"
        "  selector:\n    matchLabels: {app: web}\n"
        "  template:\n    metadata:\n      labels: {app: web}\n"
        "    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n"
    ),
    "web/templates/svc.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
        "spec:\n  type: {{ .Values.serviceType }}\n  selector: {app: web}\n"
        "  ports:\n  - port: 80\n"
    ),
}


GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}
CACHE = tempfile.mkdtemp(prefix="driftui-test-cache-")  # renders and clones, off the repos


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env
    )
    return done.stdout.strip()


def make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    commit(path, files)
    return path


def commit(repo: Path, files: Mapping[str, str | None], message: str = "change") -> str:
    for name, text in files.items():
        target = repo / name
        if text is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def driftui(
    *argv: str, cwd: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(root), "XDG_CACHE_HOME": CACHE}
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        cwd=cwd,
        env=env,
    )


def create(cluster: ClusterInfo, path: str, body: dict[str, Any]) -> None:
    status, reply = harness.request(cluster, "POST", path, body)
    assert status == 201, reply


def web_live(cluster: ClusterInfo, namespace: str, replicas: int, service_type: str) -> None:
    """The production render, as a person deployed it: 7 replicas, but a ClusterIP Service."""
    deploy = yaml.safe_load(
        WEB_CHART["web/templates/deploy.yaml"].replace("{{ .Values.replicas }}", str(replicas))
    )
    service = yaml.safe_load(
        WEB_CHART["web/templates/svc.yaml"].replace("{{ .Values.serviceType }}", service_type)
    )
    create(cluster, f"/apis/apps/v1/namespaces/{namespace}/deployments", deploy)
    create(cluster, f"/api/v1/namespaces/{namespace}/services", service)


def objects(report_json: str) -> dict[str, tuple[str, list[str]]]:
    doc = json.loads(report_json)
    return {
        f"{o['kind']}/{o['name']}": (o["status"], [d["path"] for d in o["differences"]])
        for o in doc["objects"]
    }


# -- helm.values -----------------------------------------------------------------------------


def test_helm_values_from_the_repository_config_reach_the_verdict(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    repo = make_repo(
        tmp_path / "repo", {**WEB_CHART, ".driftui.yaml": "helm:\n  values: [values-prod.yaml]\n"}
    )
    web_live(cluster, namespace, replicas=7, service_type="ClusterIP")
    flags = ["--repo", str(repo), "--kubeconfig", cluster.kubeconfig(), "-n", namespace]
    done = driftui("report", "--format", "json", *flags, "--client-side", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = objects(done.stdout)
    # values-prod.yaml sets 7 replicas: live's 7 is what Git says, not drift
    assert found["Deployment/web"] == ("in_sync", [])
    # ... and a LoadBalancer: the ClusterIP Service live is drift
    assert found["Service/web"][0] == "drifted"
    assert "spec.type" in found["Service/web"][1]

    # The explorer, sync and revert all load through the scanner: the same render there.
    scanner = Scanner(
        ScanOptions(repo=str(repo), kubeconfig=cluster.kubeconfig(), namespace=namespace),
        MutationGate(read_only=True),
    )
    (deploy,) = [m for m in scanner.desired().manifests if m.ref.kind == "Deployment"]
    assert deploy.body["spec"]["replicas"] == 7
    # History renders with them too: the one commit made the object with 7 replicas.
    history = driftui("history", "deployment/web", "--format", "json", *flags, cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    assert len(json.loads(history.stdout)["commits"]) == 1


def test_a_users_own_config_may_name_values_outside_the_repository(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo", WEB_CHART)
    web_live(cluster, namespace, replicas=7, service_type="LoadBalancer")
    outside = tmp_path / "mine.yaml"
    outside.write_text("replicas: 7\nserviceType: LoadBalancer\n")
    config = tmp_path / "driftui.yaml"
    config.write_text(f"helm:\n  values: [{outside}]\n")
    flags = ["--repo", str(repo), "--kubeconfig", cluster.kubeconfig(), "-n", namespace]
    done = driftui("diff", *flags, "--config", str(config), "--client-side", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ("missing.yaml", "values file 'missing.yaml' not found for this chart"),
        ("/etc/hostname", "helm.values[0]: '/etc/hostname' is not allowed"),
        ("../../../outside.yaml", "values file '../../../outside.yaml' leads outside"),
    ],
)
def test_a_values_file_that_cannot_be_used_is_a_clear_error(
    cluster: ClusterInfo, namespace: str, tmp_path: Path, values: str, message: str
) -> None:
    (tmp_path / "outside.yaml").write_text("replicas: 7\n")
    repo = make_repo(
        tmp_path / "repo", {**WEB_CHART, ".driftui.yaml": f"helm:\n  values: ['{values}']\n"}
    )
    flags = ["--repo", str(repo), "--kubeconfig", cluster.kubeconfig(), "-n", namespace]
    done = driftui("diff", *flags, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stdout + done.stderr


# -- the cluster's version -------------------------------------------------------------------

CAPS_CHART = {
    "caps/Chart.yaml": 'apiVersion: v2\nname: caps\nversion: 0.1.0\nkubeVersion: ">=1.23.0-0"\n',
    "caps/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n"
        '  widgets: {{ if .Capabilities.APIVersions.Has "GROUP/v1/Widget" }}"yes"'
        '{{ else }}"no"{{ end }}\n'
        '  kube: "{{ .Capabilities.KubeVersion.Version }}"\n'
    ),
}


@pytest.fixture
def widget_group(cluster: ClusterInfo) -> Iterator[str]:
    """A CRD only this cluster serves: helm's built-in version list cannot know it."""
    group = f"g{uuid.uuid4().hex[:8]}.driftui.dev"
    crd = namespaced_crd(group, "Widget", {"size": {"type": "integer"}})
    name = crd["metadata"]["name"]
    create(cluster, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    for _ in range(300):  # discovery serves the group once the CRD is established
        _, groups = harness.request(cluster, "GET", "/apis")
        listed = any(g["name"] == group for g in groups.get("groups") or [])
        if listed and harness.request(cluster, "GET", f"/apis/{group}/v1")[0] == 200:
            break
        time.sleep(0.1)
    yield group
    harness.request(
        cluster, "DELETE", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
    )


def test_charts_render_for_the_clusters_version_and_apis(
    cluster: ClusterInfo, namespace: str, widget_group: str, tmp_path: Path
) -> None:
    chart = {k: v.replace("GROUP", widget_group) for k, v in CAPS_CHART.items()}
    repo = make_repo(tmp_path / "repo", chart)
    _, version = harness.request(cluster, "GET", "/version")
    kube = helm_kube_version(version["gitVersion"])
    assert kube.startswith("v1.")
    data = {"widgets": "yes", "kube": kube}
    create(
        cluster,
        f"/api/v1/namespaces/{namespace}/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "caps"}, "data": data},
    )
    flags = ["--repo", str(repo), "--kubeconfig", cluster.kubeconfig(), "-n", namespace]
    done = driftui("report", "--format", "json", *flags, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert objects(done.stdout) == {"ConfigMap/caps": ("in_sync", [])}

    # A snapshot records the versions, and an offline scan renders for them.
    snap = tmp_path / "snap.json"
    taken = driftui("snapshot", "-o", str(snap), *flags, cwd=tmp_path)
    assert taken.returncode == 0, taken.stderr
    doc = json.loads(snap.read_text())
    assert doc["kubeVersion"] == kube
    assert f"{widget_group}/v1/Widget" in doc["apiVersions"]
    assert "apps/v1/Deployment" in doc["apiVersions"] and "v1" in doc["apiVersions"]
    offline = ["--repo", str(repo), "--live", str(snap), "-n", namespace]
    done = driftui("report", "--format", "json", *offline, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert objects(done.stdout) == {"ConfigMap/caps": ("in_sync", [])}

    # A snapshot that recorded no versions: helm's own defaults, and the chart refuses them.
    del doc["kubeVersion"], doc["apiVersions"]
    snap.write_text(json.dumps(doc))
    done = driftui("report", "--format", "json", *offline, cwd=tmp_path)
    assert done.returncode == 2
    assert "kubeVersion" in json.loads(done.stdout)["problems"][0]["message"]


def test_the_render_cache_keys_on_values_and_capabilities(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**WEB_CHART, **CAPS_CHART})
    cache = str(tmp_path / "cache")
    new = Capabilities("v1.34.0", ("GROUP/v1/Widget",))

    def load(**kw: Any) -> dict[ObjectRef, Any]:
        state = load_desired(str(repo), cache_dir=cache, **kw)
        return {m.ref: m.body for m in state.manifests}

    first = load(capabilities=new)
    assert first[ObjectRef("", "ConfigMap", "", "caps")]["data"]["widgets"] == "yes"
    web = ObjectRef("apps", "Deployment", "", "web")
    assert first[web]["spec"]["replicas"] == 1
    # Same trees, other inputs: a render cached without them must not be reused.
    second = load(capabilities=Capabilities("v1.34.0"))
    assert second[ObjectRef("", "ConfigMap", "", "caps")]["data"]["widgets"] == "no"
    (tmp_path / "repo/caps/values-prod.yaml").write_text("{}\n")
    commit(tmp_path / "repo", {})
    third = load(capabilities=new, helm_values=["values-prod.yaml"])
    assert third[web]["spec"]["replicas"] == 7


def test_a_plain_repository_renders_without_asking_the_cluster(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
    )

    def unreachable() -> Capabilities:
        raise AssertionError("asked for the cluster's version without a chart to render")

    state = load_desired(str(repo), cache_dir=str(tmp_path / "c"), capabilities=unreachable)
    assert [m.ref.name for m in state.manifests] == ["a"]


def test_history_works_offline_and_asks_the_cluster_only_for_charts(tmp_path: Path) -> None:
    plain = make_repo(
        tmp_path / "plain",
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
    )
    charts = make_repo(tmp_path / "charts", WEB_CHART)
    nowhere = ["--kubeconfig", str(tmp_path / "no-such-kubeconfig")]
    done = driftui("history", "configmap/a", "--repo", str(plain), *nowhere, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    done = driftui("history", "deployment/web", "--repo", str(charts), *nowhere, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning: charts rendered for helm's default Kubernetes version" in done.stderr


def test_a_revert_preview_renders_the_chart_it_touches_with_the_configs_values(
    tmp_path: Path,
) -> None:
    """Reverting a template change shows the Deployment the chart would render, with the
    repository config's values (7 replicas): not template files, not the chart's defaults."""
    repo = make_repo(
        tmp_path / "repo",
        {**WEB_CHART, ".driftui.yaml": "helm:\n  values: [values-prod.yaml]\n"},
    )
    bumped = commit(
        repo,
        {
            "web/templates/deploy.yaml": WEB_CHART["web/templates/deploy.yaml"].replace(
                "1.25", "1.26"
            )
        },
        "bump web to 1.26",
    )
    live = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 7,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]},
            },
        },
    }
    snapshot = tmp_path / "live.json"
    from driftui.live.snapshot import Snapshot, write_snapshot

    write_snapshot(Snapshot(objects=[live]), snapshot)
    before = git(repo, "count-objects", "-v")
    done = driftui("revert", bumped, "--dry-run", "--repo", str(repo), "--live", str(snapshot))
    assert done.returncode == 0, done.stderr
    assert "modified default/Deployment.apps/web" in " ".join(done.stdout.split())
    changed = [
        line.strip() for line in done.stdout.splitlines() if line.strip().startswith("changed")
    ]
    assert changed == [
        "changed spec.template.spec.containers[name=web].image: 'nginx:1.26' -> 'nginx:1.25'"
    ]
    assert "file web/templates/deploy.yaml" in done.stdout
    assert git(repo, "count-objects", "-v") == before  # rendering wrote nothing to the repo
