"""A key's hold on background work and the collector is always released, even when the
frame that should release it never comes."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest
from textual import events

from driftui.runtime import heap, pacing
from driftui.tui.responsiveness import HOLD_LIMIT, Responsiveness


class Receiver:
    """Stands in for the widget a key went to: keeps its after-refresh callbacks."""

    def __init__(self) -> None:
        self.after_refresh: list[Callable[[], None]] = []

    def call_after_refresh(self, callback: Callable[[], None]) -> bool:
        self.after_refresh.append(callback)
        return True


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    pacing.forget_holds()
    if not was:
        gc.disable()


def press(responsiveness: Responsiveness, receiver: Receiver) -> None:
    key = events.Key("j", "j")
    with responsiveness.handing_on(key, lambda: receiver):  # type: ignore[arg-type,return-value]
        assert not gc.isenabled() and not pacing._idle.is_set()  # held while handed on


def test_the_frame_releases_the_hold() -> None:
    responsiveness, receiver = Responsiveness(), Receiver()
    press(responsiveness, receiver)
    assert not gc.isenabled()  # until the frame
    (release,) = receiver.after_refresh
    release()
    assert gc.isenabled() and pacing._idle.is_set()
    release()  # once only: a second call releases nothing more
    assert heap._input_holds == 0


def test_a_hold_whose_frame_never_comes_is_released_by_the_next_settle() -> None:
    now = [100.0]
    responsiveness, lost = Responsiveness(clock=lambda: now[0]), Receiver()
    press(responsiveness, lost)
    press(responsiveness, lost)
    responsiveness.settle_heap()
    assert not gc.isenabled()  # not yet stale
    now[0] += HOLD_LIMIT + 0.1
    responsiveness.settle_heap()
    assert gc.isenabled() and pacing._idle.is_set() and heap._input_holds == 0
    for late in lost.after_refresh:
        late()  # a frame after all: nothing is released twice
    assert heap._input_holds == 0 and gc.isenabled()
