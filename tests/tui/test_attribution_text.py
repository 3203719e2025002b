"""The time beside a manager is its last write to the object, and says so (issue 17 item 13)."""

from __future__ import annotations

from datetime import UTC, datetime

from driftui.tui.formatting import attribution

NOW = datetime(2026, 11, 22, 3, 20, 5, tzinfo=UTC)


def test_attribution_names_the_time_as_the_managers_last_write() -> None:
    assert attribution("kubectl-set", "2026-11-22T03:19:30Z", NOW) == (
        "kubectl-set · last write 35s ago"
    )


def test_attribution_without_a_time_or_a_manager() -> None:
    assert attribution("kubectl-set", None, NOW) == "kubectl-set"
    assert attribution(None, None, NOW) == ""
