"""The offline demo: a GitOps repository with real history and a captured live snapshot.

``driftui demo`` must work with no cluster and no network and show every kind of drift the
engine knows. Both halves are data in this package:

- ``commits.yaml`` and ``files/``: the repository's history, built into a real Git
  repository at load (:mod:`driftui.demo.repo`);
- ``snapshot.json``: the live state, captured from a real kube-apiserver by
  ``make demo-capture`` (``tests/cluster/capture_demo.py``), so its managedFields, defaults
  and status are what a server wrote.

At load every date moves by one delta so the newest change reads hours old
(:mod:`driftui.demo.timeshift`); pass ``now`` for screenshots and tests that need fixed bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from driftui.demo.repo import DATA, build_repo, read_commits
from driftui.demo.timeshift import delta_to, parse, shifted, stamps
from driftui.live.snapshot import read_snapshot, write_snapshot
from driftui.live.snapshot_key import key_from_phrase
from driftui.model import LiveInfo, ScanReport

SNAPSHOT = DATA / "snapshot.json"
TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
# The demo's Secret values are made up, so its snapshot key is a public phrase shipped with
# the data: `DRIFTUI_SNAPSHOT_KEY=driftui-demo driftui diff --live live-snapshot.json`.
DEMO_KEY_PHRASE = "driftui-demo"
DEMO_KEY = key_from_phrase(DEMO_KEY_PHRASE, "the demo")
# What the header names instead of the temporary directories the demo is built in.
DEMO_REPO_NAME = "demo repo"
DEMO_SNAPSHOT_NAME = "demo snapshot"

# Every plaintext Secret value the demo uses (Git history and the live edit). Tests assert
# that none of them, nor their base64 form, ever appears in the snapshot or on screen.
SECRET_PLAINTEXTS: tuple[str, ...] = (
    "payments_app",
    "Initial-Passw0rd-9f3c",
    "Rotated-Passw0rd-7b21",
    "Hand-Edited-Passw0rd-0000",
    "postgres://db.payments.svc:5432/payments",
)


@dataclass(frozen=True)
class DemoFixture:
    repo: Path
    snapshot: Path


def build_demo(workdir: Path, now: datetime | None = None) -> DemoFixture:
    """Create ``workdir/demo-gitops`` (a Git repo) and ``workdir/live-snapshot.json``."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    captured = read_snapshot(SNAPSHOT)
    commits = read_commits()
    changes = [parse(s) for s in stamps(captured.objects)] + [c.date for c in commits]
    delta = delta_to(max(changes), now or datetime.now(UTC))
    repo = workdir / "demo-gitops"
    build_repo(repo, commits, delta)
    snapshot = dataclasses.replace(
        captured,
        objects=shifted(captured.objects, delta),
        taken_at=shifted(captured.taken_at, delta),
    )
    snapshot_path = workdir / "live-snapshot.json"
    write_snapshot(snapshot, snapshot_path)
    return DemoFixture(repo=repo, snapshot=snapshot_path)


def named_for_demo(scan: Callable[..., ScanReport]) -> Callable[..., ScanReport]:
    """``scan``, with reports naming the demo's repository and snapshot, not temp paths."""

    def demo_scan(*args: object, **kwargs: object) -> ScanReport:
        report = scan(*args, **kwargs)
        source = dataclasses.replace(report.source, repo=DEMO_REPO_NAME)
        return dataclasses.replace(report, source=source, live=LiveInfo(DEMO_SNAPSHOT_NAME))

    return demo_scan
