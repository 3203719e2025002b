"""Keeping the explorer responsive while scans run: the garbage-collector policy and input
pacing, in one place, so the app only says when input arrived and when a scan runs.

Five measures, each measured in benchmarks/bench_watch and bench_tui:
- a short interpreter switch interval, so key presses get the lock between a scan's stretches;
- a key press or scroll holds background work (:mod:`driftui.runtime.pacing`) until its frame is drawn;
- and holds the collector (:func:`heap.hold_for_input`): the key's own allocations set off
  CPython's full collections;
- full garbage collections (:mod:`driftui.runtime.heap`) wait for a pause in typing;
- what outlives CPython's own full collections is frozen, so the next stay short.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from textual import events
from textual.driver import Driver
from textual.message import Message
from textual.message_pump import MessagePump

from driftui.runtime import heap, pacing

SWITCH_INTERVAL = 0.0005  # seconds; the interpreter default is 0.005
FRAME_INPUT = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
IDLE_BEFORE_COLLECT = 3.0  # seconds without input before a full garbage collection may run
SETTLE_EVERY = 1.0  # seconds between looks at whether a full collection is due
HOLD_LIMIT = 1.0  # seconds an input may hold background work and the collector, at most


class Responsiveness:
    """The explorer's pacing and collector policy, fed by the app's input events."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last_input = clock()
        self._holds: list[float] = []  # when each unreleased input hold began, oldest first
        self._arrived: set[int] = set()  # ids of inputs held as the driver sent them

    def start(self) -> None:
        # Scans compare in a worker thread and hold the GIL in long stretches; a short
        # switch interval lets key presses in between (measured in benchmarks/bench_watch).
        sys.setswitchinterval(SWITCH_INTERVAL)
        pacing.foreground_open(True)
        if heap.freeze_survivors not in gc.callbacks:
            gc.callbacks.append(heap.freeze_survivors)

    def stop(self) -> None:
        """The explorer closed: CPython's collector is its own again (tests open many)."""
        while self._holds:
            self._release()
        self._arrived.clear()
        pacing.foreground_open(False)
        if heap.freeze_survivors in gc.callbacks:
            gc.callbacks.remove(heap.freeze_survivors)

    def watch_driver(self, driver: Driver) -> None:
        """Hold background work from the moment input arrives, in the driver's thread, not
        once the app's queue hands it on: a key queued behind a frame or a scan's progress
        waited there while the scan ran unheld (benchmarks/bench_scale, keys in a rescan)."""
        send = driver.send_message

        def sending(message: Message) -> None:
            if isinstance(message, FRAME_INPUT):
                self._arrived.add(id(message))
                self._hold()
            send(message)

        driver.send_message = sending  # type: ignore[method-assign]

    @contextmanager
    def handing_on(
        self, event: events.Event, receiver: Callable[[], MessagePump]
    ) -> Iterator[None]:
        """Note user input while the app hands it on. A frame-changing one holds background
        work until the frame after ``receiver()``, the widget it went to, has handled it:
        the app's own next frame came before the tree moved its cursor, and scans took the
        interpreter lock in turns with that move (benchmarks/bench_scale, keys in a rescan)."""
        held = self._noted(event)
        if held and not self._took_arrival(event):
            self._hold()
        yield
        if held:  # queued behind the event it was handed: runs after its handler and frame
            receiver().call_after_refresh(self._release)

    def _took_arrival(self, event: events.Event) -> bool:
        """Whether ``event`` was held as it arrived (:meth:`watch_driver`): then that hold
        is the one its frame releases."""
        if id(event) not in self._arrived:
            return False
        self._arrived.discard(id(event))
        return True

    def _hold(self) -> None:
        """Background work and the collector wait for the frame (see heap.hold_for_input)."""
        self._holds.append(self._clock())
        pacing.foreground_busy()
        heap.hold_for_input()

    def _release(self) -> None:
        if not self._holds:
            return  # released already, as stale (see _release_stale)
        self._holds.pop(0)
        heap.release_input()
        pacing.foreground_done()

    def _release_stale(self) -> None:
        """Holds whose frames never came: the widget a key went to can leave with its
        message queue (a dialog closing). The collector must not stay off for good."""
        if self._holds and self._clock() - self._holds[0] > HOLD_LIMIT:
            while self._holds:
                self._release()
            self._arrived.clear()  # inputs that never reached the app: their ids go too

    def _noted(self, event: events.Event) -> bool:
        if not isinstance(event, events.InputEvent):
            return False
        if event.is_forwarded:  # a key the widget passed on: the app's bindings run it now
            return isinstance(event, events.Key)
        self.last_input = self._clock()
        return isinstance(event, FRAME_INPUT)

    def settle_heap(self) -> None:
        """Full garbage collections stall the screen (~0.5 s on 10,000 objects): run them
        while nobody types, see :func:`heap.settle`."""
        self._release_stale()
        heap.settle(idle=self._clock() - self.last_input >= IDLE_BEFORE_COLLECT)


@contextmanager
def bulk_job() -> Iterator[None]:
    """A scan in the worker thread: no collections while it allocates, and what it built
    (kept until the next scan) frozen at the end so no collection walks it. A job that
    fails freezes nothing."""
    with heap.collector_paused():
        yield
        heap.keep_all()


@contextmanager
def small_job() -> Iterator[None]:
    """A watch-event batch: no collections while it allocates, and nothing frozen (see
    :func:`heap.keep_all`): what it and the screen leave behind goes young, as garbage
    should, and the collector's own runs stay small."""
    with heap.collector_paused():
        yield
