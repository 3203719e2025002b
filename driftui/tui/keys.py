"""Every key the explorer answers to, each declared once with everything said about it.

A :class:`Key` carries the key, the action it runs, its label (key bar and palette), its
help line and its help section. The App's ``BINDINGS``, the key bar (which reads those
bindings), the help screen and the command palette are all generated from :data:`KEYS`,
so a key added here shows up everywhere and a key removed disappears everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from driftui.actions.registry import ACTIONS, ActionSpec
from driftui.tui.screens.help import HelpEntry
from driftui.tui.widgets.detail import TABS


class Section(StrEnum):
    """The help screen's sections, in the order it shows them."""

    NAVIGATE = "Navigate"
    FIND = "Find"
    VIEW = "View"
    ACT = "Act"
    SCAN = "Scan"
    APP = "App"


@dataclass(frozen=True)
class Key:
    """One key. ``action`` None: a key some widget (or Textual) answers, listed in the help
    only. ``help`` "": another key's help line speaks for this one. ``help`` may name
    ``{watch_interval:g}``. ``spec``: a mutating action, whose help and palette entries
    say when the gate refuses it (the k9s habit of marking dangerous keys)."""

    key: str
    action: str | None
    label: str
    section: Section
    help: str
    id: str | None = None
    show: bool = True  # in the key bar
    palette: bool = True  # in the command palette
    keys_shown: str = ""  # the help screen's key column, when not the binding's own display
    spec: ActionSpec | None = None
    tab: str | None = None  # the detail tab the key works on; disabled on the others

    def binding(self) -> Binding | None:
        if self.action is None:
            return None
        return Binding(self.key, self.action, self.label, show=self.show, id=self.id)


def _tab_keys() -> Iterator[Key]:
    titles = ", ".join(title for _, title in TABS)
    for number, (tab, title) in enumerate(TABS, start=1):
        first = number == 1
        yield Key(
            str(number),
            f"show_tab('{tab}')",
            f"{title} tab",
            Section.VIEW,
            f"Tabs: {titles}" if first else "",
            show=False,
            keys_shown=" ".join(str(i) for i in range(1, len(TABS) + 1)) if first else "",
        )


def _action_keys() -> Iterator[Key]:
    for spec in ACTIONS:
        help_line = f"{spec.title}: {spec.description}"
        action = f"run_action('{spec.id}')"
        yield Key(spec.key, action, spec.title, Section.ACT, help_line, id=spec.id, spec=spec)


N, F, V, S, A = Section.NAVIGATE, Section.FIND, Section.VIEW, Section.SCAN, Section.APP
KEYS: tuple[Key, ...] = (
    # Answered by the tree and by Textual's focus chain; listed so the help is complete.
    Key("j", None, "Down", N, "Move down", keys_shown="j / ↓"),
    Key("k", None, "Up", N, "Move up", keys_shown="k / ↑"),
    Key("enter", None, "Open", N, "Open a group on its worst object, or focus the tabs"),
    Key("space", None, "Toggle", N, "Expand or collapse a group"),
    Key("tab", None, "Focus", N, "Move focus between tree and tabs"),
    # The explorer's own bindings, in key-bar order.
    Key("question_mark", "help", "Help", A, "This screen", id="help"),
    Key("slash", "filter", "Filter", F, "Fuzzy filter over kind, namespace and name", id="filter"),
    Key(
        "f",
        "status_filter",
        "Status",
        F,
        "Cycle the status filter (all, drifted, missing, …)",
        id="status_filter",
    ),
    Key(
        "x",
        "same_object",
        "Every cluster",
        V,
        "Same object, every cluster: its status and health in each",
        id="same_object",
    ),
    Key(
        "W",
        "compare_clusters",
        "Compare clusters",
        V,
        "Compare clusters: this object live here and in another cluster",
        id="compare_clusters",
    ),
    Key(
        "g",
        "grouping",
        "Group",
        F,
        "Group by app, namespace, source file, owning app, or directory",
        id="grouping",
        show=False,
    ),
    Key(
        "i",
        "toggle_in_sync",
        "In sync",
        F,
        "Show or fold in-sync objects",
        id="toggle_in_sync",
        show=False,
    ),
    *_tab_keys(),
    Key("v", "split", "Split", V, "Diff: unified or side by side", id="split", tab="diff"),
    Key(
        "c",
        "context",
        "Context",
        V,
        "Diff: compact (3 lines of context) or full",
        id="context",
        tab="diff",
    ),
    Key(
        "m",
        "managed_fields",
        "managedFields",
        V,
        "Live: show or hide metadata.managedFields",
        id="managed_fields",
        tab="live",
    ),
    *_action_keys(),
    Key("r", "refresh", "Refresh", S, "Re-scan now", id="refresh"),
    Key(
        "w",
        "watch",
        "Watch",
        S,
        "Watch mode: re-scan every {watch_interval:g}s, keeping the selection",
        id="watch",
        show=False,
    ),
    Key(
        "escape",
        "leave_filter",
        "Back",
        N,
        "Back to the tree (clears the filter when typing)",
        show=False,
        palette=False,
        keys_shown="esc",
    ),
    Key(
        "U",
        "resume_suspended",
        "Resume auto-sync",
        A,
        "Resume auto-sync",
        id="resume_suspended",
    ),
    Key("q", "quit", "Quit", A, "Quit", id="quit", palette=False),
    # Textual's own palette key (App.COMMAND_PALETTE_BINDING).
    Key("ctrl+p", None, "Palette", A, "Command palette: every action by name"),
)
del N, F, V, S, A
TAB_OF: dict[str, str] = {k.action: k.tab for k in KEYS if k.action and k.tab}
"""Action name -> the only detail tab it works on (``App.check_action`` reads it)."""


def bindings(keys: Iterable[Key]) -> list[BindingType]:
    """The App's ``BINDINGS``: every key with an action, in declaration order."""
    return [b for b in (key.binding() for key in keys) if b is not None]


def help_entries(
    keys: Iterable[Key],
    *,
    display: Callable[[Binding], str],
    gate_reason: Callable[[ActionSpec], str],
    watch_interval: float,
) -> list[HelpEntry]:
    """The help screen's lines, grouped by section; ``gate_reason`` names why a mutating
    key is refused whatever is selected (read-only mode), "" when it is not."""
    entries: list[HelpEntry] = []
    for key in keys:
        if not key.help:
            continue
        binding = key.binding()
        shown = key.keys_shown or (display(binding) if binding is not None else key.key)
        if key.spec is not None:
            reason = gate_reason(key.spec)
            text = key.help + (f" [{reason}]" if reason else "")
        else:
            text = key.help.format(watch_interval=watch_interval)
        entries.append(HelpEntry(key.section, shown, text))
    order = list(Section)
    return sorted(entries, key=lambda e: order.index(Section(e.section)))


def palette_commands(
    keys: Iterable[Key],
    *,
    display: Callable[[Binding], str],
    unavailable: Callable[[ActionSpec], str],
    runner: Callable[[str], Callable[[], Awaitable[None]]],
) -> Iterator[SystemCommand]:
    """The palette's entries: plain keys by label, then the mutating actions, each saying
    why it is unavailable for the current selection (``unavailable`` gives "" if it is not)."""
    keys = tuple(keys)
    for key in keys:
        binding = key.binding()
        if binding is None or not key.palette or key.spec is not None:
            continue
        yield SystemCommand(key.label, f"key {display(binding)}", runner(binding.action))
    for key in keys:
        if key.spec is None or key.action is None:
            continue
        reason = unavailable(key.spec)
        help_text = key.spec.description + (f" — unavailable: {reason}" if reason else "")
        yield SystemCommand(key.spec.title, help_text, runner(key.action))
