"""A throttling, failing or hung API server, injected for real by a proxy in front of it.

The proxy (tests/faultproxy.py) answers chosen requests itself and forwards the rest to the
real kube-apiserver, so every retried request finally gets the server's real answer.
"""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftui.cli.sync import run_sync
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live.client import ClusterClient, Resource
from driftui.live.errors import (
    ApiUnavailable,
    ClusterError,
    ClusterUnreachable,
    RequestTimedOut,
    ServerUnavailable,
)
from driftui.model import Status
from driftui.runtime.progress import ProgressEvent
from tests.actions.test_sync import parse
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.faultproxy import DROP, HANG, Fault, FaultProxy

pytestmark = pytest.mark.cluster

CONFIGMAPS = Resource("", "configmaps")


@pytest.fixture
def proxy(cluster: ClusterInfo, tmp_path: Path) -> Iterator[FaultProxy]:
    directory = tmp_path / "proxy"
    directory.mkdir()
    with FaultProxy(cluster, directory) as running:
        yield running


@pytest.fixture
def repo(tmp_path: Path, namespace: str) -> Path:
    path = tmp_path / "repo"
    write_repo(
        path,
        {
            "cm.yaml": [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "settings", "namespace": namespace},
                    "data": {"mode": "calm"},
                }
            ]
        },
    )
    return path


def scanner(repo: Path, proxy: FaultProxy, **options: object) -> Scanner:
    opts = ScanOptions(
        repo=str(repo),
        kubeconfig=proxy.kubeconfig(),
        read_only=True,
        list_workers=1,
        **options,  # type: ignore[arg-type]
    )
    return Scanner(opts, MutationGate(read_only=True))


def client(proxy: FaultProxy, timeout: float = 30.0) -> ClusterClient:
    return ClusterClient.from_kubeconfig(proxy.kubeconfig(), gate=MutationGate(), timeout=timeout)


def driftui(*args: str) -> subprocess.CompletedProcess[str]:
    # The timeout only stops a broken build from hanging the suite; nothing asserts on time.
    return subprocess.run(
        [sys.executable, "-m", "driftui", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_a_throttled_scan_waits_as_told_and_succeeds(repo: Path, proxy: FaultProxy) -> None:
    proxy.inject(Fault(429, retry_after="1"), times=2)
    report = scanner(repo, proxy).scan()
    assert not report.problems and not report.has_errors, report.problems
    (result,) = report.results
    assert result.ref.name == "settings" and result.status is Status.MISSING
    first, second, third = proxy.seen[:3]
    assert [first.status, second.status, third.status] == [429, 429, 200]
    assert first.path == second.path == third.path  # the same request, asked again
    assert second.at - first.at >= 1.0 and third.at - second.at >= 1.0  # Retry-After: 1


def test_503_without_retry_after_is_retried_with_backoff(repo: Path, proxy: FaultProxy) -> None:
    proxy.inject(Fault(503), times=1)
    report = scanner(repo, proxy).scan()
    assert not report.problems and not report.has_errors
    assert proxy.statuses()[:2] == [503, 200]
    assert proxy.seen[1].at - proxy.seen[0].at >= 0.5  # the first backoff step


def test_a_server_that_always_throttles_gives_one_clear_error(
    repo: Path, proxy: FaultProxy
) -> None:
    proxy.inject(Fault(429, retry_after="0"))
    result = driftui("diff", "--repo", str(repo), "--kubeconfig", proxy.kubeconfig())
    assert result.returncode == 2, result.stdout + result.stderr
    assert error_lines(result.stderr) == [
        f"error: 429 Too Many Requests from {proxy.server}: injected 429 by the fault proxy"
        " (gave up after 11 attempts)"
    ]
    assert "Traceback" not in result.stderr
    assert proxy.statuses() == [429] * 11  # client-go's 10 retries, then the cause named
    assert len({(s.method, s.path) for s in proxy.seen}) == 1


def test_a_hung_server_times_out_each_request_with_one_line(repo: Path, proxy: FaultProxy) -> None:
    proxy.inject(Fault(HANG))
    result = driftui(
        "diff", "--repo", str(repo), "--kubeconfig", proxy.kubeconfig(), "--request-timeout", "1s"
    )
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = error_lines(result.stderr)
    assert line == (f"error: GET /api to {proxy.server} timed out after 1s (--request-timeout)"), (
        result.stderr
    )
    assert "Traceback" not in result.stderr and "cannot reach" not in result.stderr
    assert proxy.statuses() == [HANG]  # a timeout is not retried


def test_a_timeout_mid_scan_is_reported_for_the_kind_it_hit(
    repo: Path, proxy: FaultProxy, namespace: str
) -> None:
    proxy.inject(Fault(HANG, within="/configmaps"))  # discovery answers; the LIST hangs
    report = scanner(repo, proxy, request_timeout=1.0).scan()
    (result,) = report.results
    assert result.status is Status.ERROR
    assert result.reason == (
        f"not read: GET /api/v1/namespaces/{namespace}/configmaps to {proxy.server}"
        " timed out after 1s (--request-timeout)"
    )  # each scanned namespace is LISTed on its own (issue 21): the object's own LIST named
    assert sorted(s.path for s in proxy.seen if s.status == HANG) == [
        "/api/v1/namespaces/default/configmaps",
        f"/api/v1/namespaces/{namespace}/configmaps",
    ]


def test_while_the_cluster_holds_a_request_the_scan_says_it_waits_for_the_cluster(
    repo: Path, proxy: FaultProxy
) -> None:
    """The explorer shows the last progress event: while a LIST hangs it must not read
    "files parsed 1/1" as if driftui itself were busy."""
    proxy.inject(Fault(HANG, within="/configmaps"))
    events: list[str] = []
    with_hang: list[str] = []

    def progress(event: ProgressEvent) -> None:
        events.append(str(event))

    def watch() -> None:  # what the screen shows while the server holds the LIST
        for _ in range(100):
            if any(s.status == HANG for s in proxy.seen):
                with_hang.append(events[-1])
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    scanner(repo, proxy, request_timeout=1.0).scan(progress)
    watcher.join()
    assert events[0].startswith("files parsed")
    assert with_hang == ["waiting for the cluster"]


def test_a_504_on_a_read_is_retried(repo: Path, proxy: FaultProxy) -> None:
    proxy.inject(Fault(504, text="Gateway Timeout"), times=1)
    report = scanner(repo, proxy).scan()
    assert not report.problems and not report.has_errors
    assert proxy.statuses()[:2] == [504, 200]
    assert proxy.seen[0].path == proxy.seen[1].path


def test_a_504_on_a_write_is_the_servers_answer_and_not_repeated(
    proxy: FaultProxy, namespace: str
) -> None:
    api = client(proxy)
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gw"}}
    proxy.inject(Fault(504, text="Gateway Timeout", methods=frozenset({"POST"})))
    with pytest.raises(ClusterError) as failed:
        api.create(path, obj, CONFIGMAPS)
    assert str(failed.value) == f"504 Gateway Timeout from {proxy.server}"
    assert "cannot reach" not in str(failed.value)
    assert isinstance(failed.value, ApiUnavailable) and isinstance(failed.value, ServerUnavailable)
    assert failed.value.status == 504
    assert proxy.statuses("POST") == [504]  # a write that may have gone through: asked once


def test_a_504_on_a_dry_run_is_retried(proxy: FaultProxy, namespace: str) -> None:
    api = client(proxy)
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}}
    proxy.inject(Fault(504, text="Gateway Timeout", methods=frozenset({"POST"})), times=1)
    created = api.create(path, obj, CONFIGMAPS, dry_run=True)
    assert created["metadata"]["name"] == "dry"
    assert proxy.statuses("POST") == [504, 201]


def test_a_throttled_write_is_sent_again_and_applied_once(
    proxy: FaultProxy, cluster: ClusterInfo, namespace: str
) -> None:
    api = client(proxy)
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "once"}}
    proxy.inject(Fault(429, retry_after="0", methods=frozenset({"POST"})), times=1)
    proxy.inject(Fault(503, retry_after="0", methods=frozenset({"POST"})), times=1)
    created = api.create(path, obj, CONFIGMAPS)
    assert created["metadata"]["name"] == "once"
    assert proxy.statuses("POST") == [429, 503, 201]
    status, live = harness.request(cluster, "GET", f"{path}/once")
    assert status == 200 and live["metadata"]["uid"] == created["metadata"]["uid"]


def test_retries_stop_at_the_request_timeout_and_name_the_answer(proxy: FaultProxy) -> None:
    api = client(proxy, timeout=1.0)
    proxy.inject(Fault(503, retry_after="5"))
    with pytest.raises(ApiUnavailable) as failed:
        api.get("/api")
    # A 5 s wait cannot fit in a 1 s timeout: the answer is reported, not a later timeout.
    assert str(failed.value).startswith(f"503 Service Unavailable from {proxy.server}")
    assert proxy.statuses() == [503]


def test_a_timeout_after_retries_says_what_the_server_answered(proxy: FaultProxy) -> None:
    api = client(proxy, timeout=1.0)
    proxy.inject(Fault(429, retry_after="0"), times=1)
    proxy.inject(Fault(HANG))
    with pytest.raises(RequestTimedOut) as failed:
        api.get("/api")
    assert str(failed.value) == (
        f"GET /api to {proxy.server} timed out after 1s"
        " (--request-timeout; earlier attempts answered 429)"
    )
    assert isinstance(failed.value, ServerUnavailable)


def test_a_read_whose_connection_drops_is_asked_again(repo: Path, proxy: FaultProxy) -> None:
    proxy.inject(Fault(DROP), times=1)  # as an API server that restarts drops its requests
    report = scanner(repo, proxy).scan()
    assert not report.problems and not report.has_errors
    assert proxy.statuses()[:2] == [DROP, 200]
    assert proxy.seen[1].at - proxy.seen[0].at >= 1.0  # client-go's artificial Retry-After


def test_a_write_whose_connection_drops_is_not_repeated(proxy: FaultProxy, namespace: str) -> None:
    api = client(proxy)
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dropped"}}
    proxy.inject(Fault(DROP, methods=frozenset({"POST"})))
    with pytest.raises(ClusterUnreachable) as failed:
        api.create(path, obj, CONFIGMAPS)
    assert str(failed.value).startswith(f"cannot reach {proxy.server}: ")
    assert isinstance(failed.value, ServerUnavailable)
    assert proxy.statuses("POST") == [DROP]  # it may have been applied: never sent twice


# -- a sync against a server that stops serving ----------------------------------------------


def test_a_sync_stops_after_three_failures_in_a_row_and_says_what_it_did(
    proxy: FaultProxy, namespace: str, tmp_path: Path
) -> None:
    """The server fails every write once the user has confirmed: three tries, then an account."""
    repo, names = six_configmaps(tmp_path, namespace)

    def confirm(_question: str) -> str:  # the preview went through; now the writes fail
        proxy.inject(Fault(500, methods=frozenset({"PATCH"})))
        return "y"

    options = ScanOptions(repo=str(repo), kubeconfig=proxy.kubeconfig(), namespace=namespace)
    out, err = io.StringIO(), io.StringIO()
    code = run_sync(
        Scanner(options, MutationGate()), parse("sync"), prompt=confirm, out=out, err=err
    )
    assert code == 2, out.getvalue() + err.getvalue()
    lines = [li for li in err.getvalue().splitlines() if "/ConfigMap/" in li]
    failed = [li for li in lines if ": failed: 500 " in li]
    skipped = [li for li in lines if li.endswith(": skipped: server unavailable")]
    assert len(failed) == 3 and len(skipped) == 3, lines
    applies = [s for s in proxy.seen if s.method == "PATCH" and "dryRun" not in s.query]
    assert len(applies) == 3  # nothing was sent for the skipped ones
    assert not any(exists(proxy, namespace, n) for n in names)


def six_configmaps(tmp_path: Path, namespace: str) -> tuple[Path, list[str]]:
    """A repository declaring six ConfigMaps that the cluster does not have yet."""
    names = [f"m{i}" for i in range(6)]
    repo = tmp_path / "sync-repo"
    maps = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "namespace": namespace}}
        for n in names
    ]
    write_repo(repo, {"maps.yaml": maps})
    return repo, names


def exists(proxy: FaultProxy, namespace: str, name: str) -> bool:
    return (
        harness.request(proxy.cluster, "GET", f"/api/v1/namespaces/{namespace}/configmaps/{name}")[
            0
        ]
        == 200
    )


def test_a_sync_stopped_mid_apply_says_which_object_is_in_an_unknown_state(
    proxy: FaultProxy, namespace: str, tmp_path: Path
) -> None:
    """SIGTERM while the server holds the third apply: two created, one unknown, three not sent."""
    repo, _ = six_configmaps(tmp_path, namespace)
    proxy.inject(Fault(HANG, methods=frozenset({"PATCH"}), within="/m2", writes_only=True))
    argv = ["sync", "--yes", "--repo", str(repo), "-n", namespace]
    child = subprocess.Popen(
        [sys.executable, "-m", "driftui", *argv, "--kubeconfig", proxy.kubeconfig()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(300):  # until the server holds m2's apply
        if any(s.status == HANG for s in proxy.seen):
            break
        time.sleep(0.1)
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 3, out + err  # partly done
    assert (
        f"{namespace}/ConfigMap/m0: created" in out and f"{namespace}/ConfigMap/m1: created" in out
    )
    assert (
        f"{namespace}/ConfigMap/m2: interrupted: interrupted while applying: state unknown" in err
    )
    for name in ("m3", "m4", "m5"):
        assert f"{namespace}/ConfigMap/{name}: skipped: interrupted before it was applied" in err
        assert not exists(proxy, namespace, name)
