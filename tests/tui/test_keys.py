"""The key declarations: one per key, and the help and palette generated from them."""

from __future__ import annotations

from textual.binding import Binding

from driftui.actions.registry import ACTIONS, SYNC, ActionSpec
from driftui.tui.app import DriftExplorer
from driftui.tui.keys import KEYS, Key, Section, bindings, help_entries, palette_commands


def _display(binding: Binding) -> str:
    return binding.key


def test_each_key_and_each_action_is_declared_once() -> None:
    bound = [k for k in KEYS if k.action is not None]
    assert len({k.key for k in bound}) == len(bound)
    assert len({k.action for k in bound}) == len(bound)
    assert [b.action for b in DriftExplorer.BINDINGS if isinstance(b, Binding)] == [
        k.action for k in bound
    ]
    assert {k.spec for k in KEYS if k.spec is not None} == set(ACTIONS)


def test_a_new_declaration_reaches_bindings_help_and_palette() -> None:
    extra = Key("z", "zoom", "Zoom", Section.VIEW, "Zoom the diff", id="zoom")
    keys = (*KEYS, extra)
    assert any(isinstance(b, Binding) and b.action == "zoom" for b in bindings(keys))
    entries = help_entries(keys, display=_display, gate_reason=lambda _: "", watch_interval=5)
    assert ("View", "z", "Zoom the diff") in {(e.section, e.keys, e.description) for e in entries}
    commands = palette_commands(
        keys, display=_display, unavailable=lambda _: "", runner=lambda _: _noop
    )
    assert ("Zoom", "key z") in {(c.title, c.help) for c in commands}


def test_help_is_grouped_in_section_order_and_marks_refused_actions() -> None:
    def read_only(spec: ActionSpec) -> str:
        return "read-only mode"

    entries = help_entries(KEYS, display=_display, gate_reason=read_only, watch_interval=2.5)
    order = list(Section)
    assert [order.index(Section(e.section)) for e in entries] == sorted(
        order.index(Section(e.section)) for e in entries
    )
    texts = {e.description for e in entries}
    assert f"{SYNC.title}: {SYNC.description} [read-only mode]" in texts
    assert "Watch mode: re-scan every 2.5s, keeping the selection" in texts


async def _noop() -> None:
    return None
