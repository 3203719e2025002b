"""Half of a one-shot scan's comparisons in a forked copy (issue 21): the same verdicts as
judged in one process, no request from the copy, and a failed copy's part judged here.

Each scan runs in a fresh interpreter: a test process may run threads of its own
(pytest-xdist's channel), and no copy is made while another thread runs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftui.gate import MutationGate
from driftui.live.client import ClusterClient
from tests.cluster.harness import ClusterInfo
from tests.engine.test_dry_runs import audit_mark, drifted_namespace, dry_runs_since

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]

SCAN = """
import json, sys
from dataclasses import replace
from driftui.engine import Scanner, ScanOptions, judging_apart
from driftui.gate import MutationGate
from driftui.model import Status
from tests.engine.test_dry_runs import essence

repo, kubeconfig, ns, cache, apart, fail = sys.argv[1:]
made = []
real = judging_apart.forked
def counted(work):
    copy = real(work)
    made.append(copy is not None)
    return copy
judging_apart.APART_MIN, judging_apart.forked = 2, counted
answered = []
real_answer = judging_apart.Forked.answer
def answer(self):
    sent = real_answer(self)
    answered.append(sent is not None)
    return sent
judging_apart.Forked.answer = answer
judging_apart.cores = lambda: 2
if fail == "1":
    def broken(*_):
        raise RuntimeError("the copy fails")
    judging_apart._first_looks = broken
opts = ScanOptions(repo=repo, kubeconfig=kubeconfig, namespace=ns, cache_dir=cache,
                   judge_apart=apart == "1")
scanner = Scanner(opts, MutationGate())
scanner.mask_key = b"k" * 32  # Secrets' masks comparable across scans
report = scanner.scan()
drifted = [r for r in report.results if r.status is Status.DRIFTED]
in_sync = [r for r in report.results if r.status is Status.IN_SYNC]
print(json.dumps({
    "essence": repr(essence(report)),
    "copies": made,
    "answered": answered,
    "drifted_live": bool(drifted) and all(r.live is not None for r in drifted),
    "in_sync_desired": bool(in_sync) and all(r.desired is not None for r in in_sync),
}))
"""


@pytest.fixture(scope="module")
def drifted(
    cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    yield from drifted_namespace(cluster, tmp_path_factory)


def scan(
    cluster: ClusterInfo, drifted: tuple[Path, str], tmp: Path, apart: bool, fail: bool = False
) -> dict[str, object]:
    repo, ns = drifted
    argv = [str(repo), cluster.kubeconfig("admin"), ns, str(tmp / f"cache-{apart}-{fail}")]
    argv += ["1" if apart else "0", "1" if fail else "0"]
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCAN), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out: dict[str, object] = json.loads(done.stdout)
    return out


def test_the_copy_judges_as_this_process_does_and_asks_the_server_nothing(
    cluster: ClusterInfo, drifted: tuple[Path, str], tmp_path: Path
) -> None:
    ns = drifted[1]
    mark = audit_mark(cluster)
    alone = scan(cluster, drifted, tmp_path, apart=False)
    asked = dry_runs_since(cluster, mark, ns)
    assert alone["copies"] == []
    mark = audit_mark(cluster)
    split = scan(cluster, drifted, tmp_path, apart=True)
    assert split["copies"] == split["answered"] == [True]  # no request failed the copy
    assert dry_runs_since(cluster, mark, ns) == asked  # each once, and from this process
    assert split["essence"] == alone["essence"]
    assert split["drifted_live"] and split["in_sync_desired"]  # a workload's images need it


def test_a_copy_that_fails_leaves_its_part_to_this_process(
    cluster: ClusterInfo, drifted: tuple[Path, str], tmp_path: Path
) -> None:
    alone = scan(cluster, drifted, tmp_path, apart=False)
    split = scan(cluster, drifted, tmp_path, apart=True, fail=True)
    assert split["copies"] == [True] and split["answered"] == [False]
    assert split["essence"] == alone["essence"]


def test_a_client_forbidden_requests_sends_none(cluster: ClusterInfo) -> None:
    client = ClusterClient.from_kubeconfig(cluster.kubeconfig("admin"), gate=MutationGate())
    assert "gitVersion" in client.get("/version")
    client.forbid_requests()
    with pytest.raises(RuntimeError, match="no request may leave"):
        client.get("/version")
    with pytest.raises(RuntimeError, match="no request may leave"):  # nor a watch
        client.stream("/api/v1/namespaces", [("watch", "true")], read_timeout=1)
