"""A scanned scene for the wiring tests: Git declares ``web`` (a stuck rollout whose new Pod
crash-loops), ``tagged`` (a moving tag), a Service, and ``gone`` (absent from the cluster)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.health import manifests as m
from tests.health.kube import Kube, admin_api, reader
from tests.health.workloads import build


def scene(kube: Kube, root: Path) -> Path:
    """Build the live side on the real API server and return the Git repository."""
    built = build(kube)
    kube.create(m.service("front"))
    gone = m.deployment("gone", image="nginx:1.25")
    write_repo(
        root / "repo",
        {
            "web.yaml": [built.git_web, built.git_tagged],
            "front.yaml": [m.service("front")],
            "gone.yaml": [copy.deepcopy(gone)],
        },
    )
    return root / "repo"


@pytest.fixture
def kube(cluster: ClusterInfo, namespace: str) -> Iterator[Kube]:
    """As tests/health/conftest.py's, for wiring tests in other folders (import it)."""
    client, api = reader(cluster), admin_api(cluster)
    try:
        yield Kube(cluster, namespace, client, api)
    finally:
        client.close()
        api.close()  # type: ignore[no-untyped-call]
