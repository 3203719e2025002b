"""The key bar: the bindings that apply now, drawn as one line.

Textual's Footer mounts a widget per key and recomposes whenever the focus moves. On
10,000 objects that cost about 150 ms per enter or escape (benchmarks/bench_tui), three
times the repaint budget. This bar renders a single Content and maps clicks back to
keys, so the mouse still works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

KEY_STYLE = "bold $footer-key-foreground on $footer-key-background"
DESCRIPTION_STYLE = "$footer-description-foreground on $footer-description-background"
DISABLED_STYLE = "dim"
GAP = 2


@dataclass(frozen=True)
class KeyEntry:
    key: str  # what a click simulates
    display: str  # what the bar shows, e.g. "^p"
    description: str
    enabled: bool = True


@dataclass(frozen=True)
class KeySpan:
    start: int
    end: int
    entry: KeyEntry


def _item(entry: KeyEntry) -> Content:
    item = Content.assemble(
        (f" {entry.display} ", KEY_STYLE), (f" {entry.description}", DESCRIPTION_STYLE)
    )
    return item if entry.enabled else item.stylize(DISABLED_STYLE)


def lay_out(
    entries: Iterable[KeyEntry], trailing: KeyEntry | None, width: int
) -> tuple[Content, list[KeySpan]]:
    """One line of ``key description`` pairs, with ``trailing`` (the palette key) at the right.

    Entries that do not fit whole are left out rather than cut, and the trailing key keeps
    its place: on a narrow terminal the palette still lists every action.
    """
    last = _item(trailing) if trailing is not None else None
    limit = width - (last.cell_length + GAP if last is not None else 0)
    parts: list[Content] = [Content(" ")]
    spans: list[KeySpan] = []
    x = 1
    for entry in entries:
        item = _item(entry)
        if x + item.cell_length > limit:
            break
        parts += [item, Content(" " * GAP)]
        spans.append(KeySpan(x, x + item.cell_length, entry))
        x += item.cell_length + GAP
    if trailing is not None and last is not None and width - last.cell_length >= x:
        start = width - last.cell_length
        parts += [Content(" " * (start - x)), last]
        spans.append(KeySpan(start, width, trailing))
    return Content("").join(parts), spans


class KeyBar(Widget, can_focus=False):
    """Docked at the bottom of the screen it belongs to; follows that screen's bindings."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[KeyEntry] = []
        self._palette: KeyEntry | None = None
        self._spans: list[KeySpan] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is not self.screen:
            return
        entries: dict[str, KeyEntry] = {}  # one entry per action, as Textual's Footer does
        palette: KeyEntry | None = None
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            entry = KeyEntry(
                binding.key, self.app.get_key_display(binding), binding.description, enabled
            )
            if binding.key == self.app.COMMAND_PALETTE_BINDING and self.app.ENABLE_COMMAND_PALETTE:
                palette = entry
            elif binding.show:
                entries.setdefault(binding.action, entry)
        new = (list(entries.values()), palette)
        if new != (self._entries, self._palette):
            self._entries, self._palette = new
            self.refresh()

    @property
    def entries(self) -> list[KeyEntry]:
        return list(self._entries)

    def render(self) -> Content:
        content, self._spans = lay_out(self._entries, self._palette, self.size.width)
        return content

    def on_click(self, event: events.Click) -> None:
        for span in self._spans:
            if span.start <= event.x < span.end:
                if span.entry.enabled:
                    self.app.simulate_key(span.entry.key)
                else:
                    self.app.bell()
                return
