"""Which dry-runs a drifted object needs, on the real control plane (issue 21): a hand-added
label or annotation needs none, and every verdict is the one both dry-runs give."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.compare.differ import Comparison
from driftui.engine import Scanner, ScanOptions, prediction
from driftui.engine.prediction_needs import BOTH, NO_METADATA_DEFAULTS, Needs, needs
from driftui.gate import MutationGate
from driftui.live.client import ClusterClient
from driftui.model import Difference, DiffType, KeyedItem, ScanReport, Status
from driftui.model import Path as FieldPath
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import build, kubectl, write_repo
from tests.engine.test_dry_runs import audit_mark, dry_runs_since, essence, idle_mutating_webhook

pytestmark = pytest.mark.cluster

APPLY = "application/apply-patch+yaml"
LABELS = {"app": "shop"}
CONTAINERS = [{"name": "c", "image": "i:1"}]
POD: dict[str, Any] = {"metadata": {"labels": LABELS}, "spec": {"containers": CONTAINERS}}
JOB_POD = {
    "metadata": {"labels": LABELS},
    "spec": {"containers": CONTAINERS, "restartPolicy": "Never"},
}

SAMPLES: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {
    # (group, kind) -> (apiVersion, plural, the body's other fields)
    ("", "ConfigMap"): ("v1", "configmaps", {"data": {"k": "v"}}),
    ("", "Secret"): ("v1", "secrets", {"stringData": {"k": "v"}}),
    ("", "Service"): ("v1", "services", {"spec": {"selector": LABELS, "ports": [{"port": 80}]}}),
    ("", "ServiceAccount"): ("v1", "serviceaccounts", {}),
    ("apps", "Deployment"): (
        "apps/v1",
        "deployments",
        {"spec": {"selector": {"matchLabels": LABELS}, "template": POD}},
    ),
    ("apps", "StatefulSet"): (
        "apps/v1",
        "statefulsets",
        {"spec": {"serviceName": "s", "selector": {"matchLabels": LABELS}, "template": POD}},
    ),
    ("batch", "CronJob"): (
        "batch/v1",
        "cronjobs",
        {"spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": JOB_POD}}}},
    ),
    ("networking.k8s.io", "Ingress"): (
        "networking.k8s.io/v1",
        "ingresses",
        {"spec": {"defaultBackend": {"service": {"name": "s", "port": {"number": 80}}}}},
    ),
    ("networking.k8s.io", "NetworkPolicy"): (
        "networking.k8s.io/v1",
        "networkpolicies",
        {"spec": {"podSelector": {}}},
    ),
    ("rbac.authorization.k8s.io", "Role"): ("rbac.authorization.k8s.io/v1", "roles", {}),
    ("rbac.authorization.k8s.io", "RoleBinding"): (
        "rbac.authorization.k8s.io/v1",
        "rolebindings",
        {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"}},
    ),
    ("policy", "PodDisruptionBudget"): (
        "policy/v1",
        "poddisruptionbudgets",
        {"spec": {"minAvailable": 1, "selector": {"matchLabels": LABELS}}},
    ),
    ("autoscaling", "HorizontalPodAutoscaler"): (
        "autoscaling/v2",
        "horizontalpodautoscalers",
        {
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"},
                "maxReplicas": 2,
            }
        },
    ),
}


def dry_run_create(
    cluster: ClusterInfo, namespace: str, api_version: str, plural: str, body: dict[str, Any]
) -> dict[str, Any]:
    """What the server makes of ``body`` created under a new name, as the defaults are asked."""
    base = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
    path = f"{base}/namespaces/{namespace}/{plural}?dryRun=All"
    status, answer = harness.request(cluster, "POST", path, body)
    assert status == 201, answer
    assert isinstance(answer, dict)
    return answer


@pytest.mark.parametrize("group_kind", sorted(NO_METADATA_DEFAULTS), ids=lambda gk: gk[1])
def test_a_create_of_each_kind_that_defaults_no_metadata_keeps_the_bodys_labels(
    cluster: ClusterInfo, namespace: str, group_kind: tuple[str, str]
) -> None:
    """The premise of skipping the create for hand labels: with and without labels and
    annotations of its own, the server gives the object exactly the body's."""
    api_version, plural, rest = SAMPLES[group_kind]
    for meta in ({}, {"labels": LABELS, "annotations": {"note": "from-git"}}):
        body = {"apiVersion": api_version, "kind": group_kind[1], **rest}
        body["metadata"] = {"generateName": "driftui-defaults-", **meta}
        made = dry_run_create(cluster, namespace, api_version, plural, body)
        assert made["metadata"].get("labels") == meta.get("labels")
        assert made["metadata"].get("annotations") == meta.get("annotations")


def test_a_job_and_a_daemon_set_default_metadata_so_they_are_not_of_those_kinds(
    cluster: ClusterInfo, namespace: str
) -> None:
    """Why the list is one of kinds, each checked: a Job's create takes its template's
    labels, a DaemonSet's is annotated with its template's generation."""
    job = {"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": JOB_POD}}
    job["metadata"] = {"generateName": "driftui-defaults-"}
    made = dry_run_create(cluster, namespace, "batch/v1", "jobs", job)
    assert LABELS.items() <= (made["metadata"].get("labels") or {}).items()
    spec = {"selector": {"matchLabels": LABELS}, "template": POD}
    daemons = {"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": spec}
    daemons["metadata"] = {"generateName": "driftui-defaults-"}
    made = dry_run_create(cluster, namespace, "apps/v1", "daemonsets", daemons)
    assert "deprecated.daemonset.template.generation" in made["metadata"]["annotations"]
    assert not {("batch", "Job"), ("apps", "DaemonSet")} & NO_METADATA_DEFAULTS


def git_objects(ns: str) -> list[dict[str, Any]]:
    """One object of each kind the issue names, as Git declares them."""
    out = []
    for group_kind in (
        ("apps", "Deployment"),
        ("", "Service"),
        ("apps", "StatefulSet"),
        ("batch", "CronJob"),
        ("", "ConfigMap"),
    ):
        api_version, _, rest = SAMPLES[group_kind]
        meta = {"name": group_kind[1].lower(), "namespace": ns, "labels": LABELS}
        out.append({"apiVersion": api_version, "kind": group_kind[1], "metadata": meta, **rest})
    return out


@pytest.fixture
def hand_labelled(cluster: ClusterInfo, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Git applied by argocd-controller; then `kubectl label` and `kubectl annotate` on
    every object, and `kubectl set env` on the Deployment (a live-only field the server's
    defaults could have explained: that one's create is still asked)."""
    ns = f"needs-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    objects = git_objects(ns)
    repo = tmp_path / "repo"
    write_repo(repo, {"shop.yaml": objects})
    kubectl(cluster, "apply", "--server-side", "--field-manager=argocd-controller", "-f", str(repo))
    for obj in objects:
        name = f"{obj['kind'].lower()}/{obj['metadata']['name']}"
        kubectl(cluster, "-n", ns, "label", name, "team=payments")
        kubectl(cluster, "-n", ns, "annotate", name, "oncall=alice")
    kubectl(cluster, "-n", ns, "set", "env", "deployment/deployment", "DEBUG=1")
    yield repo, ns
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


def scanner_for(cluster: ClusterInfo, repo: Path, ns: str) -> Scanner:
    opts = ScanOptions(
        repo=str(repo),
        kubeconfig=cluster.kubeconfig("admin"),
        namespace=ns,
        cache_dir=tempfile.mkdtemp(prefix="driftui-test-cache-"),
    )
    return Scanner(opts, MutationGate())


def scan(cluster: ClusterInfo, repo: Path, ns: str, key: bytes | None = None) -> ScanReport:
    scanner = scanner_for(cluster, repo, ns)
    scanner.mask_key = key or scanner.mask_key  # Secrets' masks comparable across scans
    return scanner.scan()


def full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every drifted object asks both dry-runs, as before the dry-runs were chosen."""
    monkeypatch.setattr(prediction, "needs", lambda *_: BOTH)


def test_hand_labels_and_annotations_need_no_dry_run_and_get_the_full_verdict(
    cluster: ClusterInfo, hand_labelled: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, ns = hand_labelled
    mark = audit_mark(cluster)
    chosen = scan(cluster, repo, ns)
    assert dry_runs_since(cluster, mark, ns) == {"create": 1}  # the Deployment's env var
    assert [r.status for r in chosen.results] == [Status.DRIFTED] * 5
    found = {(r.ref.kind, d.dotted, d.manager) for r in chosen.results for d in r.differences}
    assert ("Service", "metadata.labels.team", "kubectl-label") in found
    assert ("CronJob", "metadata.annotations.oncall", "kubectl-annotate") in found

    full_path(monkeypatch)
    mark = audit_mark(cluster)
    full = scan(cluster, repo, ns)
    assert dry_runs_since(cluster, mark, ns) == {"patch": 5, "create": 5}
    assert essence(chosen) == essence(full)


def test_with_a_mutating_webhook_a_hand_labels_defaults_are_asked(
    cluster: ClusterInfo, hand_labelled: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A webhook may add labels on create: then a hand label could be its default."""
    repo, ns = hand_labelled
    with idle_mutating_webhook(cluster):
        mark = audit_mark(cluster)
        chosen = scan(cluster, repo, ns)
        assert dry_runs_since(cluster, mark, ns) == {"create": 5}  # no field Git sets differs
        full_path(monkeypatch)
        assert essence(chosen) == essence(scan(cluster, repo, ns))


def test_a_webhook_added_between_two_scans_is_seen_before_any_verdict_is_reused(
    cluster: ClusterInfo, hand_labelled: tuple[Path, str]
) -> None:
    """The explorer's refresh: a verdict, or a default, remembered from before a mutating
    webhook came may not be what the server makes now, so every drifted object asks again."""
    repo, ns = hand_labelled
    scanner = scanner_for(cluster, repo, ns)
    before = scanner.scan()
    with idle_mutating_webhook(cluster):
        mark = audit_mark(cluster)
        after = scanner.scan()
        assert dry_runs_since(cluster, mark, ns) == {"create": 5}
    assert essence(after) == essence(before)  # this webhook is idle: nothing else changes


def test_watch_mode_sees_a_webhook_that_came_after_the_scan(
    cluster: ClusterInfo, hand_labelled: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rejudges between full scans read the mutating admission again once it is older than
    MUTATORS_FRESH: a hand label could now be the webhook's default, so its create is asked."""
    repo, ns = hand_labelled
    scanner = scanner_for(cluster, repo, ns)
    report = scanner.scan()
    monkeypatch.setattr(prediction, "MUTATORS_FRESH", 0.0)  # as if its 30 s had passed
    with idle_mutating_webhook(cluster):
        kubectl(cluster, "-n", ns, "label", "--overwrite", "service/service", "team=orders")
        status, live = harness.request(cluster, "GET", f"/api/v1/namespaces/{ns}/services/service")
        assert status == 200 and isinstance(live, dict), live
        ref = next(r.ref for r in report.results if r.ref.kind == "Service")
        mark = audit_mark(cluster)
        again = scanner.rejudge(report, {ref: live})
        assert dry_runs_since(cluster, mark, ns) == {"create": 1}
    service = next(r for r in again.results if r.ref == ref)
    assert ("metadata.labels.team", "orders") in {(d.dotted, d.live) for d in service.differences}


def test_the_drift_scenario_gets_the_same_report_as_with_every_dry_run(
    cluster: ClusterInfo, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edits of every kind (kubectl edit, scale, set env, label, create; a custom resource;
    a Secret; a controller's annotation): the verdicts do not depend on the dry-runs saved."""
    scenario = build(cluster, namespace, tmp_path)
    key = b"k" * 32
    mark = audit_mark(cluster)
    chosen = scan(cluster, scenario.repo, namespace, key)
    chosen_sent = sum(dry_runs_since(cluster, mark, namespace).values())
    full_path(monkeypatch)
    mark = audit_mark(cluster)
    full = scan(cluster, scenario.repo, namespace, key)
    drifted = sum(1 for r in full.results if r.status is Status.DRIFTED)
    assert dry_runs_since(cluster, mark, namespace) == {"patch": drifted, "create": drifted}
    assert chosen_sent < 2 * drifted
    assert essence(chosen) == essence(full)


def test_patch_permission_is_asked_once_per_kind_and_namespace(
    cluster: ClusterInfo, hand_labelled: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The predictor and the gate ask through one cache: one review per question."""
    asked: list[tuple[str, str, str]] = []
    real = ClusterClient.can_i

    def counted(self: ClusterClient, verb: str, group: str, resource: str, ns: str = "") -> bool:
        asked.append((verb, resource, ns))
        return real(self, verb, group, resource, ns)

    monkeypatch.setattr(ClusterClient, "can_i", counted)
    full_path(monkeypatch)
    repo, ns = hand_labelled
    scan(cluster, repo, ns)
    assert ("patch", "deployments", ns) in asked
    assert len(asked) == len(set(asked))


def test_a_doubt_asks_the_create_and_an_ignored_difference_asks_both() -> None:
    """No list of mutating admission read (None), a kind not listed, or a live-only field
    outside labels and annotations: the server's defaults could explain it."""
    label = Difference(("metadata", "labels", "team"), DiffType.ADDED_OUTSIDE_GIT)
    env = Difference(("spec", "template"), DiffType.ADDED_OUTSIDE_GIT)
    changed = Difference(("data", "k"), DiffType.CHANGED, git="a", live="b")
    assert needs(Comparison((label,)), "apps", "Deployment", mutating=False).none
    assert needs(Comparison((label,)), "apps", "Deployment", mutating=None) == Needs(False, True)
    assert needs(Comparison((label,)), "batch", "Job", mutating=False) == Needs(False, True)
    assert needs(Comparison((env,)), "apps", "Deployment", mutating=False) == Needs(False, True)
    image = ("spec", "template", "spec", "containers", "app", "image")
    set_image = Difference(image, DiffType.CHANGED, git="app:1", live="app:2")
    assert needs(Comparison((set_image, label)), "apps", "Deployment", mutating=False) == Needs(
        True, False
    )
    assert needs(Comparison((changed, label)), "", "ConfigMap", mutating=False).none
    assert needs(Comparison((label,), ignored=1), "", "ConfigMap", mutating=False) == BOTH


def test_only_strings_the_server_keeps_as_sent_skip_the_apply() -> None:
    """A ConfigMap's data value and the labels and annotations of the kinds that default
    none, as strings, and a workload's replica count, in a cluster without mutating
    admission; nothing else."""

    def apply(
        path: FieldPath,
        git: Any,
        kind: str = "ConfigMap",
        group: str = "",
        mutating: bool | None = False,
        immutable: bool = False,
    ) -> bool:
        diff = Difference(path, DiffType.CHANGED, git=git, live="x")
        return needs(Comparison((diff,)), group, kind, mutating, immutable).apply

    assert not apply(("data", "k"), "a")
    assert not apply(("metadata", "labels", "team"), "a", "Deployment", "apps")
    assert not apply(("metadata", "annotations", "note"), "a", "Service")
    missing = Difference(("data", "new"), DiffType.MISSING_IN_LIVE, git="a")
    assert not needs(Comparison((missing,)), "", "ConfigMap", mutating=False).apply
    assert apply(("data", "k"), "a", mutating=None)  # admission unread
    assert apply(("data", "k"), "a", mutating=True)
    assert apply(("data", "k"), "a", immutable=True)  # the server refuses it: client-side
    assert apply(("data", "k"), 8080)  # not a string: the server refuses it too
    assert apply(("data",), {"k": "a"})  # the whole map
    assert apply(("binaryData", "k"), "YQ==")  # base64 the server re-encodes
    assert apply(("data", "k"), "a", "Secret")
    assert apply(("metadata", "labels", "team"), "a", "Job", "batch")  # not of those kinds
    assert not apply(("spec", "replicas"), 3, "Deployment", "apps")  # kubectl scale
    assert not apply(("spec", "replicas"), 0, "StatefulSet", "apps")
    assert apply(("spec", "replicas"), "3", "Deployment", "apps")  # refused: not an int
    assert apply(("spec", "replicas"), -1, "Deployment", "apps")  # refused by validation
    assert apply(("spec", "replicas"), True, "Deployment", "apps")
    assert apply(("spec", "replicas"), 3, "Job", "batch")
    cpu = ("spec", "template", "spec", "containers", "app", "resources", "requests", "cpu")
    assert apply(cpu, "0.1", "Deployment", "apps")  # a quantity the server rewrites: 100m

    # kubectl set image: a container's image in a workload's pod template
    app = KeyedItem((("name", "app"),))
    image = ("spec", "template", "spec", "containers", app, "image")
    init = ("spec", "template", "spec", "initContainers", app, "image")
    cron = ("spec", "jobTemplate", "spec", "template", "spec", "containers", app, "image")
    assert not apply(image, "web:2", "Deployment", "apps")
    assert not apply(init, "migrate:2", "StatefulSet", "apps")
    assert not apply(image, "agent:2", "DaemonSet", "apps")
    assert not apply(cron, "job:2", "CronJob", "batch")
    assert apply(image, "web:2", "Deployment", "apps", mutating=True)
    assert apply(image, "web:2", "Deployment", "apps", mutating=None)
    assert apply(image, "job:2", "Job", "batch")  # a Job's template is immutable: refused
    assert apply(("spec", "containers", app, "image"), "web:2", "Pod")  # admission may rewrite
    assert apply(cron, "job:2", "Deployment", "apps")  # not where a Deployment's template is
    assert apply(image, "", "Deployment", "apps")  # refused: an image is required
    assert apply(image, " web:2", "Deployment", "apps")  # spaces around it: asked, not assumed
    assert apply(image, 2, "Deployment", "apps")  # refused: not a string
    # kubectl set env: a container's environment value Git sets, changed
    env = ("spec", "template", "spec", "containers", app, "env", KeyedItem((("name", "M"),)))
    assert not apply((*env, "value"), "on", "Deployment", "apps")
    assert not apply((*cron[:-1], *env[-2:], "value"), "on", "CronJob", "batch")
    added = Difference((*env, "value"), DiffType.MISSING_IN_LIVE, git="on")
    assert needs(Comparison((added,)), "apps", "Deployment", mutating=False).apply
    assert apply((*env, "value"), "", "Deployment", "apps")  # an empty value is not stored
    assert apply((*env, "valueFrom"), {"secretKeyRef": {}}, "Deployment", "apps")
    assert apply((*env, "value"), "on", "Job", "batch")
    by_position = ("spec", "template", "spec", "containers", 0, "image")
    assert apply(by_position, "web:2", "Deployment", "apps")  # not a container matched by name
    assert apply((*image[:-1], "imagePullPolicy"), "Always", "Deployment", "apps")


@pytest.fixture
def values_edited(cluster: ClusterInfo, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Values Git sets, changed by hand: `kubectl edit` of a ConfigMap's value, `kubectl
    label --overwrite` of a Service's label Git sets, `kubectl scale`, `kubectl set image`
    and `kubectl set env` of a Deployment, `kubectl set image` of a CronJob, a data key Git adds that live
    lacks, and an immutable ConfigMap whose value Git changed after it was made."""
    ns = f"values-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    _, _, service = SAMPLES[("", "Service")]
    _, _, deployment = SAMPLES[("apps", "Deployment")]
    _, _, cron_job = SAMPLES[("batch", "CronJob")]
    env = [{"name": "MODE", "value": "from-git"}]
    with_env = {**POD, "spec": {"containers": [{**CONTAINERS[0], "env": env}]}}
    declared = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "edited", "namespace": ns},
            "data": {"k": "from-git", "new": "added-in-git"},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": ns, "labels": {"tier": "web"}},
            **service,
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "api", "namespace": ns},
            "spec": {**deployment["spec"], "replicas": 2, "template": with_env},
        },
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"}, **cron_job},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "frozen", "namespace": ns},
            "data": {"k": "from-git"},
            "immutable": True,
        },
    ]
    repo = tmp_path / "repo"
    write_repo(repo, {"shop.yaml": declared[:4]})
    kubectl(
        cluster,
        "-n",
        ns,
        "apply",
        "--server-side",
        "--field-manager=argocd-controller",
        "-f",
        str(repo),
    )
    frozen = {**declared[4], "data": {"k": "before"}}
    status, body = harness.request(cluster, "POST", f"/api/v1/namespaces/{ns}/configmaps", frozen)
    assert status == 201, body
    kubectl(
        cluster,
        "-n",
        ns,
        "patch",
        "configmap/edited",
        "--type=json",
        "-p",
        '[{"op": "replace", "path": "/data/k", "value": "by-hand"},'
        ' {"op": "remove", "path": "/data/new"}]',
    )
    kubectl(cluster, "-n", ns, "label", "--overwrite", "service/web", "tier=api")
    kubectl(cluster, "-n", ns, "scale", "deployment/api", "--replicas=5")
    kubectl(cluster, "-n", ns, "set", "image", "deployment/api", "c=i:by-hand")
    kubectl(cluster, "-n", ns, "set", "env", "deployment/api", "MODE=by-hand")
    kubectl(cluster, "-n", ns, "set", "image", "cronjob/nightly", "c=i:by-hand")
    write_repo(repo, {"shop.yaml": declared})
    yield repo, ns
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


def test_values_the_server_keeps_as_sent_need_no_apply_and_get_the_full_verdict(
    cluster: ClusterInfo, values_edited: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The oracle is the server: the same report as with every dry-run sent."""
    repo, ns = values_edited
    mark = audit_mark(cluster)
    chosen = scan(cluster, repo, ns)
    assert dry_runs_since(cluster, mark, ns) == {"patch": 1}  # the immutable one, refused
    found = {(r.ref.name, d.dotted, d.git, d.live) for r in chosen.results for d in r.differences}
    assert found == {
        ("edited", "data.k", "from-git", "by-hand"),
        ("edited", "data.new", "added-in-git", None),
        ("web", "metadata.labels.tier", "web", "api"),
        ("api", "spec.replicas", 2, 5),
        ("api", "spec.template.spec.containers[name=c].image", "i:1", "i:by-hand"),
        (
            "api",
            "spec.template.spec.containers[name=c].env[name=MODE].value",
            "from-git",
            "by-hand",
        ),
        (
            "nightly",
            "spec.jobTemplate.spec.template.spec.containers[name=c].image",
            "i:1",
            "i:by-hand",
        ),
        ("frozen", "data.k", "from-git", "before"),
    }
    fidelity = {r.ref.name: r.fidelity.value for r in chosen.results}
    assert fidelity == {
        "edited": "server-side",
        "web": "server-side",
        "api": "server-side",
        "nightly": "server-side",
        "frozen": "client-side",
    }

    full_path(monkeypatch)
    mark = audit_mark(cluster)
    full = scan(cluster, repo, ns)
    # every object's apply; the creates but the refused one's (its defaults go unasked)
    assert dry_runs_since(cluster, mark, ns) == {"patch": 5, "create": 4}
    assert essence(chosen) == essence(full)
