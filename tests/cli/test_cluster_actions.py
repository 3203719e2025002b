"""``sync``, ``resume`` and friends with ``--context a,b`` (issue 23): each cluster in turn, one
question naming it, every write through that cluster's own gate; on two real control planes."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftui.cli import build_parser
from driftui.cli.cluster_actions import run_on_clusters
from driftui.cli.exits import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, combined_exit
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.multi_cluster import Answers, Clusters, drift_apart, two_clusters

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def planes(cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clusters]:
    with two_clusters(cluster, tmp_path_factory.mktemp("multi-actions")) as clusters:
        yield clusters


@pytest.fixture
def drifted(planes: Clusters, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A namespace of its own on both planes, drifted apart as the module's, and its repo."""
    ns = f"act-{uuid.uuid4().hex[:8]}"
    repo = drift_apart(planes.a, planes.b, ns, tmp_path / "repo")
    yield ns, repo
    for plane in (planes.a, planes.b):
        harness.request(plane, "DELETE", f"/api/v1/namespaces/{ns}")


def act(
    planes: Clusters,
    where: tuple[str, Path],
    contexts: list[str],
    *argv: str,
    prompt: Answers | None = None,
) -> tuple[int, str, str]:
    ns, repo = where
    args = build_parser().parse_args(
        [*argv, "--repo", str(repo), "-n", ns, "--kubeconfig", planes.kubeconfig, "-q"]
    )
    args.read_only = bool(args.read_only)
    out, err = io.StringIO(), io.StringIO()
    code = run_on_clusters(args, contexts, prompt=prompt, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def config_map(plane: ClusterInfo, ns: str, name: str) -> dict[str, str] | None:
    status, body = harness.request(plane, "GET", f"/api/v1/namespaces/{ns}/configmaps/{name}")
    return dict(body["data"]) if status == 200 else None


def test_sync_asks_once_per_cluster_naming_it_and_acts_only_where_confirmed(
    planes: Clusters, drifted: tuple[str, Path]
) -> None:
    ns, _ = drifted
    answers = Answers("n", "y")
    code, out, err = act(planes, drifted, ["a", "b"], "sync", prompt=answers)
    assert answers.questions == [
        f"On cluster a ({planes.a.server}): Apply 1 objects as 'driftui'? [y/N] ",
        f"On cluster b ({planes.b.server}): Apply 1 objects as 'driftui'? [y/N] ",
    ]
    assert code == EXIT_PARTIAL, (out, err)  # a declined, b synced
    assert config_map(planes.a, ns, "settings") == {"color": "red"}  # A left as it was
    assert config_map(planes.b, ns, "extra") == {"size": "1"}  # created on B
    assert out.index(f"# cluster a ({planes.a.server})") < out.index(
        f"# cluster b ({planes.b.server})"
    )
    assert "aborted: nothing was changed" in err


def test_sync_with_yes_fixes_each_cluster_its_own_way(
    planes: Clusters, drifted: tuple[str, Path]
) -> None:
    ns, _ = drifted
    argv = ("sync", "--yes", "--force-conflicts")  # the edit on A was made by another manager
    code, out, err = act(planes, drifted, ["a", "b"], *argv, prompt=Answers())
    assert code == EXIT_OK, (out, err)
    assert config_map(planes.a, ns, "settings") == {"color": "blue"}
    assert config_map(planes.b, ns, "extra") == {"size": "1"}  # created on B only
    b_part = out.split("# cluster b (")[1]
    assert f"+++ sync/{ns}/ConfigMap/extra  (create)" in b_part
    assert "settings" not in b_part  # in sync on B: nothing to do there


def test_read_only_refuses_every_cluster_at_its_gate(
    planes: Clusters, drifted: tuple[str, Path]
) -> None:
    ns, _ = drifted
    code, _, err = act(planes, drifted, ["a", "b"], "sync", "--yes", "--read-only")
    assert code == EXIT_ERROR
    assert err.count("read-only mode") == 2, err  # each cluster's own gate said no
    assert config_map(planes.a, ns, "settings") == {"color": "red"}
    assert config_map(planes.b, ns, "extra") is None


def test_a_cluster_that_fails_is_an_error_of_its_own_and_the_next_is_still_asked(
    planes: Clusters, drifted: tuple[str, Path]
) -> None:
    ns, _ = drifted
    code, out, err = act(planes, drifted, ["down", "b"], "sync", "--yes", prompt=Answers())
    assert code == EXIT_ERROR  # a cluster errored
    assert "error: cluster down: cannot reach https://127.0.0.1:" in err
    assert config_map(planes.b, ns, "extra") == {"size": "1"}  # b was still synced
    assert f"# cluster b ({planes.b.server})" in out


def test_resume_lists_each_clusters_suspensions_under_its_heading(
    planes: Clusters, drifted: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    code, out, _ = act(planes, drifted, ["a", "b"], "resume")
    assert code == EXIT_OK
    assert out.splitlines() == [
        f"# cluster a ({planes.a.server})",
        "no auto-sync suspended by driftui on this cluster",
        f"# cluster b ({planes.b.server})",
        "no auto-sync suspended by driftui on this cluster",
    ]


def test_live_snapshots_are_refused_for_actions(
    planes: Clusters, drifted: tuple[str, Path]
) -> None:
    from driftui.errors import UsageError

    with pytest.raises(UsageError, match="sync changes clusters, so it cannot take --live"):
        act(planes, drifted, ["a", "b"], "sync", "--live", "snap.json")


@pytest.mark.parametrize(
    ("codes", "errored", "dry_run", "expected"),
    [
        ([0, 0], False, False, EXIT_OK),
        ([0, 0], True, False, EXIT_ERROR),  # any cluster errored
        ([0, 2], False, False, EXIT_PARTIAL),  # one done, one refused or declined
        ([2, 2], False, False, EXIT_ERROR),  # nothing changed anywhere
        ([3, 0], False, False, EXIT_PARTIAL),
        ([0, 2], False, True, EXIT_ERROR),  # a dry-run that would fail somewhere
        ([], False, False, EXIT_ERROR),
    ],
)
def test_exit_codes_over_clusters(
    codes: list[int], errored: bool, dry_run: bool, expected: int
) -> None:
    assert combined_exit(codes, errored=errored, dry_run=dry_run) == expected
