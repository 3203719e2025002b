"""Fixtures for health tests against the real API server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.harness import ClusterInfo
from tests.health.kube import Kube, admin_api, reader


@pytest.fixture
def kube(cluster: ClusterInfo, namespace: str) -> Iterator[Kube]:
    client, api = reader(cluster), admin_api(cluster)
    try:
        yield Kube(cluster, namespace, client, api)
    finally:
        client.close()
        api.close()  # type: ignore[no-untyped-call]
