"""Which keys apply now, and the two places that list every key: the help screen and the
command palette. All three read the declarations in :mod:`driftui.tui.keys`, so a key is
said once and shown the same everywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from driftui.actions.registry import ActionRequest, ActionSpec, action_by_id, unavailable_reason
from driftui.tui import keys
from driftui.tui.explorer.parts import ExplorerParts
from driftui.tui.screens.help import HelpScreen


class Discoverability(ExplorerParts):
    """The footer's choice of keys, the help screen (?) and the palette's commands."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        try:
            tab = self.detail.active_tab
        except Exception:
            return True
        if action in keys.TAB_OF:
            return tab == keys.TAB_OF[action]
        if action == "resume_suspended":
            return bool(self.suspended)
        if action in ("same_object", "compare_clusters"):  # shown only over several clusters
            if self.scope is None or not self.scope.multi_cluster:
                return False
            return True if self.selected_object() is not None else None
        if action == "run_action" and parameters:
            return self._applies(action_by_id(str(parameters[0])))
        return True

    def action_help(self) -> None:
        entries = keys.help_entries(
            keys.KEYS,
            display=self.get_key_display,
            gate_reason=self._gate_reason,
            watch_interval=self.watch_interval,
        )
        self.push_screen(HelpScreen(entries))

    def _gate_reason(self, spec: ActionSpec) -> str:
        """Why an action is blocked for everything (read-only), independent of the selection."""
        return self.gate.why_not(spec.verb) if self.gate.read_only else ""

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from keys.palette_commands(
            keys.KEYS,
            display=self.get_key_display,
            unavailable=self._unavailable,
            runner=self._runner,
        )

    def _unavailable(self, spec: ActionSpec) -> str:
        request = ActionRequest(spec, tuple(self.selected_results()), self.detail.selected_commit())
        return unavailable_reason(request, self.gate, self.resource_of)

    def _runner(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action)

        return run
