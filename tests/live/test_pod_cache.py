"""The scanner's Pod cache on the real API server: an unchanged Pod is not read again, and a
changed, new or deleted one is always seen, as an uncached read sees it."""

from __future__ import annotations

from typing import Any

import pytest

from driftui.live.pod_cache import PodCache
from driftui.live.workload_pods import WorkloadPods, read_workload_pods
from tests.health import manifests as m
from tests.health.kube import Kube
from tests.health.scene import kube
from tests.health.workloads import NGINX, B, C, build, pod_status, running, setup_done

__all__ = ["kube"]  # the fixture

pytestmark = pytest.mark.cluster


def by_name(found: WorkloadPods) -> dict[str, dict[str, Any]]:
    return {p["metadata"]["name"]: p for p in found.pods}


def test_a_cached_read_reuses_unchanged_pods_and_sees_every_change(kube: Kube) -> None:
    build(kube)
    cache = PodCache()

    def read() -> WorkloadPods:
        return read_workload_pods(kube.reader, [kube.namespace], cache=cache)

    def uncached() -> WorkloadPods:
        return read_workload_pods(kube.reader, [kube.namespace])

    first = by_name(read())
    again = by_name(read())
    assert again == first and all(again[n] is first[n] for n in first)  # none read again
    crashed = m.pod("web-new-0", "nginx:1.26")
    kube.write_status(crashed, pod_status(running(f"{NGINX}:1.26", B), init=setup_done(C)))
    seen = by_name(read())
    assert seen["web-new-0"]["status"]["containerStatuses"][0]["ready"] is True
    assert first["web-new-0"]["status"]["containerStatuses"][0]["ready"] is False
    assert all(seen[n] is first[n] for n in first if n != "web-new-0")
    assert seen == by_name(uncached())
    kube.delete(m.pod("decoy-0"))
    kube.create(m.pod("newcomer"))
    later = read()
    assert sorted(by_name(later)) == sorted({*first} - {"decoy-0"} | {"newcomer"})
    assert by_name(later) == by_name(uncached())
    assert later.replica_sets == uncached().replica_sets
