"""The header reminds of auto-syncs driftui suspended, and U resumes them."""

from __future__ import annotations

from driftui.actions.registry import ActionOutcome, Suspensions
from driftui.gate import MutationGate
from tests.tui.conftest import TestExplorer, settle
from tests.tui.sample_data import sample_report, scanner_of
from tests.tui.test_explorer import header_text


async def test_reminder_until_resumed() -> None:
    suspended = ["argocd:shop"]
    resumed: list[bool] = []

    def resume() -> ActionOutcome:
        resumed.append(True)
        suspended.clear()
        return ActionOutcome(ok=True, summary="Resumed 1 app(s)")

    app = TestExplorer(
        scanner_of(sample_report()),
        read_only=False,
        gate=MutationGate(),
        suspensions=Suspensions(current=lambda: list(suspended), resume=resume),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "auto-sync suspended by driftui: argocd:shop (U resumes)" in header_text(app)
        assert any(b.binding.key == "U" for b in app.active_bindings.values())
        await pilot.press("U")
        await settle(pilot)
        assert resumed == [True]
        assert "auto-sync suspended" not in header_text(app)
        assert all(b.binding.key != "U" for b in app.active_bindings.values() if b.enabled)
