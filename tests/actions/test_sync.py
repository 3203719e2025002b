"""`driftui sync` against the real control plane: preview, apply, conflicts, order, prune,
and refusals proven from the audit log."""

from __future__ import annotations

import argparse
import base64
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from driftui.actions.outcomes import FieldConflict, parse_conflicts
from driftui.actions.sync import Syncer
from driftui.actions.sync_plan import SyncItem, prune_confirmation_word, sync_order
from driftui.cli import apps
from driftui.cli.sync import add_parsers, run_sync
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live.errors import ApiError
from driftui.model import ObjectRef
from tests.cluster import harness
from tests.cluster.crds import namespaced_crd
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import kubectl, write_repo

pytestmark = pytest.mark.cluster

WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


# -- helpers (also used by test_operators) -----------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="driftui")
    sub = parser.add_subparsers(dest="command")
    add_parsers(sub, lambda _parser: None)
    apps.add_parsers(sub, lambda _parser: None)
    return parser.parse_args(argv)


@dataclass
class Run:
    code: int
    out: str
    err: str
    questions: list[str] = field(default_factory=list)


def run(
    cluster: ClusterInfo,
    repo: Path,
    namespace: str,
    *argv: str,
    user: str = "admin",
    read_only: bool = False,
    answers: list[str] | None = None,
) -> Run:
    """One CLI run; ``answers`` feed the prompts in order (None: no terminal to ask on)."""
    options = ScanOptions(
        repo=str(repo),
        kubeconfig=cluster.kubeconfig(user),
        namespace=namespace,
        read_only=read_only,
        fetch=False,
    )
    scanner = Scanner(options, MutationGate(read_only=read_only))
    questions: list[str] = []
    prompt: Callable[[str], str] | None = None
    if answers is not None:
        queue = list(answers)

        def prompt(question: str) -> str:
            questions.append(question)
            return queue.pop(0) if queue else ""

    out, err = io.StringIO(), io.StringIO()
    code = run_sync(scanner, parse(*argv), prompt=prompt, out=out, err=err)
    return Run(code, out.getvalue(), err.getvalue(), questions)


def get(cluster: ClusterInfo, path: str) -> dict[str, Any]:
    status, body = harness.request(cluster, "GET", path)
    assert status == 200, body
    return dict(body)


def exists(cluster: ClusterInfo, path: str) -> bool:
    return harness.request(cluster, "GET", path)[0] == 200


def cm_path(ns: str, name: str) -> str:
    return f"/api/v1/namespaces/{ns}/configmaps/{name}"


def configmap(ns: str, name: str, data: dict[str, str], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, **meta},
        "data": data,
    }


def server_side_apply(cluster: ClusterInfo, obj: dict[str, Any], manager: str) -> None:
    meta = obj["metadata"]
    path = cm_path(meta["namespace"], meta["name"]) if obj["kind"] == "ConfigMap" else None
    assert path is not None
    status, body = harness.request(
        cluster,
        "PATCH",
        f"{path}?fieldManager={manager}&force=true",
        obj,
        content_type="application/apply-patch+yaml",
    )
    assert status in (200, 201), body


def managers(obj: dict[str, Any]) -> dict[str, str]:
    return {m["manager"]: m["operation"] for m in obj["metadata"].get("managedFields") or []}


def audit_mark(cluster: ClusterInfo) -> int:
    return len(cluster.audit_log.read_text().splitlines())


def audit_events(cluster: ClusterInfo, since: int) -> list[dict[str, Any]]:
    return [json.loads(line) for line in cluster.audit_log.read_text().splitlines()[since:]]


def writes_by(
    events: list[dict[str, Any]], users: set[str], namespace: str, names: set[str]
) -> list[dict[str, Any]]:
    """Write requests by ``users`` that touch our namespace or our named objects.

    SelfSubjectAccessReview is a ``create`` on ``selfsubjectaccessreviews``: asking "may I?"
    is how permissions are checked before any write, so it is excluded explicitly.
    """
    out = []
    for event in events:
        ref = event.get("objectRef") or {}
        if event["user"]["username"] not in users or event["verb"] not in WRITE_VERBS:
            continue
        if ref.get("resource") == "selfsubjectaccessreviews":
            continue
        if ref.get("namespace") == namespace or ref.get("name") in names:
            out.append(event)
    return out


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    return tmp_path / "repo"


# -- pure parts --------------------------------------------------------------------------


def test_conflicts_are_parsed_from_the_status_causes() -> None:
    body = {
        "kind": "Status",
        "reason": "Conflict",
        "code": 409,
        "details": {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "kubectl-edit" using apps/v1',
                    "field": '.spec.template.spec.containers[name="web"].image',
                },
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "hpa" with subresource "scale"',
                    "field": ".spec.replicas",
                },
                {"reason": "Other", "message": "ignored"},
            ]
        },
    }
    assert parse_conflicts(ApiError(409, "Conflict", "Apply failed", body)) == (
        FieldConflict('.spec.template.spec.containers[name="web"].image', "kubectl-edit"),
        FieldConflict(".spec.replicas", "hpa"),
    )


def test_order_puts_namespaces_and_crds_first_and_prunes_last_in_reverse() -> None:
    def item(group: str, kind: str, name: str, prune: bool = False) -> SyncItem:
        ref = ObjectRef(group, kind, "", name)
        return SyncItem(ref, "v1", None if prune else {}, exists=False)

    items = [
        item("example.com", "Widget", "w"),
        item("apps", "Deployment", "d"),
        item("", "ConfigMap", "c"),
        item("apiextensions.k8s.io", "CustomResourceDefinition", "widgets.example.com"),
        item("", "Namespace", "n"),
        item("", "Service", "gone", prune=True),
        item("", "Namespace", "gone-ns", prune=True),
    ]
    assert [i.ref.name for i in sync_order(items)] == [
        "n",
        "widgets.example.com",
        "c",
        "d",
        "w",
        "gone",
        "gone-ns",
    ]
    assert prune_confirmation_word([items[5]]) == "gone"
    assert prune_confirmation_word(items[5:]) == "prune"


# -- preview and apply -------------------------------------------------------------------


def drifted_setup(cluster: ClusterInfo, ns: str, repo: Path) -> None:
    """Git: settings (a=1, b=2) and fresh (missing live). Live settings was edited."""
    write_repo(
        repo,
        {
            "app.yaml": [
                configmap(ns, "settings", {"a": "1", "b": "2"}),
                configmap(ns, "fresh", {"x": "y"}),
            ]
        },
    )
    server_side_apply(cluster, configmap(ns, "settings", {"a": "1", "b": "2"}), "gitops")
    kubectl(
        cluster,
        "-n",
        ns,
        "patch",
        "configmap/settings",
        "--type=merge",
        "-p",
        '{"data":{"a":"changed"}}',
    )


def test_preview_changes_nothing_and_shows_predicted_against_live(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    drifted_setup(cluster, namespace, repo_dir)
    before = get(cluster, cm_path(namespace, "settings"))

    result = run(cluster, repo_dir, namespace, "sync", "--dry-run", "--force-conflicts")

    assert result.code == 0, result.err
    after = get(cluster, cm_path(namespace, "settings"))
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert after["data"] == {"a": "changed", "b": "2"}
    assert not exists(cluster, cm_path(namespace, "fresh"))
    assert f"--- live/{namespace}/ConfigMap/settings" in result.out
    assert "-  a: changed" in result.out and "+  a: '1'" in result.out
    assert f"+++ sync/{namespace}/ConfigMap/fresh  (create)" in result.out
    assert "+  x: y" in result.out


def test_without_yes_and_without_a_terminal_nothing_changes(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    drifted_setup(cluster, namespace, repo_dir)
    before = get(cluster, cm_path(namespace, "settings"))["metadata"]["resourceVersion"]
    result = run(cluster, repo_dir, namespace, "sync")
    assert result.code == 2
    assert "stdin is not a terminal" in result.err
    assert get(cluster, cm_path(namespace, "settings"))["metadata"]["resourceVersion"] == before
    assert not exists(cluster, cm_path(namespace, "fresh"))


def test_declining_the_confirmation_changes_nothing(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    drifted_setup(cluster, namespace, repo_dir)
    result = run(cluster, repo_dir, namespace, "sync", "ConfigMap/fresh", answers=["n"])
    assert result.code == 2 and "aborted" in result.err
    assert result.questions == ["Apply 1 objects as 'driftui'? [y/N] "]
    assert not exists(cluster, cm_path(namespace, "fresh"))


def test_apply_creates_missing_objects_and_names_the_field_manager(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    write_repo(
        repo_dir,
        {
            "app.yaml": [
                configmap(namespace, "fresh", {"x": "y"}),
                configmap(namespace, "other", {"k": "v"}),
            ]
        },
    )
    result = run(
        cluster, repo_dir, namespace, "sync", "--field-manager", "argocd-controller", answers=["y"]
    )
    assert result.code == 0, result.err
    assert f"{namespace}/ConfigMap/fresh: created" in result.out
    for name, data in (("fresh", {"x": "y"}), ("other", {"k": "v"})):
        live = get(cluster, cm_path(namespace, name))
        assert live["data"] == data
        assert managers(live) == {"argocd-controller": "Apply"}


def test_conflict_is_reported_with_its_manager_then_forced_after_a_separate_yes(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    drifted_setup(cluster, namespace, repo_dir)

    plain = run(cluster, repo_dir, namespace, "sync", "ConfigMap/settings", "--yes")
    assert plain.code == 2  # its only object was not applied: nothing changed
    assert "conflict: .data.a (owned by kubectl-patch)" in plain.err
    assert get(cluster, cm_path(namespace, "settings"))["data"]["a"] == "changed"

    declined = run(
        cluster,
        repo_dir,
        namespace,
        "sync",
        "ConfigMap/settings",
        "--force-conflicts",
        answers=["y", "n"],
    )
    assert declined.code == 2
    assert declined.questions[1] == "Take over 1 conflicting fields from kubectl-patch? [y/N] "
    assert get(cluster, cm_path(namespace, "settings"))["data"]["a"] == "changed"

    forced = run(
        cluster,
        repo_dir,
        namespace,
        "sync",
        "ConfigMap/settings",
        "--force-conflicts",
        answers=["y", "y"],
    )
    assert forced.code == 0, forced.err
    assert f"{namespace}/ConfigMap/settings: configured" in forced.out
    live = get(cluster, cm_path(namespace, "settings"))
    assert live["data"] == {"a": "1", "b": "2"}
    owned = {m["manager"]: m for m in live["metadata"]["managedFields"]}
    assert "f:a" in json.dumps(owned["driftui"]["fieldsV1"])
    assert "kubectl-patch" not in owned  # its only field was taken over


def test_validation_failure_does_not_stop_the_others(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    labels = {"app": "web"}
    bad = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {"name": "web", "image": "nginx", "ports": [{"containerPort": 99999}]}
                    ]
                },
            },
        },
    }
    write_repo(
        repo_dir,
        {
            "a.yaml": [
                configmap(namespace, "one", {"k": "1"}),
                bad,
                configmap(namespace, "two", {"k": "2"}),
            ]
        },
    )
    result = run(cluster, repo_dir, namespace, "sync", "--yes")
    assert result.code == 3  # partly done
    assert exists(cluster, cm_path(namespace, "one")) and exists(cluster, cm_path(namespace, "two"))
    assert not exists(cluster, f"/apis/apps/v1/namespaces/{namespace}/deployments/web")
    line = next(li for li in result.err.splitlines() if "Deployment.apps/web" in li)
    assert line.startswith(f"{namespace}/Deployment.apps/web: failed: ")
    assert "99999" in line and "must be between 1 and 65535" in line


def gadget_repo(repo_dir: Path, namespace: str, size_type: str) -> str:
    """Git with a new Gadget CRD (``size`` of schema type ``size_type``) and one Gadget in
    ``namespace``; the CRD's group."""
    group = f"g{uuid.uuid4().hex[:8]}.driftui.dev"
    crd = namespaced_crd(group, "Gadget", {"size": {"type": size_type}})
    gadget = {
        "apiVersion": f"{group}/v1",
        "kind": "Gadget",
        "metadata": {"name": "g1", "namespace": namespace},
        "spec": {"size": 3},
    }
    write_repo(repo_dir, {"gadget.yaml": [gadget], "crd.yaml": [crd]})
    return group


def test_a_crd_and_its_custom_object_are_created_by_one_sync(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    group = gadget_repo(repo_dir, namespace, "integer")
    crd_path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.{group}"
    try:
        result = run(cluster, repo_dir, namespace, "sync", "--yes")
        assert result.code == 0, result.out + result.err
        assert "its CRD is created first" in result.out  # the preview said so
        lines = [li for li in result.out.splitlines() if ": created" in li]
        assert lines == [
            f"CustomResourceDefinition.apiextensions.k8s.io/gadgets.{group}: created",
            f"{namespace}/Gadget.{group}/g1: created",
        ]
        live = get(cluster, f"/apis/{group}/v1/namespaces/{namespace}/gadgets/g1")
        assert live["spec"] == {"size": 3}
        assert managers(live) == {"driftui": "Apply"}
    finally:
        harness.request(cluster, "DELETE", crd_path)


def test_a_custom_object_whose_crd_failed_is_skipped_and_says_why(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    """The server refuses the CRD (a type no schema has): its object is not sent at all, and
    its line names the CRD, rather than an "unknown kind" failure of its own."""
    group = gadget_repo(repo_dir, namespace, "no-such-type")
    result = run(cluster, repo_dir, namespace, "sync", "--yes")
    assert result.code == 2, result.out + result.err  # nothing was changed
    crd_line = next(li for li in result.err.splitlines() if "CustomResourceDefinition" in li)
    assert crd_line.startswith(
        f"CustomResourceDefinition.apiextensions.k8s.io/gadgets.{group}: failed"
    )
    assert f"{namespace}/Gadget.{group}/g1: skipped: its CRD gadgets.{group} failed" in result.err


# -- prune -------------------------------------------------------------------------------


def prune_setup(cluster: ClusterInfo, ns: str, repo: Path, extras: list[str]) -> None:
    track = {"app.kubernetes.io/instance": f"app-{ns}"}
    write_repo(repo, {"keep.yaml": [configmap(ns, "keep", {"k": "v"}, labels=track)]})
    server_side_apply(cluster, configmap(ns, "keep", {"k": "v"}, labels=track), "driftui")
    for name in extras:
        server_side_apply(cluster, configmap(ns, name, {"old": "1"}, labels=track), "driftui")


def test_prune_needs_the_objects_name_typed(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    prune_setup(cluster, namespace, repo_dir, ["stray"])

    no_flag = run(cluster, repo_dir, namespace, "sync", "--yes")
    assert no_flag.code == 0 and "nothing to sync" in no_flag.out
    assert exists(cluster, cm_path(namespace, "stray"))

    wrong = run(cluster, repo_dir, namespace, "sync", "--prune", answers=["prune"])
    assert wrong.code == 2
    assert wrong.questions == ["Delete 1 objects? Type 'stray' to confirm: "]
    assert exists(cluster, cm_path(namespace, "stray"))

    typed = run(cluster, repo_dir, namespace, "sync", "--prune", answers=["stray"])
    assert typed.code == 0, typed.err
    assert f"{namespace}/ConfigMap/stray: pruned" in typed.out
    assert not exists(cluster, cm_path(namespace, "stray"))
    assert exists(cluster, cm_path(namespace, "keep"))


def test_pruning_several_needs_prune_typed_or_yes_with_prune(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    prune_setup(cluster, namespace, repo_dir, ["s1", "s2", "s3"])

    no_tty = run(cluster, repo_dir, namespace, "sync", "--prune")
    assert no_tty.code == 2
    assert all(exists(cluster, cm_path(namespace, n)) for n in ("s1", "s2", "s3"))

    typed = run(
        cluster,
        repo_dir,
        namespace,
        "sync",
        "--prune",
        "ConfigMap/s1",
        "ConfigMap/s2",
        answers=["prune"],
    )
    assert typed.code == 0, typed.err
    assert typed.questions == ["Delete 2 objects? Type 'prune' to confirm: "]
    assert not exists(cluster, cm_path(namespace, "s1"))
    assert not exists(cluster, cm_path(namespace, "s2"))

    yes = run(cluster, repo_dir, namespace, "sync", "--prune", "--yes")
    assert yes.code == 0, yes.err
    assert not exists(cluster, cm_path(namespace, "s3"))
    assert exists(cluster, cm_path(namespace, "keep"))


# -- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "read_only", "reason"),
    [
        ("viewer", False, "no patch permission on configmaps in "),
        ("nobody", False, "forbidden"),
        ("admin", True, "read-only mode"),
    ],
)
def test_refusals_send_no_write(
    cluster: ClusterInfo, namespace: str, repo_dir: Path, user: str, read_only: bool, reason: str
) -> None:
    drifted_setup(cluster, namespace, repo_dir)
    prune_setup_extra = configmap(
        namespace, "stray", {"x": "1"}, labels={"app.kubernetes.io/instance": "stray-app"}
    )
    server_side_apply(cluster, prune_setup_extra, "driftui")
    before = get(cluster, cm_path(namespace, "settings"))["metadata"]["resourceVersion"]
    mark = audit_mark(cluster)

    results = [
        run(cluster, repo_dir, namespace, *argv, user=user, read_only=read_only)
        for argv in (
            ("sync", "--yes", "--force-conflicts"),
            ("sync", "--dry-run"),
            ("sync", "--prune", "--yes"),
        )
    ]

    for result in results:
        assert result.code == 2, (result.out, result.err)
        assert reason in result.err
    events = audit_events(cluster, mark)
    assert any(e["user"]["username"] == user for e in events)  # it really ran: it read
    names = {"settings", "fresh", "stray", namespace}
    assert writes_by(events, {user}, namespace, names) == []
    assert get(cluster, cm_path(namespace, "settings"))["metadata"]["resourceVersion"] == before
    assert not exists(cluster, cm_path(namespace, "fresh"))


def test_syncer_refuses_nobody_before_any_write(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    """The library surface the explorer uses: refusals() asks, never writes."""
    from driftui.live.client import ClusterClient

    client = ClusterClient.from_kubeconfig(cluster.kubeconfig("nobody"), gate=MutationGate())
    ref = ObjectRef("", "ConfigMap", namespace, "x")
    item = SyncItem(ref, "v1", configmap(namespace, "x", {"k": "v"}), exists=False)
    admin = ClusterClient.from_kubeconfig(cluster.kubeconfig("admin"), gate=MutationGate())
    from driftui.live.discovery import discover

    mark = audit_mark(cluster)
    syncer = Syncer(client, discovery=discover(admin))
    assert syncer.refusals([item]) == {ref: f"no patch permission on configmaps in {namespace}"}
    events = audit_events(cluster, mark)
    assert [e["objectRef"]["resource"] for e in events if e["user"]["username"] == "nobody"] == [
        "selfsubjectaccessreviews"
    ]
    assert writes_by(events, {"nobody"}, namespace, {"x"}) == []


@pytest.fixture(autouse=True)
def _no_user_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield


def test_a_rejected_secret_never_shows_its_value(
    cluster: ClusterInfo, namespace: str, repo_dir: Path
) -> None:
    plain = "not-json-hunter2-value"
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "pull", "namespace": namespace},
        "type": "kubernetes.io/dockerconfigjson",
        "stringData": {".dockerconfigjson": plain},  # invalid: the server rejects it
    }
    write_repo(repo_dir, {"a.yaml": [secret]})
    result = run(cluster, repo_dir, namespace, "sync", "--yes")
    assert result.code == 2  # its only object failed: nothing changed
    line = next(li for li in result.err.splitlines() if "Secret/pull" in li)
    assert ": failed: " in line and ".dockerconfigjson" in line
    output = result.out + result.err
    assert plain not in output
    assert base64.b64encode(plain.encode()).decode() not in output
