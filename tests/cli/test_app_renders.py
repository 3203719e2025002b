"""``--app`` renders an Argo CD app as Argo CD renders it: Helm options, kustomize options,
multi-source with ``$ref`` values files. The oracle is the real ``helm template`` /
``kustomize edit`` + ``build`` run by the test with Argo CD's arguments; its output is
what argocd-controller applied (its manager, its tracking annotation) to the real control
plane, so any difference in driftui's rendering shows as drift."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.test_app_sources import World, statuses
from tests.cluster import harness
from tests.cluster.crds import APPLICATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import make_repo
from tests.source.test_render_recipe import CHART, KUSTOMIZE

pytestmark = pytest.mark.cluster

PLAIN_CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}, "data": {}}
FILES = {**CHART, **KUSTOMIZE, "plain/cm.yaml": json.dumps(PLAIN_CM)}
OTHER_CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}, "data": {}}
# a `ref:` source's values, and objects a multi-source app's second source deploys
VALUES_REPO = {"envs/prod.yaml": "colour: purple\nsize: 4\n", "objs/cm.yaml": json.dumps(OTHER_CM)}


@dataclass
class Repos:
    world: World
    values_url: str  # a second repository: a `ref:` source's
    values_work: Path
    requests: list[str]  # what the git server was asked, in order


@pytest.fixture
def repos(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[Repos]:
    work = make_repo(tmp_path / "work", FILES)
    values = make_repo(tmp_path / "values", VALUES_REPO)
    make_bare(tmp_path / "srv", "deploy.git", work)
    make_bare(tmp_path / "srv", "values.git", values)
    log: list[str] = []
    with serve_git(tmp_path / "srv", log=log) as base:
        world = World(cluster, namespace, f"{base}/deploy.git", work)
        yield Repos(world, f"{base}/values.git", values, log)


def application(w: World, name: str, sources: list[dict[str, Any]]) -> None:
    spec = {
        "project": "default",
        **({"source": sources[0]} if len(sources) == 1 else {"sources": sources}),
        "destination": {"server": "https://kubernetes.default.svc", "namespace": w.ns},
    }
    create(w.cluster, APPLICATION, w.ns, name, spec, status=argo_status("Synced", "Healthy"))


def source(w: World, path: str, **options: Any) -> dict[str, Any]:
    return {"repoURL": w.url, "targetRevision": "main", "path": path, **options}


def oracle(*argv: str, cwd: Path) -> list[dict[str, Any]]:
    """What the real binary prints for Argo CD's arguments."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def applied_by_argo(w: World, app: str, objects: list[dict[str, Any]]) -> None:
    """Each object as argocd-controller leaves it: in the destination namespace, with the
    tracking annotation, created by its field manager."""
    for body in objects:
        meta = body["metadata"]
        ns = meta.setdefault("namespace", w.ns)
        group = body["apiVersion"].rpartition("/")[0]
        tracking = f"{w.ns}_{app}:{group}/{body['kind']}:{ns}/{meta['name']}"
        meta.setdefault("annotations", {})["argocd.argoproj.io/tracking-id"] = tracking
        api = f"/apis/{body['apiVersion']}" if group else f"/api/{body['apiVersion']}"
        plural = body["kind"].lower() + "s"
        url = f"{api}/namespaces/{ns}/{plural}?fieldManager=argocd-controller"
        code, out = harness.request(w.cluster, "POST", url, body)
        assert code == 201, out


def helm_oracle(w: World, release: str, *args: str) -> list[dict[str, Any]]:
    chart = ("charts/web", "--name-template", release, "--namespace", w.ns)
    return oracle("helm", "template", *chart, *args, "--include-crds", cwd=w.work)


def test_a_helm_app_renders_with_its_values_files_and_parameters(repos: Repos) -> None:
    w = repos.world
    params = [{"name": "size", "value": "3"}, {"name": "tag", "value": "007", "forceString": True}]
    helm = {"valueFiles": ["values-prod.yaml"], "parameters": params}
    application(w, "front", [source(w, "charts/web", helm=helm)])
    rendered = helm_oracle(
        w,
        "front",
        "--set",
        "size=3",
        "--set-string",
        "tag=007",
        "--values",
        "charts/web/values-prod.yaml",
    )
    assert rendered[0]["data"]["colour"] == "green" and rendered[0]["data"]["tag"] == "007"
    applied_by_argo(w, "front", rendered)

    done, doc = w.report(f"{w.ns}/front")

    assert done.returncode == 0, done.stderr
    assert statuses(doc) == {"front-settings": "in_sync"}  # release = the app's name
    assert doc["problems"] == []


def test_a_missing_values_file_is_skipped_only_with_ignore_missing_value_files(
    repos: Repos,
) -> None:
    w = repos.world
    files = ["values-gone.yaml", "values-prod.yaml"]
    application(
        w,
        "lenient",
        [source(w, "charts/web", helm={"valueFiles": files, "ignoreMissingValueFiles": True})],
    )
    application(w, "strict", [source(w, "charts/web", helm={"valueFiles": files})])
    applied_by_argo(
        w, "lenient", helm_oracle(w, "lenient", "--values", "charts/web/values-prod.yaml")
    )

    done, doc = w.report(f"{w.ns}/lenient", f"{w.ns}/strict")

    assert done.returncode == 2, done.stderr  # the strict app cannot render: an error
    assert statuses(doc) == {"lenient-settings": "in_sync"}
    assert [(p["path"], p["message"]) for p in doc["problems"]] == [
        ("charts/web", "values file 'values-gone.yaml' not found")
    ]


def test_a_kustomize_app_renders_with_its_prefix_images_and_labels(
    repos: Repos, tmp_path: Path
) -> None:
    w = repos.world
    options = {
        "namePrefix": "p-",
        "images": ["nginx=registry.example/nginx:1.27"],
        "commonLabels": {"tier": "front"},
    }
    application(w, "shop", [source(w, "shop", kustomize=options)])
    copy = tmp_path / "copy"
    shutil.copytree(w.work / "shop", copy)
    for argv in (
        ("edit", "set", "nameprefix", "--", "p-"),
        ("edit", "set", "image", "nginx=registry.example/nginx:1.27"),
        ("edit", "add", "label", "tier:front"),
    ):
        oracle("kustomize", *argv, cwd=copy)
    rendered = oracle("kustomize", "build", str(copy), cwd=tmp_path)
    applied_by_argo(w, "shop", rendered)

    done, doc = w.report(f"{w.ns}/shop")

    assert done.returncode == 0, done.stderr
    assert statuses(doc) == {"p-web": "in_sync", "p-settings": "in_sync"}
    assert doc["problems"] == []


def test_a_multi_source_app_joins_its_sources_and_reads_values_from_its_ref(
    repos: Repos,
) -> None:
    w = repos.world
    chart = source(w, "charts/web", helm={"valueFiles": ["$values/envs/prod.yaml"]})
    ref = {"repoURL": repos.values_url, "targetRevision": "main", "ref": "values"}
    application(w, "multi", [chart, ref, source(w, "plain")])
    values = str(repos.values_work / "envs/prod.yaml")
    rendered = helm_oracle(w, "multi", "--values", values)
    assert rendered[0]["data"]["colour"] == "purple"  # from the ref's repository
    applied_by_argo(w, "multi", [*rendered, json.loads(json.dumps(PLAIN_CM))])

    done, doc = w.report(f"{w.ns}/multi")

    assert done.returncode == 0, done.stderr
    assert statuses(doc) == {"multi-settings": "in_sync", "plain": "in_sync"}
    assert doc["problems"] == []


def test_each_object_of_a_multi_source_app_names_the_source_it_came_from(
    repos: Repos,
) -> None:
    """plain comes from deploy.git, other from values.git: each object's source (and the
    repository its file is relative to) is its own, not the app's first source's."""
    w = repos.world
    second = {"repoURL": repos.values_url, "targetRevision": "main", "path": "objs"}
    application(w, "two", [source(w, "plain"), second])
    commits = {
        url: git("rev-parse", "HEAD", cwd=work)
        for url, work in ((w.url, w.work), (repos.values_url, repos.values_work))
    }

    done, doc = w.report(f"{w.ns}/two")

    assert done.returncode == 1, done.stderr  # nothing is live: both missing
    assert {o["name"]: (o["source"], o["source_file"]) for o in doc["objects"]} == {
        "plain": (
            {"repo": w.url, "ref": "main", "commit": commits[w.url], "path": "plain"},
            "plain/cm.yaml",
        ),
        "other": (
            {
                "repo": repos.values_url,
                "ref": "main",
                "commit": commits[repos.values_url],
                "path": "objs",
            },
            "objs/cm.yaml",
        ),
    }
    markdown = w.run("report", "--format", "markdown", f"--app={w.ns}/two").stdout
    assert (
        f"ConfigMap/other: missing · ♥ Missing ({repos.values_url} @ main: objs/cm.yaml)"
        in markdown
    ), markdown
    # summary.apps names every source, the first also as `source`
    [app] = doc["summary"]["apps"]
    assert [src["repo"] for src in app["sources"]] == [w.url, repos.values_url]
    assert app["source"] == app["sources"][0]
    # in a pull request of deploy.git, values.git's objs/cm.yaml is not one of its files
    github = w.run("report", "--format", "github", f"--app={w.ns}/two").stdout.splitlines()
    plain = next(line for line in github if "ConfigMap/plain " in line)
    other = next(line for line in github if "ConfigMap/other " in line)
    assert "file=plain/cm.yaml" in plain, plain
    assert "file=" not in other and f"(from {repos.values_url} @ main: objs/cm.yaml)" in other


def git(*argv: str, cwd: Path) -> str:
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_plugin_app_is_refused_alone_and_the_other_apps_render(repos: Repos) -> None:
    w = repos.world
    application(w, "cdk", [source(w, "plain", plugin={"name": "cdk8s"})])
    application(w, "chart", [source(w, "charts/web")])  # no helm options: Argo CD's defaults
    applied_by_argo(w, "chart", helm_oracle(w, "chart"))

    done, doc = w.report(f"{w.ns}/cdk", f"{w.ns}/chart")

    assert done.returncode == 2, done.stderr
    assert statuses(doc) == {"chart-settings": "in_sync"}  # release and namespace as Argo CD's
    assert [(p["path"], p["message"]) for p in doc["problems"]] == [
        (f"application/{w.ns}/cdk", "not supported: config management plugin cdk8s")
    ]


def test_each_repository_is_fetched_once_however_many_apps_and_sources_use_it(
    repos: Repos,
) -> None:
    w = repos.world
    chart = source(w, "charts/web", helm={"valueFiles": ["$values/envs/prod.yaml"]})
    ref = {"repoURL": repos.values_url, "targetRevision": "main", "ref": "values"}
    application(w, "multi", [chart, ref, source(w, "plain")])
    application(
        w, "other", [source(w, "charts/web", helm={"valueFiles": ["$values/envs/prod.yaml"]}), ref]
    )
    application(w, "shop", [source(w, "shop")])

    done, _ = w.report(f"{w.ns}/multi", f"{w.ns}/other", f"{w.ns}/shop")

    assert done.returncode in (0, 1), done.stderr  # nothing is live: missing, but no error
    fetches = [r.split()[-1].split("/info/refs")[0] for r in repos.requests if "/info/refs" in r]
    assert sorted(fetches) == ["/deploy.git", "/values.git"]
