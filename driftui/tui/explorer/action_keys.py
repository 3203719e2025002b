"""The keys that change the cluster or Git (sync, revert, suspend, resume and the rest of
the registry): each becomes one :class:`ActionRequest` on the selection, and
:class:`driftui.tui.action_flow.ActionFlow` takes it through the one mutation gate."""

from __future__ import annotations

from driftui.actions.registry import ActionRequest, ActionSpec, action_by_id
from driftui.tui.explorer.parts import ExplorerParts


class ActionKeys(ExplorerParts):
    """Mutating key actions: the explorer only says what is selected; the flow does the rest."""

    def action_resume_suspended(self) -> None:
        if self.suspended:
            self.actions.resume()

    def action_run_action(self, action_id: str) -> None:
        self.actions.start(self._request(action_by_id(action_id)))

    def _request(self, spec: ActionSpec) -> ActionRequest:
        """The action on the selection: the objects it applies to, or all if none does (the
        registry then says why it is unavailable)."""
        selected = self.selected_results()
        targets = [r for r in selected if r.status in spec.applies_to]
        return ActionRequest(
            action=spec,
            targets=tuple(targets or selected),
            commit=self.detail.selected_commit(),
            source_commit=self.report.source.commit if self.report is not None else None,
        )
