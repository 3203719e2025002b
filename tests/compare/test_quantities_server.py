"""Quantities as the API server itself stores them: no spelling of Git's reads as drift.

The server rewrites a quantity on write into its own canonical form, which keeps the
input's format (``1e3`` stays ``1e3``, ``128974848`` stays plain). driftui compares by
value: Git's spelling and the server's must normalise to one and the same string.
"""

from __future__ import annotations

import pytest

from driftui.compare.quantities import canonical_quantity
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

pytestmark = pytest.mark.cluster

SPELLINGS = [
    "0.1", "100m", "1", "1000m", "1.5", "2000", "1e3", "1k", "0.5Gi", "512Mi", "1024Mi",
    "128974848", "129e6", "129M", "123Mi", "1536Ki", "1.5Gi", "100Mi", "0.25", "250m",
    "12345678", "1E-3", "1m", "7Ti", "3E2", "0.9Gi", "0.30000000000000004", "1.1Ki",
    "5n", "1500u", "1.0001",
]  # fmt: skip


# Standard quota keys that take any quantity (count/* and extended resources take integers).
KEYS = [
    "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory",
    "requests.storage", "ephemeral-storage", "requests.ephemeral-storage",
    "limits.ephemeral-storage",
]  # fmt: skip


def test_canonical_spellings_are_the_servers(cluster: ClusterInfo, namespace: str) -> None:
    """A ResourceQuota's spec.hard comes back in the server's canonical form."""
    ours, server, stored = {}, {}, {}
    for start in range(0, len(SPELLINGS), len(KEYS)):
        hard = dict(zip(KEYS, SPELLINGS[start : start + len(KEYS)], strict=False))
        quota = {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": f"spellings-{start}", "namespace": namespace},
            "spec": {"hard": hard},
        }
        status, body = harness.request(
            cluster, "POST", f"/api/v1/namespaces/{namespace}/resourcequotas", quota
        )
        assert status == 201, body
        for key, text in hard.items():
            stored[text] = body["spec"]["hard"][key]
            ours[text] = canonical_quantity(text)
            server[text] = canonical_quantity(stored[text])
    assert ours == server  # Git's spelling and the server's normalise alike: no false drift
    assert stored["1e3"] == "1e3" and stored["128974848"] == "128974848"  # it keeps formats
    assert stored["0.1"] == "100m" and stored["1024Mi"] == "1Gi"  # and rewrites others
    assert stored["5n"] == "1m" and stored["1.0001"] == "1001m"  # rounded up to a milli
