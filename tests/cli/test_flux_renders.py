"""``--app`` renders a Flux Kustomization as kustomize-controller renders it: its path (with
a kustomization generated where it has none) with the Kustomization's prefix, suffix,
images, patches, components and common metadata. The oracle is the real ``kustomize build``
of the kustomization Flux's generator writes, with those fields set on it; its output is
server-side applied by ``kustomize-controller`` to the real control plane, so any
difference in driftui's rendering shows as drift."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.test_flux_sources import Source, serve, status_of
from tests.cluster import harness
from tests.cluster.crds import GIT_REPOSITORY, HELM_RELEASE, KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import controller_applied, create, flux_status
from tests.source.test_render_config import CACHE, driftui, make_repo
from tests.source.test_render_recipe import CHART, KUSTOMIZE

pytestmark = pytest.mark.cluster

PLAIN = {
    "deploy/cm.yaml": KUSTOMIZE["shop/cm.yaml"],
    "deploy/workloads/deploy.yaml": KUSTOMIZE["shop/deploy.yaml"],
    "deploy/README.md": "not a manifest\n",
    "components/extra/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [extra.yaml]\n"
    ),
    "components/extra/extra.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {e: '1'}\n"
    ),
}

DIGEST = "sha256:" + "c" * 64
SPEC: dict[str, Any] = {
    "namePrefix": "p-",
    "nameSuffix": "-s",
    "images": [
        {"name": "nginx", "newName": "registry.example/nginx", "newTag": "1.27", "digest": DIGEST}
    ],
    "patches": [
        {
            "patch": "- op: add\n  path: /data/b\n  value: '2'\n",
            "target": {"kind": "ConfigMap", "name": "settings"},
        }
    ],
    "components": ["../components/extra"],
    "commonMetadata": {"labels": {"tier": "front"}, "annotations": {"owner": "shop"}},
}

# The fields Flux's generator sets on the kustomization it writes for the plain path
# (fluxcd/pkg kustomize generator); commonMetadata is not one of them
GENERATED: dict[str, Any] = {
    "apiVersion": "kustomize.config.k8s.io/v1beta1",
    "kind": "Kustomization",
    "resources": ["cm.yaml", "workloads/deploy.yaml"],
    "namePrefix": "p-",
    "nameSuffix": "-s",
    "images": SPEC["images"],
    "patches": SPEC["patches"],
    "components": ["../components/extra"],
}


@pytest.fixture
def plain_path(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[tuple[Source, Path]]:
    work = make_repo(tmp_path / "work", PLAIN)
    for served in serve(tmp_path, work, cluster, namespace):
        yield served, work


def git_repository(src: Source) -> None:
    """The GitRepository ``deploy``: the served repository's main branch."""
    create(
        src.cluster, GIT_REPOSITORY, src.ns, "deploy", {"url": src.url, "ref": {"branch": "main"}}
    )


def kustomization(src: Source, **options: Any) -> None:
    git_repository(src)
    ks = {"path": "./deploy", "sourceRef": {"kind": "GitRepository", "name": "deploy"}, **options}
    create(src.cluster, KUSTOMIZATION, src.ns, "app", ks, status=flux_status("True", "Succeeded"))


def flux_build(work: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """What kustomize-controller applies: the generated kustomization, ``kustomize build``,
    then commonMetadata set on each object's own metadata (fluxcd/pkg ssa
    SetCommonMetadata, in the controller's apply): never on a pod template."""
    copy = tmp_path / "copy"
    shutil.copytree(work, copy, ignore=shutil.ignore_patterns(".git"))
    (copy / "deploy" / "kustomization.yaml").write_text(yaml.safe_dump(GENERATED))
    done = subprocess.run(
        ["kustomize", "build", str(copy / "deploy")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    built = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    common = SPEC["commonMetadata"]
    for doc in built:
        meta = doc["metadata"]
        meta["labels"] = {**meta.get("labels", {}), **common["labels"]}
        meta["annotations"] = {**meta.get("annotations", {}), **common["annotations"]}
    return built


def applied_by_flux(src: Source, objects: list[dict[str, Any]]) -> None:
    """Each object as kustomize-controller leaves it: a server-side apply with Flux's labels."""
    for body in objects:
        meta = body["metadata"]
        meta["namespace"] = src.ns
        meta.setdefault("labels", {}).update(
            {
                "kustomize.toolkit.fluxcd.io/name": "app",
                "kustomize.toolkit.fluxcd.io/namespace": src.ns,
            }
        )
        controller_applied(src.cluster, body, "kustomize-controller")


def test_a_plain_path_renders_with_the_kustomizations_options(
    plain_path: tuple[Source, Path], tmp_path: Path
) -> None:
    src, work = plain_path
    kustomization(src, **SPEC)
    rendered = flux_build(work, tmp_path)
    assert {d["metadata"]["name"] for d in rendered} == {"p-settings-s", "p-web-s", "p-extra-s"}
    [web] = [d for d in rendered if d["kind"] == "Deployment"]
    assert "annotations" not in web["spec"]["template"]["metadata"]
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] == (
        f"registry.example/nginx:1.27@{DIGEST}"
    )
    applied_by_flux(src, rendered)

    done, doc = src.report()

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {
        "p-settings-s": "in_sync",
        "p-web-s": "in_sync",
        "p-extra-s": "in_sync",
    }
    assert doc["problems"] == []


def test_an_image_the_kustomization_does_not_set_is_drift(
    plain_path: tuple[Source, Path], tmp_path: Path
) -> None:
    src, work = plain_path
    kustomization(src, **SPEC)
    rendered = flux_build(work, tmp_path)
    [web] = [d for d in rendered if d["kind"] == "Deployment"]
    web["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25"  # not overridden
    applied_by_flux(src, rendered)

    done, doc = src.report()

    assert done.returncode == 1, done.stderr + done.stdout
    assert status_of(doc)["p-web-s"] == "drifted"


def test_missing_components_are_left_out_only_by_the_app_that_says_so(
    plain_path: tuple[Source, Path], tmp_path: Path
) -> None:
    """Two Kustomizations of one path: the one with ``ignoreMissingComponents`` renders
    without the missing component, as the generator leaves it out; the other fails its
    build (an error on that app alone)."""
    src, work = plain_path
    components = ["../components/extra", "../components/gone"]
    kustomization(src, components=components, ignoreMissingComponents=True)
    broken = {"path": "./deploy", "sourceRef": {"kind": "GitRepository", "name": "deploy"}}
    broken["components"] = components
    create(src.cluster, KUSTOMIZATION, src.ns, "broken", broken, status=flux_status("True", "Ok"))
    copy = tmp_path / "copy"
    shutil.copytree(work, copy, ignore=shutil.ignore_patterns(".git"))
    generated = {"resources": ["cm.yaml", "workloads/deploy.yaml"], "components": components[:1]}
    (copy / "deploy" / "kustomization.yaml").write_text(yaml.safe_dump(generated))
    built = subprocess.run(
        ["kustomize", "build", str(copy / "deploy")], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    applied_by_flux(src, [doc for doc in yaml.safe_load_all(built.stdout) if doc])
    kubeconfig = src.cluster.kubeconfig()
    apps = [f"--app=kustomization/{src.ns}/{name}" for name in ("app", "broken")]

    done = driftui("report", "--format", "json", *apps, "--kubeconfig", kubeconfig, "-n", src.ns)

    doc = json.loads(done.stdout)
    assert done.returncode == 2, done.stderr + done.stdout
    assert status_of(doc) == {"settings": "in_sync", "web": "in_sync", "extra": "in_sync"}
    assert {o["app"]["name"] for o in doc["objects"]} == {"app"}
    [problem] = doc["problems"]
    assert "components/gone" in problem["message"], problem
    assert problem["app"] == {"kind": "Kustomization", "namespace": src.ns, "name": "broken"}
    counts = {a["name"]: a["in_sync"] for a in doc["summary"]["apps"]}
    assert counts == {"app": 3, "broken": 0}
    said = {a["name"]: a["problem"] for a in doc["summary"]["apps"]}
    assert said["app"] is None
    assert "components/gone" in said["broken"], said


# -- HelmRelease ---------------------------------------------------------------------------


@pytest.fixture
def chart_repo(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[tuple[Source, Path]]:
    work = make_repo(tmp_path / "work", CHART)
    for served in serve(tmp_path, work, cluster, namespace):
        yield served, work


def helm_release(src: Source, **spec: Any) -> None:
    git_repository(src)
    chart = {"chart": "./charts/web", "sourceRef": {"kind": "GitRepository", "name": "deploy"}}
    body = {"interval": "5m", "chart": {"spec": chart}, **spec}
    create(src.cluster, HELM_RELEASE, src.ns, "web", body, status=flux_status("True", "Succeeded"))


def helm_report(src: Source) -> tuple[Any, dict[str, Any]]:
    done = driftui(
        "report",
        "--format",
        "json",
        f"--app=helmrelease/{src.ns}/web",
        "--kubeconfig",
        src.cluster.kubeconfig(),
        "-n",
        src.ns,
    )
    return done, json.loads(done.stdout) if done.stdout else {}


def applied_by_helm_controller(src: Source, release: str, objects: list[dict[str, Any]]) -> None:
    """Each object as helm-controller installs it: Helm's ownership annotations, Flux's
    labels, created by its field manager."""
    for body in objects:
        meta = body["metadata"]
        meta.setdefault("annotations", {}).update(
            {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": src.ns}
        )
        meta.setdefault("labels", {}).update(
            {"helm.toolkit.fluxcd.io/name": "web", "helm.toolkit.fluxcd.io/namespace": src.ns}
        )
        url = f"/api/v1/namespaces/{src.ns}/configmaps?fieldManager=helm-controller"
        code, out = harness.request(src.cluster, "POST", url, body)
        assert code == 201, out


def test_a_helm_release_renders_with_its_release_name_namespace_and_values(
    chart_repo: tuple[Source, Path], tmp_path: Path
) -> None:
    src, work = chart_repo
    values = {"colour": "red", "extra": "x"}
    helm_release(src, targetNamespace=src.ns, values=values)
    release = f"{src.ns}-web"  # helm-controller's name with a target namespace
    (tmp_path / "values.json").write_text(json.dumps(values))
    argv = ["helm", "template", release, "charts/web", "--namespace", src.ns]
    done = subprocess.run(
        [*argv, "--values", str(tmp_path / "values.json"), "--include-crds"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rendered = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    assert rendered[0]["data"]["colour"] == "red"
    applied_by_helm_controller(src, release, rendered)

    done, doc = helm_report(src)

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {f"{release}-settings": "in_sync"}
    assert doc["problems"] == []


# -- HelmRelease valuesFrom ----------------------------------------------------------------

SECRET_TAG = "s3cr3t-token-42"  # must never be shown


def values_sources(src: Source) -> list[dict[str, Any]]:
    """A ConfigMap of values and a Secret holding one value, and the valuesFrom naming them
    (with a missing optional one, which helm-controller skips)."""
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web-values"},
        "data": {"values.yaml": "colour: red\nsize: 3\nextra: from-cm\n"},
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "web-secret"},
        "data": {"token": base64.b64encode(SECRET_TAG.encode()).decode()},
    }
    for body, plural in ((cm, "configmaps"), (secret, "secrets")):
        code, out = harness.request(
            src.cluster, "POST", f"/api/v1/namespaces/{src.ns}/{plural}", body
        )
        assert code == 201, out
    return [
        {"kind": "ConfigMap", "name": "web-values"},
        {"kind": "Secret", "name": "web-secret", "valuesKey": "token", "targetPath": "tag"},
        {"kind": "ConfigMap", "name": "absent", "optional": True},
    ]


def helm_template(work: Path, tmp_path: Path, release: str, ns: str, values: Any) -> list[Any]:
    (tmp_path / "merged.json").write_text(json.dumps(values))
    argv = ["helm", "template", release, "charts/web", "--namespace", ns]
    done = subprocess.run(
        [*argv, "--values", str(tmp_path / "merged.json")],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def every_output(src: Source) -> str:
    """What the user can see of the app: JSON and Markdown reports and the diff, stderr too."""
    app = f"--app=helmrelease/{src.ns}/web"
    where = ["--kubeconfig", src.cluster.kubeconfig(), "-n", src.ns]
    runs = [
        driftui("report", "--format", "json", app, *where),
        driftui("report", "--format", "markdown", app, *where),
        driftui("diff", app, *where),
    ]
    return "".join(done.stdout + done.stderr for done in runs)


def test_a_helm_release_renders_with_values_from_a_config_map_and_a_secret(
    chart_repo: tuple[Source, Path], tmp_path: Path
) -> None:
    src, work = chart_repo
    helm_release(src, valuesFrom=values_sources(src), values={"size": 7})
    # helm-controller's merge: the ConfigMap, the Secret's value at targetPath, values last
    merged = {"colour": "red", "size": 7, "extra": "from-cm", "tag": SECRET_TAG}
    rendered = helm_template(work, tmp_path, "web", src.ns, merged)
    assert rendered[0]["data"]["tag"] == SECRET_TAG
    applied_by_helm_controller(src, "web", rendered)

    done, doc = helm_report(src)

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {"web-settings": "in_sync"}
    assert doc["problems"] == []


def test_a_value_from_a_secret_appears_in_no_output(
    chart_repo: tuple[Source, Path], tmp_path: Path
) -> None:
    src, work = chart_repo
    helm_release(src, valuesFrom=values_sources(src), values={"size": 7})
    merged = {"colour": "red", "size": 7, "extra": "from-cm", "tag": "old"}  # live: drifted
    applied_by_helm_controller(src, "web", helm_template(work, tmp_path, "web", src.ns, merged))

    done, doc = helm_report(src)
    shown = every_output(src)

    assert done.returncode == 1, done.stderr + done.stdout
    assert status_of(doc) == {"web-settings": "drifted"}
    assert "old" in shown  # the diff is shown, its desired side masked
    assert SECRET_TAG not in shown
    cached = [p for p in Path(CACHE).rglob("*") if p.is_file()]
    assert not [p for p in cached if SECRET_TAG.encode() in p.read_bytes()]  # nor on disk


def test_a_missing_values_from_source_is_an_error_on_the_app(
    chart_repo: tuple[Source, Path],
) -> None:
    src, _ = chart_repo
    helm_release(src, valuesFrom=[{"kind": "ConfigMap", "name": "web-values"}])

    done, _ = helm_report(src)

    assert done.returncode == 2, done.stderr + done.stdout
    assert "ConfigMap/web-values (valuesFrom)" in done.stderr + done.stdout
