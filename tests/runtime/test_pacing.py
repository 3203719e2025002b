"""Background work gives way to the foreground's frames, and never waits for long."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from driftui.runtime import pacing
from driftui.runtime.pacing import (
    foreground_busy,
    foreground_done,
    give_way,
    paced,
    sorted_paced,
)


@pytest.fixture(autouse=True)
def idle_afterwards() -> Iterator[None]:
    yield
    pacing.forget_holds()


def _then(work: Callable[[], None], done: threading.Event) -> None:
    work()
    done.set()


def _give_way_1000_times() -> None:
    for _ in range(1000):
        give_way()


def _held_until(release: Callable[[], None]) -> None:
    """A worker's give_way waits while the foreground is held, and passes after ``release``."""
    passed = threading.Event()
    worker = threading.Thread(target=_then, args=(give_way, passed))
    worker.start()
    assert not passed.wait(0.05)
    release()
    assert passed.wait(5)
    worker.join()


def test_work_waits_until_the_foreground_has_drawn_its_frame() -> None:
    foreground_busy()
    _held_until(foreground_done)


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


def test_work_waits_until_every_hold_is_released() -> None:
    """A key is held by the widget it went to and again as it bubbles to the app's bindings;
    either frame may come first."""
    foreground_busy()
    foreground_busy()
    foreground_done()
    _held_until(foreground_done)
    foreground_done()  # one too many: the next hold still holds
    foreground_busy()
    assert not pacing._idle.is_set()


def test_a_paced_loop_gives_way_before_its_items() -> None:
    foreground_busy()
    got: list[int] = []
    worker = threading.Thread(target=lambda: got.extend(paced([1, 2])))
    worker.start()
    worker.join(0.05)
    assert worker.is_alive() and got == []
    foreground_done()
    worker.join(5)
    assert got == [1, 2]


def test_a_paced_sort_waits_for_the_foreground_and_sorts_as_one_stable_sort() -> None:
    items = [("b", 2, "x"), ("a", 9, "y"), ("b", 1, "z"), ("a", 9, "w"), ("c", 0, "v")]
    foreground_busy()
    got: list[tuple[str, int, str]] = []
    worker = threading.Thread(
        target=lambda: got.extend(sorted_paced(items, lambda i: i[0], lambda i: i[1]))
    )
    worker.start()
    worker.join(0.05)
    assert worker.is_alive() and got == []
    foreground_done()
    worker.join(5)
    assert got == sorted(items, key=lambda i: (i[0], i[1]))  # ("a", 9): y stays before w


def test_the_foregrounds_own_thread_never_waits_for_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its frame could not be drawn while it waited (grouping a report on the screen's
    thread goes through paced loops too)."""
    monkeypatch.setattr(pacing, "MAX_WAIT", 60.0)
    pacing.foreground_open(True)
    try:
        foreground_busy()
        assert list(paced([1, 2, 3])) == [1, 2, 3]  # 3 minutes if each waited
        assert pacing.foreground_present()
    finally:
        pacing.foreground_open(False)
    assert not pacing.foreground_present()
