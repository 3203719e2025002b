"""Two-way and three-way verdicts, with and without managedFields, on the real control plane.

Each case applies an older revision of Git the way a team really does it (client-side
``kubectl apply``, ``kubectl create``, server-side apply by Argo CD's or kubectl's name),
then drifts it by hand, and scans the current revision. The older revision still has a
label, an annotation, an env entry and a Secret key that Git has since dropped.

The oracle is ``kubectl diff`` (client-side for last-applied objects, ``--server-side`` as
the applier for server-side ones): what it would delete is exactly what driftui calls
``removed_from_git``, and it deletes nothing driftui calls ``added_outside_git``.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import ScanReport
from driftui.report import to_dict
from tests import drift_scenario
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

pytestmark = pytest.mark.cluster

ENV = "spec.template.spec.containers[name=web].env"
IMAGE = "spec.template.spec.containers[name=web].image"
Verdicts = dict[str, tuple[str, frozenset[tuple[str, str, str | None]]]]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def objects(ns: str, *, older: bool) -> list[dict[str, Any]]:
    """Git's current revision, or the older one that was applied."""
    labels = {"app": "demo", "version": "v1" if older else "v2"}
    annotations = {"note": "keep"}
    data = {"a": "1"}
    env = [{"name": "A", "value": "1"}]
    secret = {"token": _b64("t0ken"), "empty": ""}
    if older:
        labels["tier"] = "old"
        annotations["legacy"] = "yes"
        data["old"] = "x"
        env.append({"name": "OLD", "value": "1"})
        secret["old"] = _b64("o1d-secret-value")
    meta: dict[str, Any] = {"namespace": ns, "labels": labels, "annotations": annotations}
    if older:
        meta["finalizers"] = ["example.com/keep"]  # Git's once: not a controller's
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cfg", **meta},
            "data": data,
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": ns},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "env": env}]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "sec", "namespace": ns},
            "data": secret,
        },
    ]


@dataclass
class Case:
    cluster: ClusterInfo
    namespace: str
    repo: Path
    applied: Path

    def kubectl(self, *args: str, check: bool = True) -> str:
        return drift_scenario.kubectl(self.cluster, "-n", self.namespace, *args, check=check).stdout

    def strip_managed_fields(self) -> None:
        """What objects of old clients look like: the documented way to clear them."""
        patch = json.dumps([{"op": "replace", "path": "/metadata/managedFields", "value": [{}]}])
        for obj in ("configmap/cfg", "deployment/web", "secret/sec"):
            self.kubectl("patch", obj, "--type=json", "-p", patch)
            live = json.loads(self.kubectl("get", obj, "-o", "json", "--show-managed-fields"))
            assert "managedFields" not in live["metadata"], live["metadata"]

    def hand_server_side_apply(self) -> None:
        """A person's own `kubectl apply --server-side` of one hotfix (manager kubectl)."""
        hotfix = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "cfg",
                "namespace": self.namespace,
                "labels": {"example.com/hotfix": "1"},
            },
            "data": {"hotfix": "1"},
        }
        path = self.applied.parent / "hotfix.yaml"
        path.write_text(yaml.safe_dump(hotfix))
        self.kubectl("apply", "--server-side", "-f", str(path))

    def hand_edits(self) -> None:
        """`kubectl edit` of a Git field and a `kubectl patch` adding an annotation."""
        drift_scenario.kubectl(
            self.cluster, "-n", self.namespace, "edit", "deployment/web",
            env={"KUBE_EDITOR": "sed -i s/nginx:1.25/nginx:1.26/"},
        )  # fmt: skip
        patch = json.dumps({"metadata": {"annotations": {"hand": "1"}}})
        self.kubectl("patch", "configmap/cfg", "--type=merge", "-p", patch)

    def scan(self, user: str) -> ScanReport:
        options = ScanOptions(
            repo=str(self.repo),
            kubeconfig=self.cluster.kubeconfig(user),
            namespace=self.namespace,
            read_only=user == "viewer",
        )
        return Scanner(options, MutationGate(read_only=user == "viewer")).scan()

    def oracle(self, *flags: str) -> dict[str, str]:
        """ "Kind/name" -> the lines `kubectl diff` would delete, one string per object."""
        result = drift_scenario.kubectl(
            self.cluster,
            "-n",
            self.namespace,
            "diff",
            *flags,
            "-f",
            str(self.repo / "app.yaml"),
            check=False,
        )
        assert result.returncode in (0, 1), result.stderr
        out: dict[str, str] = {}
        current = ""
        for line in result.stdout.splitlines():
            if line.startswith("diff -u -N"):
                parts = line.split()[-1].rsplit("/", 1)[-1].split(".")
                current = f"{parts[-3]}/{parts[-1]}"
                out[current] = ""
            elif line.startswith("-") and not line.startswith("---"):
                out[current] += line + "\n"
        return out


def verdicts(report: ScanReport) -> Verdicts:
    return {
        f"{r.ref.kind}/{r.ref.name}": (
            r.status.value,
            frozenset((d.type.value, d.dotted, d.manager) for d in r.differences),
        )
        for r in report.results
    }


@pytest.fixture
def case(cluster: ClusterInfo, tmp_path: Path) -> Iterator[Case]:
    ns = f"tw-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    drift_scenario.grant_auditor_reads(cluster, ns)
    repo = tmp_path / "repo"
    drift_scenario.write_repo(repo, {"app.yaml": objects(ns, older=False)})
    applied = tmp_path / "applied" / "app.yaml"
    applied.parent.mkdir()
    applied.write_text(yaml.safe_dump_all(objects(ns, older=True), sort_keys=False))
    yield Case(cluster, ns, repo, applied)
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


def removed(manager: str | None) -> dict[str, frozenset[tuple[str, str, str | None]]]:
    """What the next apply deletes: the four fields the older revision still had."""
    return {
        "ConfigMap/cfg": frozenset(
            {
                ("changed", "metadata.labels.version", manager),
                ("removed_from_git", "metadata.labels.tier", manager),
                ("removed_from_git", "metadata.annotations.legacy", manager),
                ("removed_from_git", "data.old", manager),
                ("removed_from_git", "metadata.finalizers", manager),
            }
        ),
        "Deployment/web": frozenset({("removed_from_git", f"{ENV}[name=OLD]", manager)}),
        "Secret/sec": frozenset({("removed_from_git", "data.old", manager)}),
    }


def drifted(found: dict[str, frozenset[tuple[str, str, str | None]]]) -> Verdicts:
    return {name: ("drifted" if diffs else "in_sync", diffs) for name, diffs in found.items()}


def assert_both_fidelities(case: Case, expected: Verdicts) -> None:
    for user in ("viewer", "admin"):
        assert verdicts(case.scan(user)) == expected, user


def assert_oracle_agrees(case: Case, expected: Verdicts, *flags: str) -> None:
    """Every removed_from_git leaf is on a line kubectl diff deletes; no added_outside_git is."""
    deleted = case.oracle(*flags)
    for name, (_, diffs) in expected.items():
        for kind, path, _ in diffs:
            leaf = path.rsplit(".", 1)[-1].removeprefix("env[name=").rstrip("]")
            lines = deleted.get(name, "")
            if kind == "removed_from_git":
                assert f" {leaf}" in lines, (name, path, lines)
            elif kind == "added_outside_git":
                assert f" {leaf}:" not in lines, (name, path, lines)


def test_three_way_client_side_apply_with_managed_fields(case: Case) -> None:
    case.kubectl("apply", "-f", str(case.applied))
    case.hand_edits()
    found = removed("kubectl-client-side-apply")
    found["ConfigMap/cfg"] |= {("added_outside_git", "metadata.annotations.hand", "kubectl-patch")}
    found["Deployment/web"] |= {("changed", IMAGE, "kubectl-edit")}
    expected = drifted(found)
    assert_both_fidelities(case, expected)
    assert_oracle_agrees(case, expected)


def test_three_way_without_managed_fields_uses_last_applied(case: Case) -> None:
    """Issue 17 item 3: an old client's object; before the fix it read in_sync."""
    case.kubectl("apply", "-f", str(case.applied))
    case.strip_managed_fields()
    case.hand_edits()  # untracked now: the edit is seen by value, the annotation not at all
    found = removed(None)
    found["Deployment/web"] |= {("changed", IMAGE, None)}
    expected = drifted(found)
    assert_both_fidelities(case, expected)
    assert_oracle_agrees(case, expected)


def test_two_way_kubectl_create_with_managed_fields(case: Case) -> None:
    """No last-applied: nothing says the next `kubectl create`/`replace` deletes the older
    fields, and kubectl diff agrees. Their creator applied Git's fields, so they are the
    applier's, not added outside Git; a later hand label is."""
    case.kubectl("create", "-f", str(case.applied))
    case.kubectl("label", "configmap/cfg", "team=payments")
    expected = drifted(
        {
            "ConfigMap/cfg": frozenset(
                {
                    ("changed", "metadata.labels.version", "kubectl-create"),
                    ("added_outside_git", "metadata.labels.team", "kubectl-label"),
                }
            ),
            "Deployment/web": frozenset(),
            "Secret/sec": frozenset(),
        }
    )
    assert_both_fidelities(case, expected)
    assert_oracle_agrees(case, expected)
    assert " tier" not in case.oracle().get("ConfigMap/cfg", "")  # kubectl diff keeps it too


def test_two_way_without_managed_fields(case: Case) -> None:
    """Neither managedFields nor last-applied: nothing tells a field Git dropped from a
    hand edit. The server does not start tracking on a later update either (the label
    below gets no managedFields entry), so only Git's own fields can differ."""
    case.kubectl("create", "-f", str(case.applied))
    case.strip_managed_fields()
    case.kubectl("label", "configmap/cfg", "team=payments")
    live = json.loads(case.kubectl("get", "configmap/cfg", "-o", "json", "--show-managed-fields"))
    assert "managedFields" not in live["metadata"]
    expected = drifted(
        {
            "ConfigMap/cfg": frozenset({("changed", "metadata.labels.version", None)}),
            "Deployment/web": frozenset(),
            "Secret/sec": frozenset(),
        }
    )
    assert_both_fidelities(case, expected)
    assert_oracle_agrees(case, expected)
    deleted = case.oracle().get("ConfigMap/cfg", "")
    assert " tier" not in deleted and " team" not in deleted  # kubectl diff keeps both


def test_three_way_server_side_applier_beside_a_hand_server_side_apply(case: Case) -> None:
    """Issue 17 item 6: Argo CD applies Git; a person's `kubectl apply --server-side` adds a
    label and a key. Before the fix both read removed_from_git, "the next sync deletes it"."""
    case.kubectl(
        "apply", "--server-side", "--field-manager=argocd-controller", "-f", str(case.applied)
    )
    case.hand_server_side_apply()
    found = removed("argocd-controller")
    found["ConfigMap/cfg"] |= {
        ("added_outside_git", "metadata.labels.example.com/hotfix", "kubectl"),
        ("added_outside_git", "data.hotfix", "kubectl"),
    }
    expected = drifted(found)
    assert_both_fidelities(case, expected)
    assert_oracle_agrees(
        case, expected, "--server-side", "--field-manager=argocd-controller", "--force-conflicts"
    )
    # Issue 17 item 7: the JSON report's pointer, with the env entry's live index.
    doc = to_dict(case.scan("viewer"))
    pointers = {(d["path"], d["pointer"]) for o in doc["objects"] for d in o["differences"]}
    assert (f"{ENV}[name=OLD]", "/spec/template/spec/containers/0/env/1") in pointers
    assert (
        "metadata.labels.example.com/hotfix",
        "/metadata/labels/example.com~1hotfix",
    ) in pointers


def test_three_way_repo_applied_with_kubectl_server_side(case: Case) -> None:
    """kubectl is the applier when that is how the repo is applied: its fields are removed."""
    case.kubectl("apply", "--server-side", "-f", str(case.applied))
    case.kubectl("label", "configmap/cfg", "team=payments")
    found = removed("kubectl")
    found["ConfigMap/cfg"] |= {("added_outside_git", "metadata.labels.team", "kubectl-label")}
    expected = drifted(found)
    assert_both_fidelities(case, expected)
    assert_oracle_agrees(
        case, expected, "--server-side", "--field-manager=kubectl", "--force-conflicts"
    )
