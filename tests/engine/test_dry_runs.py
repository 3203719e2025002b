"""The default scan's dry-runs, on the real control plane: sent concurrently, the same report
as one at a time, and the server's defaults of an unchanged blob asked only once (issue 21)."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from driftui.compare.differ import compare
from driftui.engine import Scanner, ScanOptions, verdict
from driftui.gate import MutationGate
from driftui.model import DiffType, DriftResult, Fidelity, ScanReport, Status
from driftui.runtime.progress import ProgressEvent
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.faultproxy import Fault, FaultProxy

pytestmark = pytest.mark.cluster

OBJECTS = 36  # 12 each of ConfigMap, Deployment, Service, three files of several objects
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"


def git_object(i: int, ns: str) -> dict[str, Any]:
    name, labels = f"obj-{i:02d}", {"app": f"obj-{i:02d}"}
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": labels}
    if i % 3 == 0:
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": f"v{i}"}}
    if i % 3 == 1:
        spec: dict[str, Any] = {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]}
        return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}
    container = new_requests("100m")
    template = {"metadata": {"labels": labels}, "spec": {"containers": [container]}}
    spec = {"replicas": 1, "selector": {"matchLabels": labels}, "template": template}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}


def path_of(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    base = "/apis/apps/v1" if obj["apiVersion"] == "apps/v1" else "/api/v1"
    plural = {"ConfigMap": "configmaps", "Service": "services", "Deployment": "deployments"}
    plural["Secret"] = "secrets"
    return f"{base}/namespaces/{meta['namespace']}/{plural[obj['kind']]}/{meta['name']}"


def hand_edit(obj: dict[str, Any]) -> dict[str, Any]:
    """A different edit per kind, so the report has changed and added fields of each, and
    each mix of dry-runs: a ConfigMap's needs the create (an added key that could have been
    a default; its changed value is a string the server keeps as sent), a Deployment's CPU
    request the apply (a quantity, which the server may rewrite), a Service's label none."""
    if obj["kind"] == "ConfigMap":
        return {"data": {"k": "edited", "added": "by-hand"}}
    if obj["kind"] == "Service":
        return {"metadata": {"labels": {"edited": "yes"}}}
    return {"spec": {"template": {"spec": {"containers": [new_requests("200m")]}}}}


def new_requests(cpu: str) -> dict[str, Any]:
    """The Deployment's one container requesting ``cpu`` (a merge patch replaces the list;
    `kubectl set resources`)."""
    return {"name": "app", "image": "registry.local/app:1", "resources": {"requests": {"cpu": cpu}}}


def patch(cluster: ClusterInfo, obj: dict[str, Any], body: Any, query: str, kind: str) -> None:
    status, answer = harness.request(
        cluster, "PATCH", path_of(obj) + query, body, content_type=kind
    )
    assert status in (200, 201), answer


@pytest.fixture(scope="module")
def drifted(
    cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    yield from drifted_namespace(cluster, tmp_path_factory)


def drifted_namespace(
    cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """A namespace of objects applied from Git, all but every fourth edited by hand."""
    ns = f"dryruns-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    objects = [git_object(i, ns) for i in range(OBJECTS)]
    for obj in objects:
        patch(cluster, obj, obj, "?fieldManager=argocd-controller&force=true", APPLY)
    for obj in objects[1::4] + objects[2::4] + objects[3::4]:
        patch(cluster, obj, hand_edit(obj), "?fieldManager=kubectl-edit", MERGE)
    repo = tmp_path_factory.mktemp("dryruns") / "repo"
    write_repo(repo, {f"part-{n}.yaml": objects[n::3] for n in range(3)})
    yield repo, ns
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


def options(cluster: ClusterInfo, drifted: tuple[Path, str], **extra: Any) -> ScanOptions:
    """The scan of ``drifted``; defaults kept on disk go to a directory of the call's own
    (``cache_dir``), so that what these tests count is not what another scan kept."""
    repo, ns = drifted
    kubeconfig = cluster.kubeconfig("admin")
    extra.setdefault("cache_dir", tempfile.mkdtemp(prefix="driftui-test-cache-"))
    return ScanOptions(repo=str(repo), kubeconfig=kubeconfig, namespace=ns, **extra)


def essence(report: ScanReport) -> list[tuple[Any, ...]]:
    """All that a user reads of the report: every verdict, each difference in full."""
    return [
        (r.ref, r.status, r.fidelity, r.reason, r.differences, r.resource_version)
        for r in report.results
    ] + [(report.fidelity,)]


def test_the_report_is_the_same_with_one_dry_run_at_a_time_or_sixteen(
    cluster: ClusterInfo, drifted: tuple[Path, str]
) -> None:
    events: list[ProgressEvent] = []
    pooled = Scanner(options(cluster, drifted, concurrency=16), MutationGate()).scan(events.append)
    alone = Scanner(options(cluster, drifted, concurrency=1), MutationGate()).scan()
    assert essence(pooled) == essence(alone)
    edited = [r for r in pooled.results if r.status is Status.DRIFTED]
    assert len(edited) == OBJECTS * 3 // 4
    assert {r.fidelity for r in edited} == {Fidelity.SERVER_SIDE}
    assert pooled.fidelity is Fidelity.SERVER_SIDE
    paths = {d.dotted for r in edited for d in r.differences}  # the server's defaults are not drift
    cpu = "spec.template.spec.containers[name=app].resources.requests.cpu"
    assert paths == {"data.k", "data.added", "metadata.labels.edited", cpu}
    # a hand-added label needs no dry-run; the others one each (an apply or a create)
    sent = sum(1 for r in edited if needs_apply(r) or live_only(r))
    dry_runs = [(e.done, e.total) for e in events if e.stage == "dry-runs"]
    assert 0 < sent < len(edited)
    assert dry_runs[0] == (0, sent) and dry_runs[-1] == (sent, sent)


WEBHOOKS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"


@contextmanager
def idle_mutating_webhook(cluster: ClusterInfo) -> Iterator[None]:
    """A mutating webhook whose rule matches no resource there is, so it is never called:
    its presence alone is what the dry-run choices and the defaults store's key look at."""
    name = f"driftui-test-{uuid.uuid4().hex[:8]}"
    rule = {"apiGroups": ["never.driftui.test"], "apiVersions": ["v1"], "resources": ["none"]}
    webhook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": "never.driftui.test",
                "clientConfig": {"url": "https://127.0.0.1:9/never"},
                "rules": [{**rule, "operations": ["CREATE"]}],
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "failurePolicy": "Ignore",
            }
        ],
    }
    status, body = harness.request(cluster, "POST", WEBHOOKS, webhook)
    assert status == 201, body
    try:
        yield
    finally:
        harness.request(cluster, "DELETE", f"{WEBHOOKS}/{name}")


def audit_mark(cluster: ClusterInfo) -> int:
    return len(cluster.audit_log.read_text().splitlines())


def dry_runs_since(cluster: ClusterInfo, mark: int, namespace: str) -> dict[str, int]:
    """verb -> dry-run requests into ``namespace`` the audit log recorded after ``mark``."""
    out: dict[str, int] = {}
    for line in cluster.audit_log.read_text().splitlines()[mark:]:
        event = json.loads(line)
        where = (event.get("objectRef") or {}).get("namespace")
        if where == namespace and "dryRun=All" in event["requestURI"]:
            out[event["verb"]] = out.get(event["verb"], 0) + 1
    return out


def needs_apply(result: DriftResult) -> bool:
    """A field Git sets differs, other than a ConfigMap's data value (a string the server
    keeps as sent): the dry-run apply is sent (said independently of
    :mod:`driftui.engine.prediction_needs`, for these objects of a webhook-free cluster)."""
    kinds = {DiffType.CHANGED, DiffType.MISSING_IN_LIVE}
    as_sent = result.ref.kind == "ConfigMap"  # only their data.k differs of what Git sets
    return not as_sent and any(d.type in kinds for d in result.differences)


def live_only(result: DriftResult) -> bool:
    """Drift the server's defaults might excuse, the only kind a dry-run create is sent for:
    live-only fields, but not labels or annotations (none of these kinds defaults any)."""
    kinds = {DiffType.ADDED_OUTSIDE_GIT, DiffType.REMOVED_FROM_GIT}
    labels = ("metadata.labels", "metadata.annotations")
    return any(d.type in kinds and not d.dotted.startswith(labels) for d in result.differences)


def edit_again(obj: dict[str, Any]) -> dict[str, Any]:
    """New values for the same hand edits: a new resourceVersion, and the same kinds of drift."""
    if obj["kind"] == "Deployment":
        return {"spec": {"template": {"spec": {"containers": [new_requests("300m")]}}}}
    if obj["kind"] == "ConfigMap":
        return {"data": {"added": "again"}}
    return {"metadata": {"labels": {"edited": "again"}}}


def test_a_rescan_never_asks_the_defaults_of_an_unchanged_blob_again(
    cluster: ClusterInfo, drifted: tuple[Path, str]
) -> None:
    opts = options(cluster, drifted)
    ns, scanner = opts.namespace or "", Scanner(opts, MutationGate())
    mark = audit_mark(cluster)
    first = scanner.scan()
    edited = [r for r in first.results if r.status is Status.DRIFTED]
    defaults = sum(1 for r in edited if live_only(r))
    applied = sum(1 for r in edited if needs_apply(r))
    # a changed CPU request needs no defaults, a ConfigMap's changed value no apply
    assert defaults > 0 and applied > 0 and defaults + applied < len(edited)
    assert dry_runs_since(cluster, mark, ns) == {"patch": applied, "create": defaults}

    mark = audit_mark(cluster)  # nothing changed: the verdicts are kept, no dry-run at all
    assert essence(scanner.scan()) == essence(first)
    assert dry_runs_since(cluster, mark, ns) == {}

    for result in edited:  # live changes, Git does not: the apply is asked again, not the create
        obj: dict[str, Any] = {"apiVersion": result.api_version, "kind": result.ref.kind}
        obj["metadata"] = {"name": result.ref.name, "namespace": ns}
        patch(cluster, obj, edit_again(obj), "?fieldManager=kubectl-edit", MERGE)
    mark = audit_mark(cluster)
    again = scanner.scan()
    assert dry_runs_since(cluster, mark, ns) == {"patch": applied}
    touched = [r for r in again.results if r.status is Status.DRIFTED]
    assert len(touched) == len(edited) == len(again.results) * 3 // 4
    assert {r.fidelity for r in touched} == {Fidelity.SERVER_SIDE}
    lives = {d.live for r in touched for d in r.differences if d.dotted != "data.k"}
    assert lives == {"again", "300m"}


def test_throttled_dry_runs_wait_as_the_server_says_and_are_asked_once_more(
    cluster: ClusterInfo, drifted: tuple[Path, str], tmp_path: Path
) -> None:
    """Priority and fairness: a 429 is the client's to retry after Retry-After, once per
    answer; the pool adds no retries of its own, and the report is the one of a calm server."""
    ns = drifted[1]
    calm = Scanner(options(cluster, drifted, concurrency=1), MutationGate()).scan()
    throttled = 10
    with FaultProxy(cluster, tmp_path) as proxy:
        writes = frozenset({"PATCH", "POST"})
        proxy.inject(Fault(429, "1", methods=writes, within=f"/namespaces/{ns}/"), throttled)
        opts = replace(options(cluster, drifted), kubeconfig=proxy.kubeconfig("admin"))
        busy = Scanner(opts, MutationGate()).scan()
        sent = [s for s in proxy.seen if s.method in writes and "dryRun=All" in s.query]
    assert essence(busy) == essence(calm)
    edited = [r for r in calm.results if r.status is Status.DRIFTED]
    asked = sum(1 for r in edited if needs_apply(r)) + sum(1 for r in edited if live_only(r))
    assert [s.status for s in sent].count(429) == throttled
    assert len(sent) == asked + throttled


def test_the_defaults_of_live_only_drift_are_asked_without_comparing_the_prediction_twice(
    cluster: ClusterInfo, drifted: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted comparisons, the CPU of a dry-run on our side: an object whose client-side
    comparison already shows live-only drift has its defaults asked at once; only drift of
    Git's own fields (a CPU request) has its prediction compared to decide, and that
    comparison is the verdict's: none is made twice."""
    calls: list[tuple[bool, bool]] = []  # (with the prediction, with the defaults)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append((kwargs.get("predicted") is not None, kwargs.get("defaulted") is not None))
        return compare(*args, **kwargs)

    monkeypatch.setattr(verdict, "compare", counted)
    report = Scanner(options(cluster, drifted, concurrency=1), MutationGate()).scan()
    edited = [r for r in report.results if r.status is Status.DRIFTED]
    live_only_drift = sum(1 for r in edited if live_only(r))
    applied = sum(1 for r in edited if needs_apply(r))
    created_only = sum(1 for r in edited if live_only(r) and not needs_apply(r))
    assert live_only_drift > 0 and applied > 0 and created_only > 0
    assert calls.count((False, False)) == len(report.results)  # each client-side comparison
    # one for every object dry-run: where it decides that no create is needed (no field
    # could be a default), it is the verdict's too; an object asked only its defaults is
    # compared once more with them, for its verdict
    assert sum(1 for c in calls if c[0]) == applied
    assert calls.count((False, True)) == created_only
