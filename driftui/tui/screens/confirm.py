"""Confirmation before any action that changes the cluster or the repository.

Cancel has the focus, the list shows exactly what will change, and typed-confirmation
actions (prune) keep the confirm button disabled until the name is typed.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from driftui.actions.registry import ActionRequest, confirmation_word, planned_changes
from driftui.tui.formatting import plain, shown


def dialog_title(request: ActionRequest, cluster: str = "") -> str:
    """``Sync ConfigMap shop/web?``; in a multi-cluster explorer ``… in cluster prod?``:
    the one cluster the action acts on is named in the question."""
    spec = request.action
    in_cluster = f" in cluster {cluster}" if cluster else ""
    if spec.needs_commit:
        return f"{spec.title} {request.commit or ''}{in_cluster}?".replace(" ?", "?")
    if len(request.targets) == 1:
        ref = request.targets[0].ref
        where = f"{ref.namespace}/" if ref.namespace else ""
        return f"{spec.title} {ref.kind} {where}{ref.name}{in_cluster}?"
    return f"{spec.title} {len(request.targets)} objects{in_cluster}?"


class ConfirmActionScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        request: ActionRequest,
        *,
        cursor_blink: bool = True,
        changes: tuple[str, ...] | None = None,
        cluster: str = "",
    ) -> None:
        super().__init__()
        self.request = request
        self.cluster = cluster
        self.changes = changes if changes is not None else planned_changes(request)
        self.word = confirmation_word(request, changes)
        self.cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        spec = self.request.action
        with Vertical(id="confirm-dialog", classes="dangerous" if spec.dangerous else ""):
            yield Static(plain(dialog_title(self.request, self.cluster)), id="confirm-title")
            yield Static(Content(spec.description + "."), id="confirm-description")
            yield Static(Content("This will change:"), classes="confirm-label")
            with VerticalScroll(id="confirm-changes"):
                yield Static(plain("\n".join(self.changes), multiline=True))
            if self.word is not None:
                yield Static(plain(f"Type {self.word} to confirm:"), classes="confirm-label")
                yield Input(placeholder=shown(self.word), id="confirm-word")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="cancel", variant="default")
                yield Button(
                    spec.title,
                    id="confirm",
                    variant="error" if spec.dangerous else "primary",
                    disabled=self.word is not None,
                )

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.cursor_blink
        self.query_one("#cancel", Button).focus()

    @on(Input.Changed, "#confirm-word")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = event.value != self.word

    @on(Input.Submitted, "#confirm-word")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self.word:
            self.dismiss(True)

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
