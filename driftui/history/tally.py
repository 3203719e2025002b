"""How far a history walk is: commits examined against the commits ``git log`` listed."""

from __future__ import annotations

from driftui.runtime.progress import ProgressEvent, ProgressFn

STAGE = "commits examined"


class CommitTally:
    """Commits examined against the commits ``git log`` listed so far: a walk that follows
    a renamed file lists more as it goes, so the total can grow."""

    def __init__(self, progress: ProgressFn) -> None:
        self.progress, self.done, self.total = progress, 0, 0

    def listed(self, count: int) -> None:
        self.total += count
        self.progress(ProgressEvent(STAGE, self.done, self.total))

    def examined(self) -> None:
        self.done += 1
        self.progress(ProgressEvent(STAGE, self.done, self.total))

    def finished(self) -> None:
        """The walk stops where the object was created: older commits need no look."""
        self.done = self.total
        self.progress(ProgressEvent(STAGE, self.done, self.total))
