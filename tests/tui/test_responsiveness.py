"""A key's hold on background work and the collector is always released, even when the
frame that should release it never comes."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest
from textual import events
from textual.geometry import Size
from textual.message import Message

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


class Driver:
    """Stands in for the terminal driver: what it sends goes to the app's queue (a list)."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send_message(self, message: Message) -> None:
        self.sent.append(message)


def test_input_is_held_as_it_arrives_and_released_once_by_its_frame() -> None:
    """A key queued behind a frame was not held while it waited (bench_scale, rescan)."""
    responsiveness, driver, receiver = Responsiveness(), Driver(), Receiver()
    responsiveness.watch_driver(driver)  # type: ignore[arg-type]
    key = events.Key("j", "j")
    driver.send_message(key)
    assert driver.sent == [key]  # still sent on
    assert not gc.isenabled() and not pacing._idle.is_set()  # held before the app has it
    with responsiveness.handing_on(key, lambda: receiver):  # type: ignore[arg-type,return-value]
        assert heap._input_holds == 1  # the arrival's hold, not a second one
    (release,) = receiver.after_refresh
    release()
    assert gc.isenabled() and pacing._idle.is_set() and heap._input_holds == 0
    driver.send_message(events.Resize(Size(80, 24), Size(80, 24)))  # no input: no hold
    assert gc.isenabled() and pacing._idle.is_set()


def test_an_input_that_never_reaches_the_app_is_released_as_stale() -> None:
    now = [100.0]
    responsiveness, driver = Responsiveness(clock=lambda: now[0]), Driver()
    responsiveness.watch_driver(driver)  # type: ignore[arg-type]
    driver.send_message(events.Key("j", "j"))  # the app closed before it got it
    now[0] += HOLD_LIMIT + 0.1
    responsiveness.settle_heap()
    assert gc.isenabled() and pacing._idle.is_set() and heap._input_holds == 0
