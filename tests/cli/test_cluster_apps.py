"""Argo CD destinations as kubeconfig contexts in ``driftui apps`` and ``--app`` scans, and
``apps --context a,b`` (issue 23): on two real control planes, the Applications on plane A
(the hub), some of them deploying to plane B."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.cli import build_parser, main
from driftui.cli.app_scans import with_apps
from driftui.cli.flags import options_from
from driftui.cli.sync import run_sync
from driftui.engine import Scanner
from driftui.gate import MutationGate
from tests.cluster import harness
from tests.cluster.crds import APPLICATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create
from tests.multi_cluster import Answers, Clusters, entry_of, kubeconfig_of, two_clusters

pytestmark = pytest.mark.cluster

REPO_URL = "https://git.example.invalid/deploy.git"  # --repo-map stands the local repo in
LOST = "https://dr.example.invalid:6443"
TOKEN = "s3cr3t-bearer-token"


@pytest.fixture(scope="module")
def planes(cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clusters]:
    with two_clusters(cluster, tmp_path_factory.mktemp("multi-apps")) as clusters:
        yield clusters


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def hub(planes: Clusters, gitops_crds: None, namespace: str) -> str:
    """Applications in ``namespace`` on plane A: at home, on B by URL and by Argo CD name,
    and one on a cluster no context reaches; B itself has no Argo CD at all."""

    def app(name: str, destination: dict[str, str]) -> None:
        spec = {
            "project": "default",
            "source": {"repoURL": REPO_URL, "targetRevision": "main", "path": "."},
            "destination": {**destination, "namespace": planes.namespace},
        }
        create(
            planes.a, APPLICATION, namespace, name, spec, status=argo_status("Synced", "Healthy")
        )

    app("home", {"server": "https://kubernetes.default.svc"})
    app("remote", {"server": planes.b.server + "/"})
    app("named", {"name": "prod-b"})
    app("lost", {"server": LOST})
    secret = {
        "metadata": {
            "name": "cluster-prod-b",
            "labels": {"argocd.argoproj.io/secret-type": "cluster"},
        },
        "type": "Opaque",
        "data": {
            "name": _b64("prod-b"),
            "server": _b64(planes.b.server),
            "config": _b64(json.dumps({"bearerToken": TOKEN})),
        },
    }
    status, body = harness.request(
        planes.a, "POST", f"/api/v1/namespaces/{namespace}/secrets", secret
    )
    assert status == 201, body
    return namespace


def run(planes: Clusters, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--kubeconfig", planes.kubeconfig])
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    return code, out, err


def test_apps_shows_the_context_each_app_deploys_to_and_says_when_there_is_none(
    planes: Clusters, hub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(planes, capsys, "apps", "--format", "json", "--context", "a", "-n", hub)
    assert code == 0
    apps = {a["name"]: a["destination"] for a in json.loads(out)["apps"]}
    assert apps == {
        "home": {"server": planes.a.server, "name": None, "context": "a", "problem": None},
        "remote": {"server": planes.b.server, "name": None, "context": "b", "problem": None},
        "named": {"server": planes.b.server, "name": "prod-b", "context": "b", "problem": None},
        "lost": {
            "server": LOST,
            "name": None,
            "context": None,
            "problem": f"no kubeconfig context for {LOST}",
        },
    }
    code, table, _ = run(planes, capsys, "apps", "--context", "a", "-n", hub)
    lines = table.splitlines()
    assert lines[0].split()[-1] == "DESTINATION"
    by_name = {line.split()[2]: line for line in lines[1:]}
    assert by_name["home"].endswith("   a")
    assert by_name["remote"].endswith("   b") and by_name["named"].endswith("   b")
    assert by_name["lost"].endswith(f"(no kubeconfig context for {LOST})")


def test_apps_over_several_contexts_names_each_cluster_and_an_unreachable_one_errors(
    planes: Clusters, hub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("apps", "--format", "json", "--context", "a,b,down", "-n", hub)
    code, out, err = run(planes, capsys, *argv)
    assert code == 2  # a cluster could not be read
    doc = json.loads(out)
    assert [(c["context"], c["server"]) for c in doc["clusters"][:2]] == [
        ("a", planes.a.server),
        ("b", planes.b.server),
    ]
    assert doc["clusters"][0]["error"] is None and doc["clusters"][1]["error"] is None
    assert doc["clusters"][2]["context"] == "down"
    assert "cannot reach https://127.0.0.1:" in doc["clusters"][2]["error"]
    where = {(a["cluster"]["context"], a["name"]): a["destination"]["context"] for a in doc["apps"]}
    assert where == {
        ("a", "home"): "a",
        ("a", "remote"): "b",
        ("a", "named"): "b",
        ("a", "lost"): None,
    }
    assert "error: cluster down: cannot reach" in err

    code, table, _ = run(planes, capsys, "apps", "--context", "a,b,down", "-n", hub)
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["CLUSTER", "KIND"]
    assert {line.split()[0] for line in lines[1:]} == {"a", "down"}  # b has no apps
    assert lines[-1].startswith("down") and "(error: cannot reach https://127.0.0.1:" in lines[-1]


def statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {o["name"]: o["status"] for o in doc["objects"]}


def test_an_app_on_another_cluster_is_scanned_there_and_one_with_no_context_is_a_problem(
    planes: Clusters, hub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ("--context", "a", "-n", hub, "--read-only", "--repo-map", f"{REPO_URL}={planes.repo}")
    code, out, _ = run(planes, capsys, "report", "--format", "json", f"--app={hub}/remote", *flags)
    doc = json.loads(out)
    # B's drift (extra deleted), not A's (settings edited)
    assert statuses(doc) == {"settings": "in_sync", "extra": "missing", "plain": "in_sync"}
    assert code == 1
    assert any("read through context b" in w for w in doc["warnings"])

    code, out, _ = run(planes, capsys, "report", "--format", "json", f"--app={hub}/home", *flags)
    assert statuses(json.loads(out))["settings"] == "drifted"  # at home: A's own drift

    code, out, _ = run(planes, capsys, "report", "--format", "json", f"--app={hub}/lost", *flags)
    doc = json.loads(out)
    assert code == 2
    assert doc["objects"] == []
    assert [p["message"] for p in doc["problems"]] == [f"no kubeconfig context for {LOST}"]


def sync(
    planes: Clusters, answers: Answers, *argv: str, kubeconfig: str = ""
) -> tuple[int, str, str]:
    """``driftui sync ARGV`` from context a, built as ``main`` builds it, with ``answers``
    at the terminal."""
    words = [*argv, "--context", "a", "--kubeconfig", kubeconfig or planes.kubeconfig]
    args = build_parser().parse_args(["sync", *words, "--repo-map", f"{REPO_URL}={planes.repo}"])
    args.read_only = bool(args.read_only)
    scanner = with_apps(Scanner(options_from(args), MutationGate(read_only=False)), args)
    out, err = io.StringIO(), io.StringIO()
    code = run_sync(scanner, args, prompt=answers, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def b_restored(planes: Clusters) -> Iterator[Clusters]:
    """Plane B as the module's planes made it (``extra`` deleted), after a test synced it."""
    yield planes
    harness.request(planes.b, "DELETE", f"/api/v1/namespaces/{planes.namespace}/configmaps/extra")


def test_a_sync_of_an_app_on_another_cluster_writes_there_and_names_it(
    b_restored: Clusters, hub: str
) -> None:
    """Its objects were judged against plane B: they are applied to B, through B's own
    context (client, gate, RBAC), after one question that names B; A is left alone."""
    planes = b_restored
    before = managers(planes.a, planes.namespace)
    answers = Answers("y")
    code, out, err = sync(planes, answers, f"--app={hub}/remote", "-n", hub)
    assert answers.questions == [
        f"On cluster b ({planes.b.server}): Apply 1 objects as 'driftui'? [y/N] "
    ]
    assert code == 0, (out, err)
    assert f"# cluster b ({planes.b.server})" in out
    assert f"+++ sync/{planes.namespace}/ConfigMap/extra  (create)" in out
    assert managers(planes.b, planes.namespace)["extra"] == ["driftui"]  # created on B
    assert managers(planes.a, planes.namespace) == before  # and nothing written to A


def test_a_sync_of_apps_on_two_clusters_asks_once_per_cluster(
    b_restored: Clusters, hub: str
) -> None:
    """home deploys to A (settings edited there), remote to B (extra deleted there): each
    cluster is asked on its own, and only the one confirmed is changed."""
    planes = b_restored
    before = managers(planes.a, planes.namespace)
    answers = Answers("n", "y")
    argv = (f"--app={hub}/home", f"--app={hub}/remote", "-n", hub, "--force-conflicts")
    code, out, err = sync(planes, answers, *argv)
    assert [q.split(":")[0] for q in answers.questions] == [
        "On cluster a (https",
        "On cluster b (https",
    ]
    assert answers.questions[1].startswith(f"On cluster b ({planes.b.server}): Apply 1 objects")
    assert code == 3, (out, err)  # a declined, b synced
    assert managers(planes.a, planes.namespace) == before
    assert managers(planes.b, planes.namespace)["extra"] == ["driftui"]
    assert out.index("# cluster a (") < out.index("# cluster b (")


@pytest.fixture
def tracked_on_b(planes: Clusters, hub: str) -> Iterator[str]:
    """B's ``settings`` edited (green) and tracked by Argo CD as hub/remote's, as
    argocd-controller marks what it deploys; put back as the module made it after."""
    path = f"/api/v1/namespaces/{planes.namespace}/configmaps/settings"
    tracking = f"{hub}_remote:/ConfigMap:{planes.namespace}/settings"
    patch = {
        "metadata": {"annotations": {"argocd.argoproj.io/tracking-id": tracking}},
        "data": {"color": "green"},
    }
    merge = "application/merge-patch+json"
    status, body = harness.request(planes.b, "PATCH", path, patch, content_type=merge)
    assert status == 200, body
    yield hub
    back = {"metadata": {"annotations": None}, "data": {"color": "blue"}}
    harness.request(planes.b, "PATCH", path, back, content_type=merge)


def test_a_sync_of_an_owned_object_on_another_cluster_asks_its_app_where_the_app_lives(
    planes: Clusters, tracked_on_b: str
) -> None:
    """The object is on B, its Application on A: the app is found on A and asked there to
    sync it (Argo CD then writes B); nothing is applied to B behind its back."""
    hub = tracked_on_b
    answers = Answers("y")
    argv = (f"--app={hub}/remote", "-n", hub, "ConfigMap/settings")
    code, out, err = sync(planes, answers, *argv)
    assert answers.questions == [
        f"On cluster b ({planes.b.server}): Apply 0 objects as 'driftui' and request 1"
        " reconciles? [y/N] "
    ]
    assert code == 0, (out, err)
    assert f"argocd:{hub}/remote: requested sync of 1 resources" in out
    status, app = harness.request(
        planes.a, "GET", f"/apis/argoproj.io/v1alpha1/namespaces/{hub}/applications/remote"
    )
    assert status == 200, app
    resources = app["operation"]["sync"]["resources"]
    assert [(r["kind"], r["name"]) for r in resources] == [("ConfigMap", "settings")]
    settings = harness.request(
        planes.b, "GET", f"/api/v1/namespaces/{planes.namespace}/configmaps/settings"
    )[1]
    assert settings["data"] == {"color": "green"}  # left to Argo CD
    assert "driftui" not in managers(planes.b, planes.namespace)["settings"]


def test_a_sync_of_an_app_on_another_cluster_asks_that_clusters_rbac(
    planes: Clusters, hub: str, tmp_path: Path
) -> None:
    """Admin on A, only a viewer on B: B's own RBAC refuses, before any question."""
    contexts = {"a": planes.entries["a"], "b": entry_of(planes.b.kubeconfig("viewer"))}
    kubeconfig = kubeconfig_of(tmp_path / "viewer-on-b.kubeconfig", contexts)
    answers = Answers()
    code, out, err = sync(planes, answers, f"--app={hub}/remote", "-n", hub, kubeconfig=kubeconfig)
    assert code == 2, (out, err)
    assert answers.questions == []
    assert f"refused: {planes.namespace}/ConfigMap/extra: no patch permission on configmaps" in err
    assert "extra" not in managers(planes.b, planes.namespace)


def test_a_sync_of_apps_over_several_contexts_is_refused_rather_than_apply_the_repo(
    planes: Clusters, hub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The apps live on one cluster: --context a,b would have applied --repo to each."""
    before = (managers(planes.a, planes.namespace), managers(planes.b, planes.namespace))
    argv = ("sync", "--yes", f"--app={hub}/remote", "--repo", str(planes.repo))
    with pytest.raises(SystemExit) as exited:
        run(planes, capsys, *argv, "--context", "a,b", "-n", planes.namespace)
    assert exited.value.code == 2
    assert "sync --app acts on the apps of the cluster they live on" in capsys.readouterr().err
    assert (managers(planes.a, planes.namespace), managers(planes.b, planes.namespace)) == before


def test_a_sync_of_an_app_whose_cluster_has_no_context_refuses(
    planes: Clusters, hub: str, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ("--context", "a", "-n", hub, "--repo-map", f"{REPO_URL}={planes.repo}")
    before = (managers(planes.a, planes.namespace), managers(planes.b, planes.namespace))
    code, _, err = run(planes, capsys, "sync", "--yes", f"--app={hub}/lost", *flags)
    assert code == 2, err
    assert f"error: application/{hub}/lost: not synced: no kubeconfig context for {LOST}" in err
    assert (managers(planes.a, planes.namespace), managers(planes.b, planes.namespace)) == before


def managers(cluster: ClusterInfo, namespace: str) -> dict[str, list[str]]:
    """Each ConfigMap's field managers: who has written what."""
    status, body = harness.request(cluster, "GET", f"/api/v1/namespaces/{namespace}/configmaps")
    assert status == 200, body
    return {
        item["metadata"]["name"]: sorted(m["manager"] for m in item["metadata"]["managedFields"])
        for item in body["items"]
    }
