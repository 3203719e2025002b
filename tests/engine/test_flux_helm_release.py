"""A HelmRelease with chart valuesFiles and postRenderers, scanned end to end (``--app``)
against the real control plane, its chart served by a git server on 127.0.0.1. The live
objects are what helm-controller would install: the chart with its values.yaml replaced by
the valuesFiles, ``helm template``, then the post-renderer through the real kustomize."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.test_flux_renders import applied_by_helm_controller, chart_repo, helm_report
from tests.cli.test_flux_sources import Source, status_of
from tests.cluster.crds import GIT_REPOSITORY, HELM_RELEASE
from tests.gitops.objects import create, flux_status

pytestmark = pytest.mark.cluster
__all__ = ["chart_repo"]  # the fixture, used by name

PATCH = {
    "patch": "- op: add\n  path: /data/patched\n  value: 'yes'\n",
    "target": {"kind": "ConfigMap"},
}


def release(src: Source) -> None:
    create(
        src.cluster, GIT_REPOSITORY, src.ns, "deploy", {"url": src.url, "ref": {"branch": "main"}}
    )
    chart = {
        "chart": "./charts/web",
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
        "valuesFiles": ["charts/web/values-prod.yaml", "shared/common.yaml"],
    }
    spec = {
        "interval": "5m",
        "chart": {"spec": chart},
        "values": {"extra": "inline"},
        "postRenderers": [{"kustomize": {"patches": [PATCH]}}],
    }
    create(src.cluster, HELM_RELEASE, src.ns, "web", spec, status=flux_status("True", "Succeeded"))


def installed(work: Path, tmp_path: Path, ns: str) -> list[dict[str, Any]]:
    copy = tmp_path / "chart-copy"
    shutil.copytree(work, copy, ignore=shutil.ignore_patterns(".git"))
    (copy / "charts/web/values.yaml").write_text("colour: green\nsize: 5\n")  # the two files
    (tmp_path / "values.json").write_text(json.dumps({"extra": "inline"}))
    argv = ["helm", "template", "web", "charts/web", "--namespace", ns, "--include-crds"]
    argv += ["--values", str(tmp_path / "values.json")]
    done = subprocess.run(argv, cwd=copy, capture_output=True, text=True, check=True)
    post = tmp_path / "post"
    post.mkdir()
    (post / "helm-output.yaml").write_text(done.stdout)
    kustomization = {"resources": ["helm-output.yaml"], "patches": [PATCH]}
    (post / "kustomization.yaml").write_text(json.dumps(kustomization))
    built = subprocess.run(
        ["kustomize", "build", str(post)], capture_output=True, text=True, check=True
    )
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


def test_chart_values_files_and_post_renderers_render_as_helm_controller_installs(
    chart_repo: tuple[Source, Path], tmp_path: Path
) -> None:
    src, work = chart_repo
    release(src)
    objects = installed(work, tmp_path, src.ns)
    [cm] = objects
    assert (cm["data"]["colour"], cm["data"]["size"], cm["data"]["patched"]) == (
        "green",
        "5",
        "yes",
    )
    assert cm["data"]["extra"] == "inline"
    applied_by_helm_controller(src, "web", objects)

    done, doc = helm_report(src)

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {"web-settings": "in_sync"}
    assert doc["problems"] == []
