"""LIST pages are smaller while someone is looking: a page is decoded in one piece that
holds the interpreter lock, and a key pressed during a rescan waited behind four readers'
pages (benchmarks/bench_scale). The CLI keeps the larger pages: fewer round trips."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftui.gate import MutationGate
from driftui.live.client import BODY_PIECE, FOREGROUND_PAGE, ClusterClient
from driftui.live.pod_cache import PodCache
from driftui.runtime import pacing
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.faultproxy import FaultProxy

pytestmark = pytest.mark.cluster

COUNT = FOREGROUND_PAGE + 20  # two pages with a foreground, one without
PATIENCE = 30.0  # seconds: a guard, not a timing check


@pytest.fixture
def proxy(cluster: ClusterInfo, tmp_path: Path) -> Iterator[FaultProxy]:
    with FaultProxy(cluster, tmp_path) as running:
        yield running


def test_pages_are_smaller_while_a_foreground_is_open(
    cluster: ClusterInfo, namespace: str, proxy: FaultProxy
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    made = harness.requests_in_parallel(
        cluster,
        [
            ("POST", path, {"metadata": {"name": f"cm-{i}"}}, "application/json")
            for i in range(COUNT)
        ],
    )
    assert all(status == 201 for status, _ in made)
    client = ClusterClient.from_kubeconfig(proxy.kubeconfig(), gate=MutationGate())

    def pages() -> list[str]:
        proxy.seen.clear()
        assert len(list(client.list_items(path))) == COUNT
        return [s.query for s in proxy.seen if s.path == path]

    alone = pages()
    pacing.foreground_open(True)
    try:
        looked_at = pages()
    finally:
        pacing.foreground_open(False)

    assert len(alone) == 1 and "limit=500" in alone[0]
    assert len(looked_at) == 2
    assert all(f"limit={FOREGROUND_PAGE}" in query for query in looked_at)


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A held key is waited for as long as the test needs (not pacing.MAX_WAIT's 0.25 s)."""
    monkeypatch.setattr(pacing, "MAX_WAIT", PATIENCE)


def seen_within(proxy: FaultProxy, path: str) -> bool:
    deadline = time.monotonic() + PATIENCE
    while not [s for s in proxy.seen if s.path == path]:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.usefixtures("patient")
def test_a_pod_refresh_asks_for_no_page_while_a_key_is_held(
    cluster: ClusterInfo, namespace: str, proxy: FaultProxy
) -> None:
    """An empty namespace's refresh yields no item to pace: it gives way before its request."""
    path = f"/api/v1/namespaces/{namespace}/pods"
    client = ClusterClient.from_kubeconfig(proxy.kubeconfig(), gate=MutationGate())
    cache = PodCache()
    assert cache.read(client, path, dict) == []  # the first read: a full LIST
    proxy.seen.clear()
    pacing.foreground_busy()
    try:
        refresh = threading.Thread(target=cache.read, args=(client, path, dict))
        refresh.start()
        refresh.join(0.3)
        assert refresh.is_alive() and not [s for s in proxy.seen if s.path == path]
    finally:
        pacing.foreground_done()
    refresh.join(10)
    assert not refresh.is_alive()
    assert len([s for s in proxy.seen if s.path == path]) == 1


@pytest.mark.usefixtures("patient")
def test_a_body_is_read_a_piece_at_a_time_and_waits_for_a_held_key(
    cluster: ClusterInfo, namespace: str, proxy: FaultProxy
) -> None:
    """Reading a long answer takes Python in stretches too: it gives way between pieces."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    big = {"metadata": {"name": "big"}, "data": {"k": "x" * (4 * BODY_PIECE)}}
    made = harness.requests_in_parallel(cluster, [("POST", path, big, "application/json")])
    assert made[0][0] == 201
    client = ClusterClient.from_kubeconfig(proxy.kubeconfig(), gate=MutationGate())
    got: list[dict[str, object]] = []
    pacing.foreground_busy()
    try:
        reader = threading.Thread(target=lambda: got.append(client.get(f"{path}/big")))
        reader.start()
        assert seen_within(proxy, f"{path}/big")  # answered...
        reader.join(0.3)
        assert reader.is_alive() and not got  # ...and held mid-body
    finally:
        pacing.foreground_done()
    reader.join(10)
    assert got and got[0]["data"] == big["data"]
