"""API priority and fairness: a 429 is waited out for as long as the server's Retry-After
asks, with jitter, bounded, and a clear error when it never clears (issue 21).

A proxy in front of the real API server answers chosen LISTs with 429; every other request,
and every retry once the faults are spent, gets the real server's answer. The client
sleeps on a recording clock, so the tests assert on the waits asked for, not on wall time.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live.patience import JITTER, MAX_RETRIES, MAX_WAIT
from driftui.model import Status
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.faultproxy import Fault, FaultProxy

pytestmark = pytest.mark.cluster


class RecordingClock:
    """Real time plus every wait asked for, which is recorded and skipped, not slept."""

    def __init__(self, spread: Callable[[], float] = lambda: 0.0) -> None:
        self.sleeps: list[float] = []
        self._spread = spread
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + sum(self.sleeps)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)

    def spread(self) -> float:
        with self._lock:
            return self._spread()


@pytest.fixture
def proxy(cluster: ClusterInfo, tmp_path: Path) -> Iterator[FaultProxy]:
    directory = tmp_path / "proxy"
    directory.mkdir()
    with FaultProxy(cluster, directory) as running:
        yield running


@pytest.fixture
def repo(tmp_path: Path, namespace: str) -> Path:
    path = tmp_path / "repo"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}
    write_repo(path, {"cm.yaml": [body]})
    return path


def scanner(
    repo: Path, proxy: FaultProxy, namespace: str, clock: RecordingClock, **opts: float
) -> Scanner:
    options = ScanOptions(
        repo=str(repo),
        kubeconfig=proxy.kubeconfig(),
        namespace=namespace,
        read_only=True,
        **opts,  # type: ignore[arg-type]
    )
    scan = Scanner(options, MutationGate(read_only=True))
    scan.client().clock = clock
    return scan


def list_statuses(proxy: FaultProxy, namespace: str) -> list[int]:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    return [s.status for s in proxy.seen if s.method == "GET" and s.path == path]


def test_a_429_is_waited_out_as_retry_after_asks_and_the_scan_completes(
    repo: Path, proxy: FaultProxy, namespace: str
) -> None:
    proxy.inject(Fault(429, retry_after="3", within=f"/namespaces/{namespace}/configmaps"), 2)
    clock = RecordingClock(iter([0.0, 0.5]).__next__)
    report = scanner(repo, proxy, namespace, clock).scan()

    assert list_statuses(proxy, namespace) == [429, 429, 200]
    # The header's 3 s, lengthened by jitter and never shortened: 3 s, then 3 s + half the jitter.
    assert clock.sleeps == pytest.approx([3.0, 3.0 * (1 + JITTER * 0.5)])
    (result,) = report.results
    assert (result.ref.name, result.status) == ("settings", Status.MISSING)
    assert not report.warnings and not report.has_errors


def test_random_jitter_stays_between_the_header_and_its_bound(
    repo: Path, proxy: FaultProxy, namespace: str
) -> None:
    proxy.inject(Fault(429, retry_after="2", within=f"/namespaces/{namespace}/configmaps"), 3)
    clock = RecordingClock(random.Random(21).random)
    report = scanner(repo, proxy, namespace, clock).scan()

    assert list_statuses(proxy, namespace) == [429, 429, 429, 200]
    assert len(clock.sleeps) == 3
    assert all(2.0 <= s < 2.0 * (1 + JITTER) for s in clock.sleeps), clock.sleeps
    assert len(set(clock.sleeps)) == 3  # three draws, three waits: workers do not march in step
    assert not report.has_errors


def test_a_throttle_that_never_clears_gives_up_with_a_clear_reason_after_bounded_waits(
    repo: Path, proxy: FaultProxy, namespace: str
) -> None:
    proxy.inject(Fault(429, retry_after="60", within=f"/namespaces/{namespace}/configmaps"))
    clock = RecordingClock()
    report = scanner(repo, proxy, namespace, clock, request_timeout=0).scan()

    assert list_statuses(proxy, namespace) == [429] * (MAX_RETRIES + 1)
    assert clock.sleeps == [MAX_WAIT] * MAX_RETRIES  # 60 s asked, each wait capped
    (result,) = report.results
    assert result.status is Status.ERROR
    assert result.reason == (
        f"not read: 429 Too Many Requests from {proxy.server}: injected 429 by the fault proxy"
        f" (gave up after {MAX_RETRIES + 1} attempts)"
    )
    assert report.warnings == [
        f"could not read ConfigMap in namespace {namespace}: 429 Too Many Requests from"
        f" {proxy.server}:"
        f" injected 429 by the fault proxy (gave up after {MAX_RETRIES + 1} attempts)"
    ]


def test_no_wait_is_begun_that_would_end_past_the_request_timeout(
    repo: Path, proxy: FaultProxy, namespace: str
) -> None:
    proxy.inject(Fault(429, retry_after="5", within=f"/namespaces/{namespace}/configmaps"))
    clock = RecordingClock()
    report = scanner(repo, proxy, namespace, clock, request_timeout=12).scan()

    assert clock.sleeps == [5.0, 5.0]  # a third wait would end past 12 s
    assert list_statuses(proxy, namespace) == [429, 429, 429]
    (result,) = report.results
    assert result.status is Status.ERROR and "(gave up after 3 attempts)" in result.reason
