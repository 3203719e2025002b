"""A Flux Kustomization is built as kustomize-controller builds it: with
``LoadRestrictionsNone`` on a file system bound to the checkout. A kustomization may list a
file beside its own directory (a common Flux layout); nothing outside the checkout is read.
The oracle is the real ``kustomize build --load-restrictor=LoadRestrictionsNone`` of the
same directory, server-side applied by ``kustomize-controller``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.cli.test_flux_renders import applied_by_flux, kustomization
from tests.cli.test_flux_sources import Source, serve, status_of
from tests.cluster.crds import KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import create, flux_status
from tests.source.test_render_config import driftui, make_repo

pytestmark = pytest.mark.cluster

SECRET = "outside-the-checkout-7f3a"
SIBLING = {
    "deploy/kustomization.yaml": "resources: [own.yaml, ../common/shared.yaml]\n",
    "deploy/own.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\ndata: {a: '1'}\n",
    "common/shared.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {b: '2'}\n"
    ),
}


@pytest.fixture
def sibling(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[tuple[Source, Path]]:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET}\n")
    up = "../" * 30 + str(outside).lstrip("/")  # many ``..`` end at /, then the file
    leak = {
        "leak/kustomization.yaml": yaml.safe_dump(
            {
                "resources": ["cm.yaml"],
                "configMapGenerator": [{"name": "stolen", "files": [f"data={up}"]}],
            }
        ),
        "leak/cm.yaml": SIBLING["deploy/own.yaml"].replace("own", "leaky"),
    }
    work = make_repo(tmp_path / "work", {**SIBLING, **leak})
    for served in serve(tmp_path, work, cluster, namespace):
        yield served, work


def test_a_file_beside_the_kustomization_builds_as_flux_builds_it(
    sibling: tuple[Source, Path],
) -> None:
    src, work = sibling
    kustomization(src)
    built = subprocess.run(
        ["kustomize", "build", "--load-restrictor=LoadRestrictionsNone", str(work / "deploy")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    applied_by_flux(src, [doc for doc in yaml.safe_load_all(built.stdout) if doc])

    done, doc = src.report()

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {"own": "in_sync", "shared": "in_sync"}
    assert doc["problems"] == []


def test_a_file_outside_the_checkout_is_refused_on_that_app_alone(
    sibling: tuple[Source, Path],
) -> None:
    src, work = sibling
    kustomization(src)
    leaky = {"path": "./leak", "sourceRef": {"kind": "GitRepository", "name": "deploy"}}
    create(src.cluster, KUSTOMIZATION, src.ns, "leaky", leaky, status=flux_status("True", "Ok"))
    built = subprocess.run(
        ["kustomize", "build", "--load-restrictor=LoadRestrictionsNone", str(work / "deploy")],
        capture_output=True,
        text=True,
        check=False,
    )
    applied_by_flux(src, [doc for doc in yaml.safe_load_all(built.stdout) if doc])
    apps = [f"--app=kustomization/{src.ns}/{name}" for name in ("app", "leaky")]

    done = driftui(
        "report", "--format", "json", *apps, "--kubeconfig", src.cluster.kubeconfig(), "-n", src.ns
    )

    assert done.returncode == 2, done.stderr + done.stdout
    doc = json.loads(done.stdout)
    assert status_of(doc) == {"own": "in_sync", "shared": "in_sync"}
    [problem] = doc["problems"]
    assert "leads outside the repository" in problem["message"], problem
    assert problem["path"] == "leak/kustomization.yaml"
    assert SECRET not in done.stdout + done.stderr
