"""Scanner.rejudge with LiveWatch on the real control plane: events give a fresh scan's answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from driftui.engine import Scanner
from driftui.engine import rejudge as rejudge_module
from driftui.engine.watching import LiveWatch
from driftui.gate import MutationGate
from driftui.model import ScanReport
from driftui.runtime import pacing
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import hand_edited
from tests.tui.test_watch_events import grant_list_but_not_watch, verdicts, watching_read_only

pytestmark = pytest.mark.cluster

PATIENCE = 60.0  # seconds before a wait gives up (a guard, not a timing check)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_rejudged_events_give_what_a_fresh_scan_gives(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    scanner = watching_read_only(cluster, namespace, tmp_path / "repo")
    report: ScanReport = scanner.scan()
    watch = LiveWatch(scanner, watch_seconds=30)
    assert watch.start() == ""
    try:
        hand_edited(cluster, namespace, "cm-0", i="edited")
        status, _ = harness.request(
            cluster, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/cm-2"
        )
        assert status == 200
        deadline = time.monotonic() + PATIENCE
        while (
            _status(report, namespace, "cm-2") != "missing"
            or _status(report, namespace, "cm-0") != "drifted"
        ):  # events arrive in their own time: judge each batch as it comes
            assert time.monotonic() < deadline, "gave up waiting for the events"
            wait_for(lambda: watch.pending() > 0, "the events")
            report = scanner.rejudge(report, watch.take())
    finally:
        watch.stop()
    fresh = Scanner(scanner.options, MutationGate(read_only=True)).scan()
    assert verdicts(report) == verdicts(fresh)


def _status(report: ScanReport, namespace: str, name: str) -> str:
    return verdicts(report)[f"{namespace}/ConfigMap/{name}"][0]


def test_a_read_only_user_refused_watch_is_told_so_by_the_watch_itself(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    grant_list_but_not_watch(cluster, namespace, "nobody")
    # read-only: no access review is sent
    scanner = watching_read_only(cluster, namespace, tmp_path / "repo", user="nobody")
    scanner.scan()
    refused = LiveWatch(scanner, watch_seconds=30).start()
    assert refused == f"forbidden: watch configmaps in namespace {namespace}"


def test_the_informers_hold_the_scans_copy_of_each_object_they_listed_the_same(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    """The informers' first LIST repeats the scan's: two copies of every watched object
    (~25 MB of 10,000 ConfigMaps, issue 21) until churn replaced them. A full scan after an
    edit: the informers hold its copy of the objects it read at their version."""
    scanner = watching_read_only(cluster, namespace, tmp_path / "repo")
    scanner.scan()
    watch = LiveWatch(scanner, watch_seconds=30)
    assert watch.start() == ""
    try:
        scanned, held = scanner.live_objects(), watch.objects()
        assert len(held) >= 3 and held.keys() == scanned.keys()
        assert all(held[ref] is scanned[ref] for ref in held)
        hand_edited(cluster, namespace, "cm-0", i="edited")
        wait_for(lambda: watch.pending() > 0, "the event")
        scanner.scan()  # a full scan reads every object anew
        watch.resync()
        scanned, held = scanner.live_objects(), watch.objects()
        assert all(held[ref] is scanned[ref] for ref in held)
    finally:
        watch.stop()


def test_judging_events_again_gives_way_while_the_explorer_draws_a_frame(
    cluster: ClusterInfo, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key press holds background work until its frame is drawn (runtime.pacing). A
    batch of drifted objects, judged one after another, held the interpreter lock the
    frame waited for: the judging gives way before each object, not only the health
    assessed after it."""
    scanner = watching_read_only(cluster, namespace, tmp_path / "repo")
    report = scanner.scan()
    changes = {r.ref: scanner.live_objects()[r.ref] for r in report.results}
    gave_way: list[int] = []

    def counted() -> None:
        gave_way.append(len(gave_way))
        pacing.give_way()

    monkeypatch.setattr(rejudge_module, "give_way", counted)
    done = threading.Event()
    answer: list[ScanReport] = []

    def rejudge() -> None:
        answer.append(scanner.rejudge(report, changes))
        done.set()

    pacing.foreground_busy()
    try:
        worker = threading.Thread(target=rejudge)
        worker.start()
        assert not done.wait(0.1)  # waits for the frame (MAX_WAIT is 0.25 s)
    finally:
        pacing.foreground_done()
    assert done.wait(PATIENCE)
    worker.join()
    assert len(gave_way) == len(changes)
    assert verdicts(answer[0]) == verdicts(report)
