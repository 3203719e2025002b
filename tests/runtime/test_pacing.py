"""Background work gives way to the foreground's frames, and never waits for long."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from driftui.runtime import pacing
from driftui.runtime.pacing import foreground_busy, foreground_done, give_way


@pytest.fixture(autouse=True)
def idle_afterwards() -> Iterator[None]:
    yield
    foreground_done()


def _then(work: Callable[[], None], done: threading.Event) -> None:
    work()
    done.set()


def _give_way_1000_times() -> None:
    for _ in range(1000):
        give_way()


def test_work_waits_until_the_foreground_has_drawn_its_frame() -> None:
    foreground_busy()
    passed = threading.Event()
    worker = threading.Thread(target=_then, args=(give_way, passed))
    worker.start()
    assert not passed.wait(0.05)
    foreground_done()
    assert passed.wait(5)
    worker.join()


def test_an_idle_foreground_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing, "MAX_WAIT", 60.0)  # so a wait here could not go unnoticed
    passed = threading.Event()
    worker = threading.Thread(target=_then, args=(give_way, passed))
    worker.start()
    assert passed.wait(5)
    worker.join()


def test_a_frame_that_is_never_reported_delays_the_work_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pacing, "MAX_WAIT", 0.01)
    foreground_busy()
    give_way()  # times out
    done = threading.Event()
    worker = threading.Thread(target=_then, args=(_give_way_1000_times, done))
    worker.start()
    assert done.wait(1)  # 1,000 more calls would take 10 s if each waited again
    worker.join()
