"""The help screen: every key, grouped by section, from the declarations in ``tui/keys.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


@dataclass(frozen=True)
class HelpEntry:
    section: str
    keys: str
    description: str


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, entries: list[HelpEntry]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Content("Keys"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._body())
            yield Static(Content("esc closes · ctrl+p runs any action by name"), id="help-hint")

    def _body(self) -> Content:
        lines: list[Content] = []
        width = max((len(e.keys) for e in self.entries), default=4) + 2
        section = None
        for entry in self.entries:
            if entry.section != section:
                if section is not None:
                    lines.append(Content(""))
                section = entry.section
                lines.append(Content.styled(section, "bold $text-accent"))
            lines.append(
                Content.styled(f"  {entry.keys:<{width}}", "bold $text-primary")
                + Content(entry.description)
            )
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
