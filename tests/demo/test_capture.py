"""The committed demo snapshot is what ``make demo-capture`` makes on a real control plane."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from driftui.demo import SNAPSHOT
from driftui.demo.timeshift import STAMP
from driftui.live.snapshot import read_snapshot
from tests.cluster.capture_demo import capture

# What a server assigns afresh on every run: identities, versions and addresses
ASSIGNED = {"uid", "resourceVersion", "clusterIP", "clusterIPs"}


def comparable(value: Any) -> Any:
    """``value`` without what differs between two captures of the same story. The server
    orders managedFields by time, to the second: two writes in one second come either way."""
    if isinstance(value, dict):
        out = {k: comparable(v) for k, v in value.items() if k not in ASSIGNED}
        if isinstance(out.get("managedFields"), list):
            out["managedFields"].sort(key=lambda m: json.dumps(m, sort_keys=True))
        return out
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return "<time>" if isinstance(value, str) and STAMP.fullmatch(value) else value


def test_the_capture_reproduces_the_committed_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "snapshot.json"
    capture(tmp_path / "work", out)
    fresh, committed = read_snapshot(out), read_snapshot(SNAPSHOT)
    assert (fresh.key_id, fresh.context, fresh.server) == (
        committed.key_id,
        committed.context,
        committed.server,
    )
    assert comparable(fresh.objects) == comparable(committed.objects)
