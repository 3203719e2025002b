"""A hand-built, realistic ScanReport for the explorer's tests (no engine, no cluster).

Several namespaces; Deployments, Services, ConfigMaps, a Secret with masked values, a
CRD object; every status including a plain error and a forbidden one; differences
attributed to managers such as kubectl-edit, with times relative to ``NOW``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from driftui.health import assess, missing, workload_images
from driftui.history import HistoryEntry
from driftui.model import (
    AppOwner,
    Difference,
    DiffType,
    DriftResult,
    Fidelity,
    Health,
    HealthStatus,
    KeyedItem,
    LiveInfo,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.runtime.progress import ProgressEvent, ProgressFn

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
TWO_HOURS_AGO = "2025-03-14T13:09:26Z"
YESTERDAY = "2025-03-13T09:30:00Z"
TEN_MINUTES_AGO = "2025-03-14T14:59:26Z"

SHOP = AppOwner("argocd", "argocd", "shop")
PAYMENTS = AppOwner("flux", "flux-system", "payments")
MASK_OLD = "<secret:1a2b3c4d5e6f>"
MASK_NEW = "<secret:9f8e7d6c5b4a>"
MASK_USER = "<secret:0c1d2e3f4a5b>"

SOURCE = SourceInfo(
    repo="https://git.example.com/acme/gitops.git",
    ref="main",
    commit="4f2c9e1ab7d05c33",
    path="clusters/prod",
)
LIVE = LiveInfo(context="prod-eu", server="https://10.0.0.1:6443")


def clock() -> datetime:
    return NOW


def _meta(name: str, namespace: str, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta.update(extra)
    return meta


def _deployment(
    namespace: str, name: str, image: str, replicas: int, env: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image, "ports": [{"containerPort": 8080}]}
    if env:
        container["env"] = env
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace, labels={"app": name}),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [container]},
            },
        },
    }


def _managed(*entries: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [
        {"manager": manager, "operation": op, "time": when, "fieldsType": "FieldsV1"}
        for manager, op, when in entries
    ]


def _with_managed(obj: dict[str, Any], managed: list[dict[str, Any]], rv: str) -> dict[str, Any]:
    live = {**obj, "metadata": {**obj["metadata"], "managedFields": managed, "resourceVersion": rv}}
    return live


def _service(namespace: str, name: str, port: int = 80) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, namespace),
        "spec": {"selector": {"app": name}, "ports": [{"port": port, "targetPort": 8080}]},
    }


def _configmap(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(name, namespace),
        "data": data,
    }


def _result(
    obj: dict[str, Any] | None,
    live: dict[str, Any] | None,
    status: Status,
    *,
    ref: ObjectRef | None = None,
    differences: tuple[Difference, ...] = (),
    reason: str = "",
    source_file: str | None = None,
    owner: AppOwner | None = None,
    rv: str = "",
    blob: str = "",
) -> DriftResult:
    body = obj or live or {}
    the_ref = ref or ObjectRef.of(body)
    return DriftResult(
        ref=the_ref,
        api_version=str(body.get("apiVersion", "v1")),
        status=status,
        fidelity=Fidelity.SERVER_SIDE,
        reason=reason,
        source_file=source_file,
        differences=differences,
        desired=obj,
        live=live,
        owner=owner,
        resource_version=rv,
        blob_sha=blob or f"blob-{the_ref.name}",
    )


WEB_CONTAINER = KeyedItem((("name", "web"),))


def sample_results() -> list[DriftResult]:
    results: list[DriftResult] = []

    # shop: a Deployment scaled and edited by hand, its Service and ConfigMap.
    web_git = _deployment(
        "shop", "web", "ghcr.io/acme/web:1.8.2", 3, [{"name": "LOG_LEVEL", "value": "info"}]
    )
    web_live_body = _deployment(
        "shop",
        "web",
        "ghcr.io/acme/web:1.8.2",
        5,
        [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DEBUG", "value": "true"}],
    )
    web_live = _with_managed(
        web_live_body,
        _managed(
            ("argocd-controller", "Apply", YESTERDAY), ("kubectl-edit", "Update", TWO_HOURS_AGO)
        ),
        "812734",
    )
    containers = ("spec", "template", "spec", "containers", WEB_CONTAINER)
    results.append(
        _result(
            web_git,
            web_live,
            Status.DRIFTED,
            source_file="apps/shop/web.yaml",
            owner=SHOP,
            rv="812734",
            differences=(
                Difference(
                    ("spec", "replicas"), DiffType.CHANGED, 3, 5, "kubectl-edit", TWO_HOURS_AGO
                ),
                Difference(
                    (*containers, "env", KeyedItem((("name", "DEBUG"),))),
                    DiffType.ADDED_OUTSIDE_GIT,
                    None,
                    {"name": "DEBUG", "value": "true"},
                    "kubectl-edit",
                    TWO_HOURS_AGO,
                ),
            ),
        )
    )
    svc = _service("shop", "web")
    results.append(
        _result(
            svc,
            _with_managed(svc, _managed(("argocd-controller", "Apply", YESTERDAY)), "700"),
            Status.IN_SYNC,
            source_file="apps/shop/web.yaml",
            owner=SHOP,
            rv="700",
        )
    )
    cm_git = _configmap("shop", "web-config", {"FEATURE_CHECKOUT_V2": "false", "CACHE_TTL": "300"})
    cm_live = _configmap("shop", "web-config", {"FEATURE_CHECKOUT_V2": "true", "CACHE_TTL": "300"})
    results.append(
        _result(
            cm_git,
            _with_managed(cm_live, _managed(("helm", "Update", TEN_MINUTES_AGO)), "812801"),
            Status.DRIFTED,
            source_file="apps/shop/config.yaml",
            owner=SHOP,
            rv="812801",
            differences=(
                Difference(
                    ("data", "FEATURE_CHECKOUT_V2"),
                    DiffType.CHANGED,
                    "false",
                    "true",
                    "helm",
                    TEN_MINUTES_AGO,
                ),
            ),
        )
    )
    debug = _deployment("shop", "debug-shell", "busybox:1.36", 1)
    results.append(
        _result(
            None,
            _with_managed(debug, _managed(("kubectl-create", "Update", TWO_HOURS_AGO)), "812900"),
            Status.EXTRA,
            owner=SHOP,
            rv="812900",
        )
    )
    for name in ("cart", "catalog", "search"):
        dep = _deployment("shop", name, f"ghcr.io/acme/{name}:2.1.0", 2)
        results.append(
            _result(
                dep,
                _with_managed(dep, [], "600"),
                Status.IN_SYNC,
                source_file=f"apps/shop/{name}.yaml",
                owner=SHOP,
                rv="600",
            )
        )
        s = _service("shop", name)
        results.append(
            _result(
                s,
                _with_managed(s, [], "601"),
                Status.IN_SYNC,
                source_file=f"apps/shop/{name}.yaml",
                owner=SHOP,
                rv="601",
            )
        )

    # payments: a missing Deployment, a Secret whose value changed (masked), a Service.
    api = _deployment("payments", "api", "ghcr.io/acme/payments-api:4.0.1", 2)
    results.append(
        _result(api, None, Status.MISSING, source_file="apps/payments/api.yaml", owner=PAYMENTS)
    )
    secret_git = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta("api-credentials", "payments"),
        "type": "Opaque",
        "data": {"password": MASK_OLD, "username": MASK_USER},
    }
    secret_live = {**secret_git, "data": {"password": MASK_NEW, "username": MASK_USER}}
    results.append(
        _result(
            secret_git,
            _with_managed(
                secret_live, _managed(("kubectl-edit", "Update", TEN_MINUTES_AGO)), "813000"
            ),
            Status.DRIFTED,
            source_file="apps/payments/secret.yaml",
            owner=PAYMENTS,
            rv="813000",
            differences=(
                Difference(
                    ("data", "password"),
                    DiffType.CHANGED,
                    MASK_OLD,
                    MASK_NEW,
                    "kubectl-edit",
                    TEN_MINUTES_AGO,
                ),
            ),
        )
    )
    psvc = _service("payments", "api", 443)
    results.append(
        _result(
            psvc,
            _with_managed(psvc, [], "650"),
            Status.IN_SYNC,
            source_file="apps/payments/api.yaml",
            owner=PAYMENTS,
            rv="650",
        )
    )

    # monitoring: a CRD object with a changed field, a ConfigMap in sync.
    monitor_git: dict[str, Any] = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": _meta("shop-web", "monitoring"),
        "spec": {
            "endpoints": [{"port": "http", "interval": "30s"}],
            "selector": {"matchLabels": {"app": "web"}},
        },
    }
    monitor_live = {
        **monitor_git,
        "spec": {**monitor_git["spec"], "endpoints": [{"port": "http", "interval": "5s"}]},
    }
    results.append(
        _result(
            monitor_git,
            _with_managed(monitor_live, _managed(("kubectl-patch", "Update", YESTERDAY)), "700100"),
            Status.DRIFTED,
            source_file="platform/monitoring/shop-web.yaml",
            rv="700100",
            differences=(
                Difference(
                    ("spec", "endpoints", 0, "interval"),
                    DiffType.CHANGED,
                    "30s",
                    "5s",
                    "kubectl-patch",
                    YESTERDAY,
                ),
            ),
        )
    )
    prom = _configmap("monitoring", "prometheus-rules", {"rules.yaml": "groups: []\n"})
    results.append(
        _result(
            prom,
            _with_managed(prom, [], "500"),
            Status.IN_SYNC,
            source_file="platform/monitoring/rules.yaml",
            rv="500",
        )
    )

    # vault: we may not read it. default: a manifest that does not parse.
    results.append(
        _result(
            None,
            None,
            Status.ERROR,
            ref=ObjectRef("", "Secret", "vault", "unseal-keys"),
            reason='forbidden: secrets is forbidden: User "auditor" cannot list resource "secrets" in the namespace "vault"',
            source_file="platform/vault/keys.yaml",
        )
    )
    results.append(
        _result(
            None,
            None,
            Status.ERROR,
            ref=ObjectRef("batch", "CronJob", "default", "cleanup"),
            reason="parse error: platform/jobs/cleanup.yaml:14: mapping values are not allowed here",
            source_file="platform/jobs/cleanup.yaml",
        )
    )

    # cluster-scoped objects.
    for ns in ("shop", "payments", "monitoring"):
        obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        results.append(
            _result(
                obj,
                _with_managed(obj, [], "10"),
                Status.IN_SYNC,
                source_file="platform/namespaces.yaml",
                rv="10",
            )
        )
    return results


def _pod(image: str, digest: str, waiting: str = "") -> dict[str, Any]:
    state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    status = {
        "name": "web",
        "image": image,
        "imageID": f"ghcr.io/acme/web@{digest}",
        "state": state,
    }
    return {"kind": "Pod", "status": {"containerStatuses": [status]}}


WEB_PODS = [
    *[_pod("ghcr.io/acme/web:1.8.1", "sha256:" + "1" * 64)] * 3,
    _pod("ghcr.io/acme/web:1.8.2", "sha256:" + "2" * 64),
    _pod("ghcr.io/acme/web:1.8.2", "sha256:" + "2" * 64, "CrashLoopBackOff"),
]
WEB_HEALTH = Health(
    HealthStatus.DEGRADED, "1 of 5 pods Degraded; web-5c8d7-x2: web: CrashLoopBackOff"
)


def with_health(result: DriftResult) -> DriftResult:
    """Health as the engine gives it: the web Deployment a stuck, crash-looping rollout."""
    if result.ref == ObjectRef("apps", "Deployment", "shop", "web"):
        images = tuple(workload_images(result.desired, result.live, WEB_PODS))
        return dataclasses.replace(result, health=WEB_HEALTH, images=images)
    if result.status is Status.MISSING:
        return dataclasses.replace(result, health=missing())
    return dataclasses.replace(result, health=assess(result.live)) if result.live else result


def sample_report() -> ScanReport:
    return ScanReport(
        source=SOURCE,
        live=LIVE,
        fidelity=Fidelity.SERVER_SIDE,
        results=[with_health(r) for r in sample_results()],
    )


def scanner_of(*reports: ScanReport | Exception) -> Callable[[ProgressFn], ScanReport]:
    """A scanner returning (or raising) the given values in turn, reporting progress first."""
    queue = list(reports)
    calls = {"n": 0}

    def scan(progress: ProgressFn) -> ScanReport:
        index = min(calls["n"], len(queue) - 1)
        calls["n"] += 1
        item = queue[index]
        progress(ProgressEvent("files parsed", 12, 12))
        progress(ProgressEvent("objects compared", 20, 20))
        if isinstance(item, Exception):
            raise item
        return item

    return scan


def commit(
    sha: str,
    author: str,
    date: str,
    subject: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> HistoryEntry:
    """A History-tab entry as :func:`driftui.history.history_for` returns them."""
    return HistoryEntry(sha, sha[:7], author, "", date, subject, before, after, "app.yaml")
