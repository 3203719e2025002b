"""Measure key-to-repaint latency in a headless explorer without Pilot's pacing.

Pilot waits for idle CPU after every key (several 20 ms sleeps) and walks every widget
to post callbacks, which inflates both wall and CPU figures. A probe instead sends keys
the way a terminal does (through the driver), records the time of every frame the
compositor produces (and renders it to terminal bytes, which a headless app skips), and
records when the detail pane last changed.

Two latencies come out of a key press:

* **shown**: until every widget the key changed has been painted: each ``refresh()`` of
  a widget (other than a scroll bar) is matched to the first frame that repaints it,
  itself or through an ancestor or a full-screen repaint. This is what the user waits for.
* **settled**: until the last frame the key caused, including the scroll-bar thumb
  corrections Textual paints a frame or two later.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from driftui.tui.app import DriftExplorer


@dataclass(frozen=True)
class Press:
    shown_ms: float
    settled_ms: float
    cpu_ms: float


QUIET = 0.12  # seconds without a frame, a worker or a pending diff: the key is fully handled


@dataclass(frozen=True)
class Frame:
    time: float
    repainted: frozenset[Widget]  # widgets whose regions this frame repainted
    full: bool


class FrameProbe:
    def __init__(self, app: DriftExplorer) -> None:
        self.app = app
        self.frames: list[float] = []
        self.painted: list[Frame] = []
        self.refreshes: list[tuple[float, Widget]] = []
        self.detail_changed = 0.0
        self._patch_screen_and_widgets()
        original_display = app._display
        detail = app.detail
        original_apply, original_summary = detail._apply, detail._show_summary

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                if hasattr(renderable, "render_segments"):
                    renderable.render_segments(app.console)  # what a real terminal costs
                self.frames.append(time.perf_counter())
            original_display(screen, renderable)

        def apply(*args: Any) -> None:
            original_apply(*args)
            self.detail_changed = time.perf_counter()

        def summary(*args: Any) -> None:
            original_summary(*args)
            self.detail_changed = time.perf_counter()

        app._display = display  # type: ignore[method-assign]
        setattr(detail, "_apply", apply)  # noqa: B010 (a probe replaces a method)
        setattr(detail, "_show_summary", summary)  # noqa: B010

    def _patch_screen_and_widgets(self) -> None:
        """Record refresh requests and which widgets each compositor frame repainted."""
        probe = self
        original_refresh = Widget.refresh
        original_compositor_refresh = Screen._compositor_refresh

        def refresh(widget: Widget, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(widget, ScrollBar):
                probe.refreshes.append((time.perf_counter(), widget))
            return original_refresh(widget, *args, **kwargs)

        def compositor_refresh(screen: Screen[Any]) -> None:
            dirty = frozenset(screen._dirty_widgets)
            original_compositor_refresh(screen)
            probe.painted.append(Frame(time.perf_counter(), dirty, screen in dirty))

        setattr(Widget, "refresh", refresh)  # noqa: B010
        setattr(Screen, "_compositor_refresh", compositor_refresh)  # noqa: B010

    def shown_after(self, sent: float) -> float:
        """ms from ``sent`` until every widget refreshed since then was repainted."""
        latest = sent
        for requested, widget in self.refreshes:
            if requested < sent:
                continue
            lineage = {widget, *widget.ancestors}
            for frame in self.painted:
                if frame.time > requested and (frame.full or frame.repainted & lineage):
                    latest = max(latest, frame.time)
                    break
        return (latest - sent) * 1000

    def send(self, key: str) -> float:
        """Post a key as the terminal driver would; returns the time it was sent."""
        # "minus" is HYPHEN-MINUS by way of its Unicode name, "hyphen_minus" (as Pilot does):
        # sent without its character, a filter's "-" was no keystroke at all, and each one
        # waited 5 s for a frame, long enough for the explorer to take the user for idle
        try:
            char: str | None = unicodedata.lookup(
                _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
            )
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(self.app)
        sent = time.perf_counter()
        assert self.app._driver is not None
        self.app._driver.send_message(event)
        return sent

    def busy(self) -> bool:
        return any(not w.is_finished for w in self.app.workers) or self.app.detail.pending

    async def settle(self, since: float = 0.0, *, frame_within: float = 0.0) -> None:
        """Wait until nothing has painted or worked for QUIET seconds (counted from ``since``).

        ``frame_within``: first wait up to this long for a frame after ``since``, so that a
        key still queued behind slow work is not taken for a key with nothing to show.
        """
        deadline = time.perf_counter() + frame_within
        while time.perf_counter() < deadline and not (self.frames and self.frames[-1] >= since):
            await asyncio.sleep(0.005)
        while True:
            await asyncio.sleep(0.01)
            last = max(self.frames[-1] if self.frames else 0.0, since)
            if not self.busy() and time.perf_counter() - last >= QUIET:
                return

    async def press_until_quiet(self, key: str) -> Press:
        """Press a key in a quiet app and wait until it is fully handled."""
        self.refreshes.clear()
        self.painted.clear()
        cpu = time.process_time()
        sent = self.send(key)
        await self.settle(since=sent, frame_within=5.0)
        frames = [f for f in self.frames if f >= sent]
        last = frames[-1] if frames else sent
        return Press(
            shown_ms=self.shown_after(sent),
            settled_ms=(last - sent) * 1000,
            cpu_ms=(time.process_time() - cpu) * 1000,
        )

    async def press_until_shown(self, key: str, timeout: float = 10.0) -> float:
        """ms from key to the first frame after the detail pane showed the new selection.

        Works while other work paints too (scans in watch mode): frames before the detail
        changed do not count. Forgets the frames and refreshes before it: over an hour of
        watch mode (benchmarks/bench_watch --soak) they would grow without bound."""
        del self.frames[:-1], self.painted[:], self.refreshes[:]
        sent = self.send(key)
        deadline = sent + timeout
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
            if self.detail_changed >= sent:
                after = [f for f in self.frames if f >= self.detail_changed]
                if after:
                    return (after[0] - sent) * 1000
        return timeout * 1000
