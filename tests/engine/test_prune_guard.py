"""Extras the app's operator would never prune are reported, with the reason, and never
pruned by driftui: kustomize-controller's ``kustomize.toolkit.fluxcd.io/prune: disabled``
and ``spec.prune: false``, Argo CD's ``argocd.argoproj.io/sync-options: Prune=false``.
Against the real control plane; the live objects are the controllers' server-side applies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.actions.registry import PRUNE, ActionRequest, unavailable_reason
from driftui.gate import MutationGate
from driftui.model import Status
from tests.actions.test_prune_safety import flux_labels, live_cm, scan, tracking_id
from tests.actions.test_sync import cm_path, configmap, exists, run
from tests.cli.test_flux_sources import Source, cm, serve
from tests.cluster.crds import GIT_REPOSITORY, KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.gitops.objects import create, flux_status
from tests.source.test_render_config import driftui, make_repo

pytestmark = pytest.mark.cluster

FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune"
ARGO_OPTIONS = "argocd.argoproj.io/sync-options"


def guarded(cluster: ClusterInfo, ns: str, repo: Path) -> None:
    """Git holds one object of each app; each app has a stray, a guarded stray and (Flux) a
    stray guarded by a label in upper case."""
    live_cm(cluster, ns, "apps-in-git", labels=flux_labels("apps"))
    live_cm(cluster, ns, "gb-in-git", annotations=tracking_id("guestbook", ns, "gb-in-git"))
    live_cm(cluster, ns, "apps-stray", labels=flux_labels("apps"))
    live_cm(
        cluster, ns, "apps-kept", labels=flux_labels("apps"), annotations={FLUX_PRUNE: "disabled"}
    )
    live_cm(cluster, ns, "apps-kept-label", labels={**flux_labels("apps"), FLUX_PRUNE: "Disabled"})
    unreconciled = {"kustomize.toolkit.fluxcd.io/reconcile": "disabled"}
    live_cm(cluster, ns, "apps-unreconciled", labels=flux_labels("apps"), annotations=unreconciled)
    live_cm(cluster, ns, "gb-stray", annotations=tracking_id("guestbook", ns, "gb-stray"))
    kept = {**tracking_id("guestbook", ns, "gb-kept"), ARGO_OPTIONS: "Replace=true, Prune=false"}
    live_cm(cluster, ns, "gb-kept", annotations=kept)
    write_repo(
        repo,
        {
            "apps.yaml": [configmap(ns, "apps-in-git", {"k": "live"}, labels=flux_labels("apps"))],
            "gb.yaml": [
                configmap(
                    ns,
                    "gb-in-git",
                    {"k": "live"},
                    annotations=tracking_id("guestbook", ns, "gb-in-git"),
                )
            ],
        },
    )


def test_guarded_extras_are_reported_with_the_reason_and_never_pruned(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    guarded(cluster, namespace, repo)

    report = scan(cluster, repo, namespace)
    extras = {r.ref.name: r for r in report.results if r.status is Status.EXTRA}
    done = run(cluster, repo, namespace, "sync", "--prune", "--yes")

    assert set(extras) == {
        *("apps-stray", "apps-kept", "apps-kept-label", "apps-unreconciled"),
        *("gb-stray", "gb-kept"),
    }
    refused = {name: r.prune_refused for name, r in extras.items() if r.prune_refused}
    assert refused == {
        "apps-kept": f"{FLUX_PRUNE}: disabled",
        "apps-kept-label": f"{FLUX_PRUNE}: disabled",
        "apps-unreconciled": "kustomize.toolkit.fluxcd.io/reconcile: disabled",
        "gb-kept": f"{ARGO_OPTIONS}: Prune=false",
    }
    assert extras["apps-kept"].reason.endswith(f"; never pruned: {FLUX_PRUNE}: disabled")
    assert done.code == 0, done.err
    for name in ("apps-kept", "apps-kept-label", "apps-unreconciled", "gb-kept"):
        assert exists(cluster, cm_path(namespace, name)), name
    for name in ("apps-stray", "gb-stray"):
        assert not exists(cluster, cm_path(namespace, name)), name
    # the explorer's Prune action says why instead of acting
    request = ActionRequest(PRUNE, (extras["gb-kept"],))
    why = unavailable_reason(request, MutationGate(read_only=False))
    assert why == f"ConfigMap gb-kept: never pruned: {ARGO_OPTIONS}: Prune=false"


# -- a Kustomization's spec.prune ----------------------------------------------------------


@pytest.fixture
def flux_app(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[Source]:
    work = make_repo(tmp_path / "work", {"deploy/settings.yaml": cm("settings", "1")})
    yield from serve(tmp_path, work, cluster, namespace)


def kustomization(src: Source, prune: bool) -> None:
    repo = {"url": src.url, "ref": {"branch": "main"}}
    create(src.cluster, GIT_REPOSITORY, src.ns, "deploy", repo)
    ks = {
        "path": "./deploy",
        "prune": prune,
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
    }
    create(src.cluster, KUSTOMIZATION, src.ns, "app", ks, status=flux_status("True", "Succeeded"))


def sync_prune(src: Source) -> Any:
    app = f"--app=kustomization/{src.ns}/app"
    return driftui(
        "sync", "--prune", "--yes", app, "--kubeconfig", src.cluster.kubeconfig(), "-n", src.ns
    )


@pytest.mark.parametrize("prune", [True, False])
def test_a_kustomization_that_does_not_prune_has_extras_driftui_does_not_prune(
    flux_app: Source, prune: bool
) -> None:
    src = flux_app
    kustomization(src, prune=prune)
    src.applied("settings", "1")
    src.applied("stray", "1")  # no longer in Git

    done, doc = src.report()
    synced = sync_prune(src)

    assert done.returncode == 1, done.stderr + done.stdout
    [stray] = [o for o in doc["objects"] if o["name"] == "stray"]
    assert stray["status"] == "extra"
    never = f"never pruned: kustomization/{src.ns}/app has spec.prune: false"
    assert stray["reason"].endswith(never) is (not prune)
    assert synced.returncode == 0, synced.stderr + synced.stdout
    assert exists(src.cluster, cm_path(src.ns, "stray")) is (not prune)
    if not prune:
        assert never in synced.stdout + synced.stderr
