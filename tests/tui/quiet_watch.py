"""An event source for the explorer that says nothing: tests and benchmarks override the
one or two methods of the explorer's EventWatch they drive."""

from __future__ import annotations

from driftui.model import ScanReport


class QuietWatch:
    """No events, no trouble, nothing to stop."""

    def start(self) -> str:
        return ""

    def pending(self) -> int:
        return 0

    def rejudged(self, report: ScanReport) -> ScanReport | None:
        return None

    def source_changed(self, commit: str) -> bool:
        return False

    def resync(self) -> None:
        pass

    def trouble(self) -> str:
        return ""

    def stop(self) -> None:
        pass
