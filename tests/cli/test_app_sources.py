"""``driftui apps`` and ``--app``: Argo CD and Flux apps as the scan's source, against the
real control plane (the operators' CRDs, no controllers) and Git served over HTTP on
127.0.0.1. Live objects carry the markers and field managers the real controllers leave:
``argocd-controller`` (an update with the tracking annotation) and ``kustomize-controller``
(a server-side apply with Flux's labels)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import harness
from tests.cluster.crds import APPLICATION, GIT_REPOSITORY, KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create, flux_status, grant, read_rule
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import commit, driftui, make_repo

pytestmark = pytest.mark.cluster

KUSTOMIZATION_FILE = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def cm(name: str, namespace: str = "", **data: str) -> str:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data})


REPO_FILES = {
    "web/settings.yaml": cm("web-settings", colour="blue"),
    "web/nested/more.yaml": cm("web-more", size="1"),  # Argo reads a directory's top only
    "web/README.md": "not a manifest",
    "shop/kustomization.yaml": KUSTOMIZATION_FILE + "resources: [settings.yaml]\n",
    "shop/settings.yaml": cm("shop-settings", colour="blue"),
    # Flux's targetNamespace overrides the namespace a manifest names
    "flux/prod/settings.yaml": cm("prod-settings", "elsewhere", colour="blue"),
    "left/settings.yaml": cm("left-settings", colour="blue"),
    "right/settings.yaml": cm("right-settings", colour="blue"),
}


@dataclass
class World:
    cluster: ClusterInfo
    ns: str  # the apps and most of what they deploy
    url: str  # the Git repository, served on 127.0.0.1
    work: Path  # a work tree of it

    def run(self, *argv: str, user: str = "admin") -> Any:
        flags = ["--kubeconfig", self.cluster.kubeconfig(user), "-n", self.ns]
        return driftui(*argv, *flags, cwd=self.work)

    def report(self, *apps: str, user: str = "admin", extra: tuple[str, ...] = ()) -> Any:
        argv = ["report", "--format", "json", *[f"--app={a}" for a in apps], *extra]
        done = self.run(*argv, user=user)
        return done, json.loads(done.stdout) if done.stdout else None


@pytest.fixture
def world(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[World]:
    work = make_repo(tmp_path / "work", REPO_FILES)
    make_bare(tmp_path / "srv", "deploy.git", work)
    with serve_git(tmp_path / "srv") as base:
        yield World(cluster, namespace, f"{base}/deploy.git", work)


def argo_app(w: World, name: str, path: str, dest: str = "", url: str = "", **spec: Any) -> None:
    source = {"repoURL": url or w.url, "targetRevision": "main", "path": path}
    body = {
        "project": "default",
        "source": {**source, **spec.pop("source", {})},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": dest or w.ns},
        **spec,
    }
    create(w.cluster, APPLICATION, w.ns, name, body, status=argo_status("Synced", "Healthy"))


def argo_applied(w: World, app: str, name: str, ns: str = "", **data: str) -> None:
    """What argocd-controller leaves: its manager, the tracking annotation; then an edit."""
    ns = ns or w.ns
    tracking = f"{w.ns}_{app}:/ConfigMap:{ns}/{name}"
    body = json.loads(cm(name, colour="blue"))
    body["metadata"] |= {
        "namespace": ns,
        "annotations": {"argocd.argoproj.io/tracking-id": tracking},
    }
    base = f"/api/v1/namespaces/{ns}/configmaps"
    code, out = harness.request(w.cluster, "POST", f"{base}?fieldManager=argocd-controller", body)
    assert code == 201, out
    if data:
        edit = {"data": data}
        code, out = harness.request(
            w.cluster,
            "PATCH",
            f"{base}/{name}?fieldManager=kubectl-edit",
            edit,
            content_type="application/merge-patch+json",
        )
        assert code == 200, out


def flux_applied(w: World, ks: str, name: str, ns: str, **data: str) -> None:
    """What kustomize-controller leaves: a server-side apply with Flux's labels."""
    body = json.loads(cm(name, colour="blue", **data))
    labels = {"kustomize.toolkit.fluxcd.io/name": ks, "kustomize.toolkit.fluxcd.io/namespace": w.ns}
    body["metadata"] |= {"namespace": ns, "labels": labels}
    path = f"/api/v1/namespaces/{ns}/configmaps/{name}?fieldManager=kustomize-controller&force=true"
    code, out = harness.request(
        w.cluster, "PATCH", path, body, content_type="application/apply-patch+yaml"
    )
    assert code in (200, 201), out


def statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {o["name"]: o["status"] for o in doc["objects"]}


# -- driftui apps ------------------------------------------------------------------------


def test_apps_lists_each_app_with_its_source_and_operator_status(world: World) -> None:
    w = world
    argo_app(w, "web", "web")
    create(w.cluster, GIT_REPOSITORY, w.ns, "deploy", {"url": w.url, "ref": {"branch": "main"}})
    ks = {"path": "./flux/prod", "sourceRef": {"kind": "GitRepository", "name": "deploy"}}
    create(w.cluster, KUSTOMIZATION, w.ns, "prod", ks, status=flux_status("False", "BuildFailed"))

    done = w.run("apps", "--format", "json")
    table = w.run("apps")

    assert done.returncode == 0, done.stderr
    apps = {(a["kind"], a["name"]): a for a in json.loads(done.stdout)["apps"]}
    assert set(apps) == {("Application", "web"), ("Kustomization", "prod")}
    web, prod = apps[("Application", "web")], apps[("Kustomization", "prod")]
    assert web["sources"] == [{"repoURL": w.url, "revision": "main", "path": "web", "renderer": ""}]
    assert (web["sync"], web["health"]) == ("Synced", "Healthy")
    assert prod["sources"][0]["path"] == "flux/prod"
    assert (prod["sync"], prod["health"]) == ("NotReady", "BuildFailed")
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "KIND",
        "NAMESPACE",
        "NAME",
        "REPO",
        "REVISION",
        "PATH",
        "SYNC",
        "HEALTH",
        "DESTINATION",
    ]
    assert lines[1].split() == [
        "Application",
        w.ns,
        "web",
        w.url,
        "main",
        "web",
        "Synced",
        "Healthy",
        "admin@local",  # the cluster it lives in: kubernetes.default.svc
    ]


# -- --app: plain directory, kustomize, Flux ---------------------------------------------


def test_a_directory_app_reads_its_top_level_only_and_a_kustomize_app_renders(
    world: World,
) -> None:
    w = world
    argo_app(w, "web", "web")
    argo_app(w, "shop", "shop")
    argo_applied(w, "web", "web-settings", colour="red")  # edited by hand: drift
    argo_applied(w, "shop", "shop-settings")

    done, doc = w.report(f"{w.ns}/web", f"application/{w.ns}/shop")

    assert done.returncode == 1, done.stderr
    # web/nested/more.yaml is not the app's (no recurse): not reported missing
    assert statuses(doc) == {"web-settings": "drifted", "shop-settings": "in_sync"}
    assert doc["problems"] == []


def test_a_recursing_directory_app_reads_nested_files(world: World) -> None:
    w = world
    argo_app(w, "web", "web", source={"directory": {"recurse": True, "exclude": "*.md"}})
    argo_applied(w, "web", "web-settings")

    done, doc = w.report(f"{w.ns}/web")

    assert done.returncode == 1, done.stderr
    assert statuses(doc) == {"web-settings": "in_sync", "web-more": "missing"}


def test_a_flux_kustomization_scans_its_git_repository_path_in_its_target_namespace(
    world: World, second_namespace: str
) -> None:
    w = world
    create(w.cluster, GIT_REPOSITORY, w.ns, "deploy", {"url": w.url, "ref": {"branch": "main"}})
    ks = {
        "path": "./flux/prod",
        "targetNamespace": second_namespace,
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
        "interval": "5m",
    }
    create(w.cluster, KUSTOMIZATION, w.ns, "prod", ks, status=flux_status("True", "Succeeded"))
    flux_applied(w, "prod", "prod-settings", second_namespace, extra="by-hand")

    done, doc = w.report(f"kustomization/{w.ns}/prod")

    assert done.returncode == 1, done.stderr
    [obj] = doc["objects"]
    assert (obj["namespace"], obj["name"], obj["status"]) == (
        second_namespace,
        "prod-settings",
        "drifted",
    )
    assert doc["source"]["repo"] == w.url and doc["source"]["path"] == "flux/prod"


# -- repositories ------------------------------------------------------------------------


def test_repo_map_compares_a_local_checkout_instead_of_the_remote(world: World) -> None:
    w = world
    argo_app(w, "web", "web")
    argo_applied(w, "web", "web-settings")
    commit(w.work, {"web/settings.yaml": cm("web-settings", colour="green")})  # not pushed

    remote, remote_doc = w.report(f"{w.ns}/web")
    mapped, mapped_doc = w.report(f"{w.ns}/web", extra=(f"--repo-map={w.url}={w.work}",))

    assert remote.returncode == 0 and statuses(remote_doc) == {"web-settings": "in_sync"}
    assert mapped.returncode == 1, mapped.stderr
    assert statuses(mapped_doc) == {"web-settings": "drifted"}
    assert mapped_doc["source"]["repo"] == str(w.work)


def user_config(monkeypatch: pytest.MonkeyPatch, home: Path, text: str) -> Path:
    """A user config file of ``text`` under an XDG config dir of this test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    path = home / "driftui" / "config.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_repo_map_in_the_user_config_file_compares_the_local_checkout(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    w = world
    argo_app(w, "web", "web")
    argo_applied(w, "web", "web-settings")
    commit(w.work, {"web/settings.yaml": cm("web-settings", colour="green")})  # not pushed
    user_config(monkeypatch, tmp_path / "xdg", f"repoMap:\n  {w.url}/: {w.work}\n")

    mapped, mapped_doc = w.report(f"{w.ns}/web")
    clean = make_repo(tmp_path / "clean", REPO_FILES)  # a checkout of what was pushed
    flagged, flagged_doc = w.report(f"{w.ns}/web", extra=(f"--repo-map={w.url}={clean}",))

    assert mapped.returncode == 1, mapped.stderr
    assert statuses(mapped_doc) == {"web-settings": "drifted"}
    assert mapped_doc["source"]["repo"] == str(w.work)
    assert flagged.returncode == 0, flagged.stderr  # the flag wins over the file
    assert statuses(flagged_doc) == {"web-settings": "in_sync"}
    assert flagged_doc["source"]["repo"] == str(clean)


@pytest.mark.parametrize(
    "text", ["repoMap: [a, b]\n", "repoMap:\n  https://x/y.git: 3\n", "repoMap: {a: [\n"]
)
def test_a_bad_user_config_file_is_one_line_naming_it(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str
) -> None:
    w = world
    argo_app(w, "web", "web")
    path = user_config(monkeypatch, tmp_path / "xdg", text)

    done, _ = w.report(f"{w.ns}/web")

    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert str(path) in line and ("repoMap" in line or "YAML" in line)


def test_an_unreachable_repository_is_one_error_naming_the_app(world: World) -> None:
    w = world
    argo_app(w, "web", "web")
    argo_applied(w, "web", "web-settings")
    gone = w.url.rsplit("/", 1)[0] + "/missing.git"  # the server answers 404
    argo_app(w, "lost", "web", url=gone)

    done, doc = w.report(f"{w.ns}/web", f"{w.ns}/lost")

    assert done.returncode == 2
    assert statuses(doc) == {"web-settings": "in_sync"}  # the other app still scanned
    [problem] = doc["problems"]
    assert problem["path"] == f"application/{w.ns}/lost"
    assert "missing.git" in problem["message"]


def test_an_ambiguous_bare_name_is_a_usage_error_listing_the_matches(world: World) -> None:
    w = world
    argo_app(w, "same", "web")
    create(w.cluster, GIT_REPOSITORY, w.ns, "deploy", {"url": w.url})
    ks = {"path": "./web", "sourceRef": {"kind": "GitRepository", "name": "deploy"}}
    create(w.cluster, KUSTOMIZATION, w.ns, "same", ks)

    done = w.run("diff", f"--app={w.ns}/same")

    assert done.returncode == 2
    assert f"application/{w.ns}/same, kustomization/{w.ns}/same" in done.stderr
    assert "ambiguous" in done.stderr


# -- access and ignore rules -------------------------------------------------------------


def test_a_user_who_cannot_read_one_apps_namespace_still_scans_the_other(
    world: World, second_namespace: str
) -> None:
    w = world
    argo_app(w, "open", "web")
    argo_app(w, "closed", "shop", dest=second_namespace)
    argo_applied(w, "open", "web-settings", colour="red")
    argo_applied(w, "closed", "shop-settings", ns=second_namespace)
    cm_read = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}
    grant(w.cluster, "nobody", w.ns, [read_rule(APPLICATION), cm_read])

    done, doc = w.report(f"{w.ns}/open", f"{w.ns}/closed", user="nobody")

    assert done.returncode == 2  # what could not be read is an error, not "in sync"
    by_name = {o["name"]: o for o in doc["objects"]}
    assert by_name["web-settings"]["status"] == "drifted"
    closed = by_name["shop-settings"]
    assert (closed["namespace"], closed["status"]) == (second_namespace, "error")
    assert "forbidden" in closed["reason"]


def test_each_apps_ignore_rules_apply_to_its_own_objects_only(world: World) -> None:
    w = world
    ignore = [{"kind": "ConfigMap", "jsonPointers": ["/data/colour"]}]
    argo_app(w, "left", "left", ignoreDifferences=ignore)
    argo_app(w, "right", "right")
    argo_applied(w, "left", "left-settings", colour="red")
    argo_applied(w, "right", "right-settings", colour="red")

    done, doc = w.report(f"{w.ns}/left", f"{w.ns}/right")

    assert done.returncode == 1, done.stderr
    assert statuses(doc) == {"left-settings": "in_sync", "right-settings": "drifted"}
