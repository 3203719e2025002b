"""Progress reporting shared by the scan stages, so a UI can show what a slow scan is doing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    # "files parsed" | "waiting for the cluster" | "kinds listed" | "objects compared" | free text
    stage: str
    done: int
    total: int | None = None

    def __str__(self) -> str:
        if self.total:
            return f"{self.stage}: {self.done}/{self.total}"
        return f"{self.stage}: {self.done}" if self.done else self.stage


ProgressFn = Callable[[ProgressEvent], None]


def no_progress(_: ProgressEvent) -> None:
    """The default sink: a CLI run in a pipe has nobody to tell."""
