"""Nothing is deleted or overwritten from stale or foreign data (issue: safety first).

Every case runs on the real control plane. Changes "during the confirmation" are made by the
prompt itself, between the preview the user saw and the write that follows.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live.client import ClusterClient, Resource
from driftui.live.errors import ApiError
from driftui.live.snapshot import Snapshot, write_snapshot
from driftui.model import Status
from tests.actions.test_sync import cm_path, configmap, exists, get, run, server_side_apply
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import kubectl, write_repo

pytestmark = pytest.mark.cluster

FLUX = "kustomize.toolkit.fluxcd.io"
TRACKING = "argocd.argoproj.io/tracking-id"


def flux_labels(name: str) -> dict[str, str]:
    return {f"{FLUX}/name": name, f"{FLUX}/namespace": "flux-system"}


def tracking_id(app: str, ns: str, name: str) -> dict[str, str]:
    return {TRACKING: f"{app}:/ConfigMap:{ns}/{name}"}


def live_cm(cluster: ClusterInfo, ns: str, name: str, **meta: Any) -> None:
    server_side_apply(cluster, configmap(ns, name, {"k": "live"}, **meta), "argocd-controller")


def scan(cluster: ClusterInfo, repo: Path, ns: str, config: str | None = None) -> Any:
    options = ScanOptions(
        repo=str(repo),
        kubeconfig=cluster.kubeconfig("admin"),
        namespace=ns,
        read_only=True,
        fetch=False,
        config_path=config,
    )
    return Scanner(options, MutationGate(read_only=True)).scan()


def extras(report: Any) -> dict[str, str]:
    return {r.ref.name: r.reason for r in report.results if r.status is Status.EXTRA}


# -- whose extras --------------------------------------------------------------------------


def side_by_side(cluster: ClusterInfo, ns: str, repo: Path) -> None:
    """Two Flux Kustomizations and two Argo CD apps in one namespace; Git holds one of each."""
    live_cm(cluster, ns, "apps-declared", labels=flux_labels("apps"))
    live_cm(cluster, ns, "apps-stray", labels=flux_labels("apps"))
    live_cm(cluster, ns, "infra-object", labels=flux_labels("infra"))
    # the same app's object in a namespace this source does not deploy to: out of scope
    live_cm(cluster, "default", f"apps-elsewhere-{ns}", labels=flux_labels("apps"))
    live_cm(cluster, ns, "gb-declared", annotations=tracking_id("guestbook", ns, "gb-declared"))
    live_cm(cluster, ns, "gb-stray", annotations=tracking_id("guestbook", ns, "gb-stray"))
    live_cm(cluster, ns, "pay-object", annotations=tracking_id("payments", ns, "pay-object"))
    # a controller copied guestbook's annotation onto its own object: Argo CD ignores it
    live_cm(cluster, ns, "copied", annotations=tracking_id("guestbook", ns, "gb-declared"))
    write_repo(
        repo,
        {
            "apps.yaml": [
                configmap(ns, "apps-declared", {"k": "live"}, labels=flux_labels("apps"))
            ],
            "gb.yaml": [configmap(ns, "gb-declared", {"k": "live"})],
        },
    )


def test_only_the_sources_own_apps_objects_are_extra(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    side_by_side(cluster, namespace, tmp_path / "repo")
    found = extras(scan(cluster, tmp_path / "repo", namespace))
    assert set(found) == {"apps-stray", "gb-stray"}
    assert found["apps-stray"] == (
        "absent from Git, tracked by flux:flux-system/apps"
        f" ({FLUX}/name=apps, {FLUX}/namespace=flux-system)"
    )
    assert found["gb-stray"].startswith("absent from Git, tracked by argocd:guestbook (")


def test_prune_never_plans_to_delete_another_apps_objects(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    side_by_side(cluster, namespace, tmp_path / "repo")
    preview = run(cluster, tmp_path / "repo", namespace, "sync", "--prune", "--dry-run")
    assert preview.code == 0, preview.err
    pruned = {
        line.split("/")[-1].split()[0] for line in preview.out.splitlines() if "(prune)" in line
    }
    assert pruned == {"apps-stray", "gb-stray"}
    assert "# this source's: tracked by flux:flux-system/apps" in preview.out
    done = run(cluster, tmp_path / "repo", namespace, "sync", "--prune", "--yes")
    assert done.code == 0, done.err
    for name in ("infra-object", "pay-object", "copied", "apps-declared", "gb-declared"):
        assert exists(cluster, cm_path(namespace, name)), name
    assert exists(cluster, cm_path("default", f"apps-elsewhere-{namespace}"))
    assert not exists(cluster, cm_path(namespace, "apps-stray"))
    assert not exists(cluster, cm_path(namespace, "gb-stray"))


def test_a_branch_cannot_claim_another_apps_objects(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    """A Git label naming payments, and a repo config naming a marker key, claim nothing."""
    instance = {"app.kubernetes.io/instance": "payments"}
    live_cm(cluster, namespace, "victim-payments", labels=instance)
    live_cm(cluster, namespace, "victim-team", labels={"team.example.com/app": "shop"})
    live_cm(cluster, namespace, "shop-settings", labels={"team.example.com/app": "shop"})
    repo = tmp_path / "repo"
    write_repo(
        repo,
        {
            "claim.yaml": [configmap(namespace, "claim", {"k": "v"}, labels=instance)],
            "shop.yaml": [
                configmap(
                    namespace,
                    "shop-settings",
                    {"k": "live"},
                    labels={"team.example.com/app": "shop"},
                )
            ],
            ".driftui.yaml": [{"tracking": {"labels": ["team.example.com/app"]}}],
        },
    )
    report = scan(cluster, repo, namespace)
    assert extras(report) == {}
    assert any("sets tracking markers; ignored" in w for w in report.warnings)
    preview = run(cluster, repo, namespace, "sync", "--prune", "--dry-run")
    assert "victim" not in preview.out
    # The same key in the user's own config is honoured: the user decides what counts.
    own = tmp_path / "mine.yaml"
    own.write_text("tracking:\n  labels: [team.example.com/app]\n")
    assert set(extras(scan(cluster, repo, namespace, config=str(own)))) == {"victim-team"}


# -- stale data ----------------------------------------------------------------------------


def prune_one(cluster: ClusterInfo, ns: str, repo: Path) -> None:
    track = {"app.kubernetes.io/instance": f"app-{ns}"}
    write_repo(repo, {"keep.yaml": [configmap(ns, "keep", {"k": "v"}, labels=track)]})
    server_side_apply(cluster, configmap(ns, "keep", {"k": "v"}, labels=track), "driftui")
    server_side_apply(cluster, configmap(ns, "stray", {"old": "1"}, labels=track), "driftui")


def while_confirming(change: Callable[[], None], answer: str) -> Callable[[str], str]:
    def prompt(_question: str) -> str:
        change()
        return answer

    return prompt


def run_with(cluster: ClusterInfo, repo: Path, ns: str, prompt: Callable[[str], str], *argv: str):  # type: ignore[no-untyped-def]
    import io

    from driftui.cli.sync import run_sync
    from tests.actions.test_sync import parse

    options = ScanOptions(repo=str(repo), kubeconfig=cluster.kubeconfig("admin"), namespace=ns)
    out, err = io.StringIO(), io.StringIO()
    code = run_sync(Scanner(options, MutationGate()), parse(*argv), prompt=prompt, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (["label", "configmap/stray", "edited=yes"], "the object changed since the preview"),
        (["label", "configmap/stray", "app.kubernetes.io/instance-"], "no longer carries"),
        (["replace", "--force", "-f", "-"], "it was replaced since the preview (uid"),
    ],
)
def test_an_extra_changed_after_the_preview_is_not_deleted(
    cluster: ClusterInfo, namespace: str, tmp_path: Path, change: list[str], reason: str
) -> None:
    repo = tmp_path / "repo"
    prune_one(cluster, namespace, repo)

    def edit() -> None:
        if change[0] == "replace":  # delete and create again under the same name and marker
            current = get(cluster, cm_path(namespace, "stray"))
            harness.request(cluster, "DELETE", cm_path(namespace, "stray"))
            fresh = configmap(
                namespace, "stray", current["data"], labels=current["metadata"]["labels"]
            )
            assert (
                harness.request(
                    cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", fresh
                )[0]
                == 201
            )
            return
        kubectl(cluster, "-n", namespace, *change)

    code, out, err = run_with(
        cluster, repo, namespace, while_confirming(edit, "stray"), "sync", "--prune"
    )
    assert code == 2, out + err
    line = next(li for li in err.splitlines() if "ConfigMap/stray" in li)
    assert line.startswith(f"{namespace}/ConfigMap/stray: skipped: not deleted: ")
    assert reason in line
    assert exists(cluster, cm_path(namespace, "stray"))


def test_a_delete_carries_uid_and_resource_version_preconditions(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    """The server's own check: a delete naming an older resourceVersion deletes nothing."""
    prune_one(cluster, namespace, tmp_path / "repo")
    before = get(cluster, cm_path(namespace, "stray"))["metadata"]
    kubectl(cluster, "-n", namespace, "label", "configmap/stray", "edited=yes")
    client = ClusterClient.from_kubeconfig(cluster.kubeconfig("admin"), gate=MutationGate())
    target = Resource("", "configmaps", namespace)
    for stale in ({"resource_version": before["resourceVersion"]}, {"uid": "0" * 8}):
        with pytest.raises(ApiError) as refused:
            client.delete(cm_path(namespace, "stray"), target, **stale)
        assert refused.value.status == 409
        assert exists(cluster, cm_path(namespace, "stray"))
    now = get(cluster, cm_path(namespace, "stray"))["metadata"]
    client.delete(
        cm_path(namespace, "stray"), target, uid=now["uid"], resource_version=now["resourceVersion"]
    )
    assert not exists(cluster, cm_path(namespace, "stray"))


def test_an_object_edited_after_the_preview_is_previewed_again_not_applied(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    write_repo(repo, {"a.yaml": [configmap(namespace, "settings", {"a": "git"})]})
    server_side_apply(cluster, configmap(namespace, "settings", {"a": "old"}), "driftui")

    def edit() -> None:
        kubectl(cluster, "-n", namespace, "label", "configmap/settings", "edited=by-hand")

    code, out, err = run_with(cluster, repo, namespace, while_confirming(edit, "y"), "sync")
    assert code == 2, out + err
    assert f"{namespace}/ConfigMap/settings: skipped: the object changed since the preview" in err
    assert "not applied, run sync again" in err
    again = out.split(f"# {namespace}/ConfigMap/settings as it is now; applying Git would change:")
    assert len(again) == 2, out
    assert "-  a: old" in again[1] and "+  a: git" in again[1]
    live = get(cluster, cm_path(namespace, "settings"))
    assert live["data"] == {"a": "old"} and live["metadata"]["labels"] == {"edited": "by-hand"}


def test_nothing_is_pruned_after_a_failed_apply(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    """As `kubectl apply --prune`: one failed apply, and every prune waits."""
    repo = tmp_path / "repo"
    track = {"app.kubernetes.io/instance": f"app-{namespace}"}
    frozen = dict(configmap(namespace, "frozen", {"k": "git"}, labels=track), immutable=True)
    write_repo(repo, {"a.yaml": [frozen, configmap(namespace, "fine", {"k": "git"}, labels=track)]})
    live = dict(configmap(namespace, "frozen", {"k": "live"}, labels=track), immutable=True)
    server_side_apply(cluster, live, "driftui")
    server_side_apply(cluster, configmap(namespace, "stray", {"k": "x"}, labels=track), "driftui")

    result = run(cluster, repo, namespace, "sync", "--prune", "--yes")
    assert result.code == 3, result.out + result.err  # `fine` was created, the rest was not
    assert f"{namespace}/ConfigMap/frozen: failed: " in result.err
    assert f"{namespace}/ConfigMap/stray: skipped: not pruned: 1 of 2 applies failed" in result.err
    assert exists(cluster, cm_path(namespace, "stray"))
    assert exists(cluster, cm_path(namespace, "fine"))


# -- offline data never drives a write -----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["sync", "--prune", "--yes"],
        ["sync", "--dry-run"],
        ["reconcile", "--yes"],
        ["suspend", "argocd:shop", "--yes"],
        ["resume", "--all", "--yes"],
    ],
)
def test_commands_that_write_refuse_a_snapshot(
    cluster: ClusterInfo, namespace: str, tmp_path: Path, argv: list[str]
) -> None:
    """The snapshot names another server and lists an unmarked object as extra: no matter."""
    repo = tmp_path / "repo"
    write_repo(repo, {"keep.yaml": [configmap(namespace, "keep", {"k": "v"})]})
    kubectl(cluster, "-n", namespace, "create", "configmap", "bystander")
    snap = tmp_path / "other.json"
    marked = configmap(namespace, "bystander", {}, labels={"app.kubernetes.io/instance": "x"})
    keep = configmap(namespace, "keep", {"k": "v"}, labels={"app.kubernetes.io/instance": "x"})
    write_snapshot(Snapshot(objects=[marked, keep], server="https://elsewhere:6443"), snap)
    where = ["--repo", str(repo), "-n", namespace, "--kubeconfig", cluster.kubeconfig("admin")]
    done = subprocess.run(
        [sys.executable, "-m", "driftui", *argv, "--live", str(snap), *where],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"error: {argv[0]} changes the cluster, so it cannot take --live:"
        " a snapshot is not the cluster your kubeconfig names\n"
    )
    assert exists(cluster, cm_path(namespace, "bystander"))


def test_nothing_is_pruned_while_a_file_of_git_cannot_be_read(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    """A broken file hides what it declares: its live objects would read as extra."""
    repo = tmp_path / "repo"
    prune_one(cluster, namespace, repo)  # `keep` declared, `stray` extra
    (repo / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "a broken file"], check=True)

    preview = run(cluster, repo, namespace, "sync", "--prune", "--dry-run")
    assert preview.code == 2
    assert (
        "warning: nothing will be pruned: Git could not be read whole (broken.yaml" in preview.err
    )
    done = run(cluster, repo, namespace, "sync", "--prune", "--yes")
    assert (
        f"{namespace}/ConfigMap/stray: skipped: not pruned: Git could not be read whole" in done.err
    )
    assert exists(cluster, cm_path(namespace, "stray"))


def test_an_extra_that_git_now_declares_is_never_deleted(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    """The last guard before a delete: a plan's extra that the Git read at prune time declares
    (a commit landed after the plan was made) is kept, whatever the plan says."""
    from driftui.actions.sync import Syncer
    from driftui.actions.sync_plan import match_manifests, plan_sync
    from driftui.model import ObjectRef
    from driftui.source.load import load_desired

    repo = tmp_path / "repo"
    prune_one(cluster, namespace, repo)  # `keep` declared, `stray` extra
    options = ScanOptions(
        repo=str(repo), kubeconfig=cluster.kubeconfig("admin"), namespace=namespace
    )
    scanner = Scanner(options, MutationGate())
    results = scanner.scan().results
    plan = plan_sync(
        results,
        match_manifests(results, load_desired(str(repo)).manifests, namespace),
        prune=True,
    )
    assert [item.ref.name for item in plan.prunes] == ["stray"]
    now_declared = {ObjectRef("", "ConfigMap", namespace, "stray")}
    syncer = Syncer(scanner.client(), field_manager="driftui")
    outcomes = syncer.prune(plan.prunes, now_declared)
    assert [(o.ref.name, o.outcome, o.message) for o in outcomes] == [
        ("stray", "skipped", "not deleted: it is declared in Git")
    ]
    assert exists(cluster, cm_path(namespace, "stray"))
    assert [o.outcome for o in syncer.prune(plan.prunes, set())] == ["pruned"]  # the control
    assert not exists(cluster, cm_path(namespace, "stray"))
