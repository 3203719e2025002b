"""The offline demo: a real Git history and a snapshot with every kind of drift, no leaks."""

from __future__ import annotations

import base64
import glob
import json
import re
import subprocess
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import driftui.demo
from driftui.demo import (
    DEMO_KEY,
    SECRET_PLAINTEXTS,
    SNAPSHOT,
    TRACKING_ANNOTATION,
    DemoFixture,
    build_demo,
)
from driftui.demo.timeshift import NEWEST_AGE, parse, stamps
from driftui.live.snapshot import read_snapshot
from driftui.model import ObjectRef
from driftui.source.yaml_loader import parse_documents

TOKEN = re.compile(r"^<secret:[0-9a-f]{12}>$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
NOW = datetime(2031, 3, 4, 12, 0, tzinfo=UTC)  # any fixed clock: the demo dates from it


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFixture:
    return build_demo(tmp_path_factory.mktemp("demo"), now=NOW)


def objects_at(repo: Path, commit: str) -> dict[ObjectRef, dict[str, Any]]:
    out: dict[ObjectRef, dict[str, Any]] = {}
    for path in git(repo, "ls-tree", "-r", "--name-only", commit).split():
        if path.endswith(".yaml"):
            data = git(repo, "show", f"{commit}:{path}").encode()
            for doc in parse_documents(data, path).documents:
                out[ObjectRef.of(doc.body)] = doc.body
    return out


def live_objects(demo: DemoFixture) -> dict[ObjectRef, dict[str, Any]]:
    return {ObjectRef.of(o): o for o in read_snapshot(demo.snapshot).objects}


def test_repo_has_a_meaningful_history(demo: DemoFixture) -> None:
    assert int(git(demo.repo, "rev-list", "--count", "HEAD")) >= 20
    assert git(demo.repo, "status", "--porcelain") == ""
    authors = set(git(demo.repo, "log", "--format=%an").splitlines())
    assert len(authors) >= 3
    renames = git(demo.repo, "log", "-M", "--diff-filter=R", "--name-status", "--format=")
    assert "apps/shop/cart.yaml\tapps/shop/cart-service.yaml" in renames


def test_repo_covers_the_kinds_and_namespaces(demo: DemoFixture) -> None:
    head = objects_at(demo.repo, "HEAD")
    kinds = {ref.kind for ref in head}
    assert {"Namespace", "Deployment", "Service", "ConfigMap", "Secret"} <= kinds
    assert {"CustomResourceDefinition", "Certificate"} <= kinds
    assert {ref.namespace for ref in head} >= {"shop", "payments", "monitoring"}
    multi_document = [
        p
        for p in git(demo.repo, "ls-files").split()
        if git(demo.repo, "show", f"HEAD:{p}").count("\n---\n")
    ]
    assert multi_document


def test_build_is_deterministic(demo: DemoFixture, tmp_path: Path) -> None:
    again = build_demo(tmp_path, now=NOW)
    assert git(again.repo, "rev-parse", "HEAD") == git(demo.repo, "rev-parse", "HEAD")
    assert again.snapshot.read_bytes() == demo.snapshot.read_bytes()


def test_a_git_dir_around_driftui_does_not_redirect_the_demo_repository(
    demo: DemoFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a git hook (GIT_DIR set), ``git init`` would initialise the hook's repository
    and the demo would find none of its own."""
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    again = build_demo(tmp_path / "demo", now=NOW)
    monkeypatch.delenv("GIT_DIR", raising=False)
    assert git(again.repo, "rev-parse", "HEAD") == git(demo.repo, "rev-parse", "HEAD")
    assert git(other, "rev-list", "--all") == ""


def commit_dates(repo: Path) -> list[datetime]:
    """Author and committer dates, oldest commit first."""
    lines = git(repo, "log", "--reverse", "--format=%at %ct").split()
    return [datetime.fromtimestamp(int(t), UTC) for t in lines]


def test_the_newest_change_reads_hours_old_and_every_date_keeps_its_place(
    demo: DemoFixture, tmp_path: Path
) -> None:
    """One delta for the repository and the snapshot: order and spacing kept, now-relative."""
    live = [parse(s) for s in stamps(read_snapshot(demo.snapshot).objects)]
    commits = commit_dates(demo.repo)
    assert max(live + commits) == NOW - NEWEST_AGE
    assert commits == sorted(commits) and max(commits) < max(live)
    later = build_demo(tmp_path, now=NOW + timedelta(days=400, seconds=7))
    moved = [parse(s) for s in stamps(read_snapshot(later.snapshot).objects)]
    assert [b - a for a, b in zip(live, moved, strict=True)] == [
        timedelta(days=400, seconds=7)
    ] * len(live)
    assert [b - a for a, b in zip(commits, commit_dates(later.repo), strict=True)] == [
        timedelta(days=400, seconds=7)
    ] * len(commits)


def test_the_snapshot_is_a_real_servers(demo: DemoFixture) -> None:
    """Captured, not made up: server-assigned uids and versions, and the server's defaults."""
    captured = read_snapshot(SNAPSHOT)
    assert captured.kube_version.startswith("v1.") and captured.api_versions
    uids = {o["metadata"]["uid"] for o in captured.objects}
    assert len(uids) == len(captured.objects)
    deployment = next(o for o in captured.objects if o["kind"] == "Deployment")
    assert deployment["spec"]["progressDeadlineSeconds"] == 600  # defaulted by the server


def test_snapshot_names_the_demo_key_and_never_holds_it(demo: DemoFixture) -> None:
    snapshot = read_snapshot(demo.snapshot)
    assert snapshot.key_id == DEMO_KEY.id and snapshot.legacy_salt is None
    text = demo.snapshot.read_text(encoding="utf-8")
    assert DEMO_KEY.secret.hex() not in text and '"salt"' not in text
    assert snapshot.objects
    assert RFC3339.match(snapshot.taken_at)


def test_every_live_object_from_git_carries_the_tracking_id(demo: DemoFixture) -> None:
    live = live_objects(demo)
    for ref in objects_at(demo.repo, "HEAD"):
        if ref.name == "payments-worker":
            continue  # deleted by hand in the demo: missing
        annotations = live[ref]["metadata"]["annotations"]
        app, _, rest = annotations[TRACKING_ANNOTATION].partition(":")
        assert app
        assert rest == f"{ref.group}/{ref.kind}:{ref.namespace}/{ref.name}"


def test_snapshot_has_missing_and_extra_objects(demo: DemoFixture) -> None:
    live = live_objects(demo)
    head = objects_at(demo.repo, "HEAD")
    missing = [ref for ref in head if ref not in live]
    extra = [
        ref
        for ref, obj in live.items()
        if ref not in head and TRACKING_ANNOTATION in (obj["metadata"].get("annotations") or {})
    ]
    assert [ref.name for ref in missing] == ["payments-worker"]
    assert [ref.name for ref in extra] == ["promo-banner"]


def test_managed_fields_are_well_formed_and_attribute_the_drift(demo: DemoFixture) -> None:
    managers: set[tuple[str, str, str]] = set()
    for obj in read_snapshot(demo.snapshot).objects:
        meta = obj["metadata"]
        assert meta["uid"] and meta["resourceVersion"] and RFC3339.match(meta["creationTimestamp"])
        for entry in meta["managedFields"]:
            assert entry["fieldsType"] == "FieldsV1"
            assert entry["operation"] in {"Apply", "Update"}
            assert isinstance(entry["fieldsV1"], dict) and entry["fieldsV1"]
            # the server records no time for writes through the scale subresource
            assert RFC3339.match(entry.get("time", "")) or entry.get("subresource") == "scale"
            assert "/" in entry["apiVersion"] or entry["apiVersion"] == "v1"
            managers.add((entry["manager"], entry["operation"], entry.get("subresource", "")))
    assert {
        ("argocd-controller", "Apply", ""),
        ("kubectl-edit", "Update", ""),
        ("kubectl", "Update", "scale"),
        ("kubectl-label", "Update", ""),
        ("kubectl-patch", "Update", ""),
        ("kubectl-set", "Update", ""),
        ("kube-controller-manager", "Update", "scale"),
        ("kube-controller-manager", "Update", "status"),
    } <= managers


def test_drifted_values_differ_from_git(demo: DemoFixture) -> None:
    live = live_objects(demo)
    head = objects_at(demo.repo, "HEAD")
    cart = ObjectRef("apps", "Deployment", "shop", "cart")
    assert live[cart]["spec"]["replicas"] != head[cart]["spec"]["replicas"]
    live_env = {e["name"] for e in live[cart]["spec"]["template"]["spec"]["containers"][0]["env"]}
    git_env = {e["name"] for e in head[cart]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert live_env - git_env == {"LEGACY_CHECKOUT"}  # removed from Git, still live
    cert = ObjectRef("cert-manager.io", "Certificate", "payments", "payments-tls")
    assert live[cert]["spec"]["renewBefore"] != head[cert]["spec"]["renewBefore"]
    frontend = ObjectRef("apps", "Deployment", "shop", "frontend")
    assert "replicas" not in head[frontend]["spec"]  # the HPA owns it


def test_no_secret_value_reaches_the_snapshot(demo: DemoFixture) -> None:
    text = demo.snapshot.read_text(encoding="utf-8")
    plaintexts = set(SECRET_PLAINTEXTS)
    for sha in git(demo.repo, "rev-list", "HEAD").split():
        for ref, obj in objects_at(demo.repo, sha).items():
            if ref.kind == "Secret":
                plaintexts |= {base64.b64decode(v).decode() for v in obj["data"].values()}
    assert len(plaintexts) >= 4
    for value in plaintexts:
        assert value not in text
        assert base64.b64encode(value.encode()).decode() not in text
    secrets = [o for o in json.loads(text)["objects"] if o["kind"] == "Secret"]
    assert secrets
    for secret in secrets:
        assert all(TOKEN.match(v) for v in secret["data"].values())


def test_git_sees_a_clean_work_tree_without_refreshing_its_index(demo: DemoFixture) -> None:
    """`git revert` does not refresh the index: it must already match the files."""
    stale = subprocess.run(["git", "diff-files", "--quiet"], cwd=demo.repo, check=False)
    assert stale.returncode == 0


def test_the_package_data_carries_every_demo_file() -> None:
    """A wheel holds what pyproject's package-data globs match, as setuptools globs them."""
    package = Path(driftui.demo.__file__).parent
    config = tomllib.loads((package.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["driftui.demo"]
    shipped = {m for p in patterns for m in glob.glob(p, root_dir=package, recursive=True)}
    data = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    }
    assert len(data) > 30 and data <= shipped
