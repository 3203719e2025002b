"""What a Flux GitRepository hands its Kustomization: the tag its semver range picks, and its
artifact less what ``spec.ignore``, ``.sourceignore`` and source-controller's defaults leave
out. Against the real control plane (Flux's CRDs, no controllers) and Git served on
127.0.0.1; the live objects are a server-side apply by ``kustomize-controller``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.crds import GIT_REPOSITORY, KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import controller_applied, create, flux_status, hand_edited
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import commit, driftui, git, make_repo

pytestmark = pytest.mark.cluster


def cm(name: str, version: str) -> str:
    meta = {"name": name}
    return json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"v": version}}
    )


@dataclass
class Source:
    cluster: ClusterInfo
    ns: str
    url: str

    def applied(self, name: str, version: str, **extra: dict[str, str]) -> None:
        """What kustomize-controller leaves: a server-side apply with Flux's labels."""
        labels = {
            "kustomize.toolkit.fluxcd.io/name": "app",
            "kustomize.toolkit.fluxcd.io/namespace": self.ns,
            **extra.get("labels", {}),
        }
        body = json.loads(cm(name, version))
        body["metadata"] |= {"namespace": self.ns, "labels": labels}
        if "annotations" in extra:
            body["metadata"]["annotations"] = extra["annotations"]
        controller_applied(self.cluster, body, "kustomize-controller")

    def app(self, ref: dict[str, str], **repo_spec: Any) -> None:
        create(
            self.cluster,
            GIT_REPOSITORY,
            self.ns,
            "deploy",
            {"url": self.url, "ref": ref, **repo_spec},
        )
        ks = {"path": "./deploy", "sourceRef": {"kind": "GitRepository", "name": "deploy"}}
        create(
            self.cluster, KUSTOMIZATION, self.ns, "app", ks, status=flux_status("True", "Succeeded")
        )

    def report(self) -> tuple[Any, dict[str, Any]]:
        done = driftui(
            "report",
            "--format",
            "json",
            f"--app=kustomization/{self.ns}/app",
            "--kubeconfig",
            self.cluster.kubeconfig(),
            "-n",
            self.ns,
        )
        return done, json.loads(done.stdout) if done.stdout else {}


def serve(tmp_path: Path, work: Path, cluster: ClusterInfo, namespace: str) -> Iterator[Source]:
    make_bare(tmp_path / "srv", "deploy.git", work)
    with serve_git(tmp_path / "srv") as base:
        yield Source(cluster, namespace, f"{base}/deploy.git")


@pytest.fixture
def tagged(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[Source]:
    """Tags v1.0.0, v1.2.0, v2.0.0 and v1.3.0-rc.1, each with its version in the ConfigMap."""
    work = make_repo(tmp_path / "work", {"deploy/settings.yaml": cm("settings", "start")})
    for version in ("1.0.0", "1.2.0", "2.0.0", "1.3.0-rc.1"):
        commit(work, {"deploy/settings.yaml": cm("settings", version)})
        git(work, "tag", f"v{version}")
    commit(work, {"deploy/settings.yaml": cm("settings", "main")})
    yield from serve(tmp_path, work, cluster, namespace)


def status_of(doc: dict[str, Any]) -> dict[str, str]:
    return {o["name"]: o["status"] for o in doc["objects"]}


def test_a_semver_ref_compares_the_highest_tag_in_its_range(tagged: Source) -> None:
    tagged.app({"semver": ">=1.0.0 <2.0.0", "branch": "main"})
    tagged.applied("settings", "1.2.0")  # what source-controller checked out: v1.2.0

    done, doc = tagged.report()

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {"settings": "in_sync"}
    assert doc["source"]["ref"] == "v1.2.0"


def test_a_semver_range_no_tag_matches_is_an_error_on_the_app(tagged: Source) -> None:
    tagged.app({"semver": ">=3.0.0"})

    done, doc = tagged.report()

    assert done.returncode == 2
    [problem] = doc["problems"]
    assert problem["message"] == "no match found for semver: >=3.0.0"


@pytest.fixture
def with_ignored_files(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[Source]:
    files = {
        "deploy/settings.yaml": cm("settings", "1"),
        "deploy/fixtures/test-data.yaml": cm("test-data", "1"),  # spec.ignore drops it
        "deploy/drafts/.sourceignore": "*.yaml\n",  # drops the drafts
        "deploy/drafts/draft.yaml": cm("draft", "1"),
        "deploy/cloudbuild.yaml": cm("cloudbuild", "1"),  # a default exclude
    }
    work = make_repo(tmp_path / "work", files)
    yield from serve(tmp_path, work, cluster, namespace)


def test_files_the_artifact_leaves_out_are_not_compared(with_ignored_files: Source) -> None:
    src = with_ignored_files
    src.app({"branch": "main"}, ignore="# test data\n/deploy/fixtures/\n")
    src.applied("settings", "1")

    done, doc = src.report()

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {"settings": "in_sync"}  # nothing else reported missing
    assert doc["problems"] == []


SSA = "kustomize.toolkit.fluxcd.io/ssa"


def edit(src: Source, name: str, **data: str) -> None:
    hand_edited(src.cluster, src.ns, name, **data)


@pytest.fixture
def with_ssa_markers(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[Source]:
    in_git = json.loads(cm("seeded", "1"))
    in_git["metadata"]["annotations"] = {SSA: "IfNotPresent"}
    never = json.loads(cm("never", "1"))
    never["metadata"]["annotations"] = {SSA: "Ignore"}
    files = {
        "deploy/settings.yaml": cm("settings", "1"),
        "deploy/seeded.yaml": json.dumps(in_git),
        "deploy/never.yaml": json.dumps(never),  # Flux never creates it
        "deploy/watched.yaml": cm("watched", "1"),
    }
    work = make_repo(tmp_path / "work", files)
    yield from serve(tmp_path, work, cluster, namespace)


def test_objects_flux_does_not_apply_are_not_drift(with_ssa_markers: Source) -> None:
    src = with_ssa_markers
    src.app({"branch": "main"})
    src.applied("settings", "1", labels={SSA: "ignore"})  # marked live, as a label
    src.applied("seeded", "1", annotations={SSA: "IfNotPresent"})  # created once from Git
    src.applied("watched", "1")
    for name in ("settings", "seeded", "watched"):
        edit(src, name, v="by-hand")

    done, doc = src.report()

    assert done.returncode == 1, done.stderr + done.stdout
    assert status_of(doc) == {
        "settings": "in_sync",
        "seeded": "in_sync",
        "watched": "drifted",
        "never": "in_sync",  # absent, and Flux would leave it so
    }
    reasons = {o["name"]: o["reason"] for o in doc["objects"]}
    assert reasons["never"] == f"ignored: {SSA}: Ignore"
    assert reasons["settings"] == f"ignored: {SSA}: Ignore"
    assert reasons["seeded"] == f"ignored: {SSA}: IfNotPresent"
