"""The CI formats end to end: a real repository, the real control plane, `driftui report`.

Annotations and findings land on the line where each drifted document starts, and no format
shows a Secret's value, from Git or from the cluster, in plain text or in base64.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from driftui.report.markdown import MAX_CHARS
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

GIT_SECRET = "git-password-0451"
LIVE_SECRET = "live-password-9317"
FORMATS = ("json", "markdown", "junit", "github", "sarif")


def _secret(ns: str, value: str) -> dict[str, object]:
    data = {"password": base64.b64encode(value.encode()).decode()}
    meta = {"name": "db", "namespace": ns}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "data": data}


def _config(ns: str, colour: str) -> dict[str, object]:
    meta = {"name": "web", "namespace": ns}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"colour": colour}}


@pytest.fixture
def repo(cluster: ClusterInfo, namespace: str, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "apps").mkdir(parents=True)
    # The Secret starts on line 2 (after a comment), its data.password is on line 8; the
    # ConfigMap starts on line 10, after "---", its data on line 15 and data.colour on 16.
    text = "# the web app\n" + yaml.safe_dump(_secret(namespace, GIT_SECRET), sort_keys=False)
    text += "---\n" + yaml.safe_dump(_config(namespace, "blue"), sort_keys=False)
    (root / "apps" / "web.yaml").write_text(text)
    lines = text.splitlines()
    assert lines[7] == "  password: Z2l0LXBhc3N3b3JkLTA0NTE=" and lines[8:10] == [
        "---",
        "apiVersion: v1",
    ]
    assert lines[14:16] == ["data:", "  colour: blue"]
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "apps"], check=True)
    for obj, plural in (
        (_secret(namespace, LIVE_SECRET), "secrets"),
        (
            {**_config(namespace, "red"), "data": {"colour": "red", "added": "by hand"}},
            "configmaps",
        ),
    ):
        status, body = harness.request(
            cluster,
            "POST",
            f"/api/v1/namespaces/{namespace}/{plural}?fieldManager=kubectl-edit",
            obj,
        )
        assert status == 201, body
    return root


def _report(cluster: ClusterInfo, namespace: str, repo: Path, fmt: str) -> str:
    argv = [sys.executable, "-m", "driftui", "report", "--format", fmt, "--repo", str(repo)]
    argv += ["-n", namespace, "--kubeconfig", cluster.kubeconfig("admin")]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr  # drift found
    return done.stdout


def test_ci_formats_point_at_the_drifted_lines_and_never_show_a_secret(
    cluster: ClusterInfo, namespace: str, repo: Path
) -> None:
    outputs = {fmt: _report(cluster, namespace, repo, fmt) for fmt in FORMATS}
    plain = (GIT_SECRET, LIVE_SECRET)
    encoded = tuple(base64.b64encode(v.encode()).decode() for v in plain)
    for fmt, text in outputs.items():
        leaked = [v for v in plain + encoded if v in text]
        assert leaked == [], f"{fmt} shows a Secret value"
    # Annotations and findings point at the first drifted field's line, and name every field's.
    secret = f"{namespace}/Secret/db drifted: data.password (changed by kubectl-edit, line 8)"
    config = f"{namespace}/ConfigMap/web drifted: data.colour (changed by kubectl-edit, line 16)"
    github = outputs["github"].splitlines()
    assert f"::warning file=apps/web.yaml,line=8,title=driftui%3A drifted::{secret}" in github
    assert f"::warning file=apps/web.yaml,line=16,title=driftui%3A drifted::{config}" in github
    sarif = json.loads(outputs["sarif"])
    found = {
        r["message"]["text"]: r["locations"][0]["physicalLocation"]
        for r in sarif["runs"][0]["results"]
    }
    assert found[config]["region"] == {"startLine": 16}
    assert found[secret] == {
        "artifactLocation": {"uri": "apps/web.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8},
    }
    objects = json.loads(outputs["json"])["objects"]
    assert sorted((o["kind"], o["source_line"]) for o in objects) == [
        ("ConfigMap", 10),
        ("Secret", 2),
    ]
    assert outputs["markdown"].count("<details>") == 2 and len(outputs["markdown"]) <= MAX_CHARS
