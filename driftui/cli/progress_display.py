"""Progress on stderr while a long command works, so a cold scan of 40,000 objects is not
a silent minute.

The engine reports its stages as :class:`~driftui.runtime.progress.ProgressEvent` (files
parsed, kinds listed, objects compared, dry-runs); rich draws them, one line per stage with
its count against the total and the time elapsed. Like git, only a terminal on stderr gets
them: not a pipe, not CI (``CI`` set, as every CI system sets it), not ``--quiet``. Stdout
never sees a byte of it, so ``driftui report > out.json`` stays machine-readable.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from driftui.engine import Scanner
from driftui.model import ScanReport
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress

if TYPE_CHECKING:  # rich is imported when a terminal watches: a CI run never loads it
    from rich.progress import TaskID

_NOT_CI = {"", "0", "false", "no"}


def in_ci() -> bool:
    """GitHub Actions, GitLab CI, Jenkins (via its plugins) and most others set ``CI``."""
    return os.environ.get("CI", "").strip().lower() not in _NOT_CI


def progress_wanted(args: argparse.Namespace, stream: IO[str]) -> bool:
    """Someone is watching: stderr is a terminal, and neither CI nor ``--quiet`` says no."""
    if getattr(args, "quiet", False) or in_ci():
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or exotic stream
        return False


class ProgressDisplay:
    """A :data:`ProgressFn` drawing each stage as a rich task; the engine may call it from
    its reader threads, so new stages are added under a lock."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,  # the results, not the progress, stay on the screen
            redirect_stdout=False,  # stdout is the command's output, untouched
            redirect_stderr=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __call__(self, event: ProgressEvent) -> None:
        with self._lock:
            task = self._tasks.get(event.stage)
            if task is None:
                task = self.progress.add_task(event.stage, total=event.total)
                self._tasks[event.stage] = task
        self.progress.update(task, completed=event.done, total=event.total)


@contextmanager
def progress_for(args: argparse.Namespace) -> Iterator[ProgressFn]:
    """A sink for the engine's events: drawn on a watched terminal, dropped otherwise."""
    if not progress_wanted(args, sys.stderr):
        yield no_progress
        return
    display = ProgressDisplay(sys.stderr)
    with display.progress:
        yield display


def scan(scanner: Scanner, args: argparse.Namespace) -> ScanReport:
    """The scan every long command starts with, its progress shown while it runs."""
    with progress_for(args) as progress:
        return scanner.scan(progress)
