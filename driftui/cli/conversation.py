"""Asking before a change: one sanitised voice for what a command says, and its questions.

Without a terminal there is no one to ask, so only ``--yes`` lets a change happen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from driftui.cli.exits import EXIT_ERROR
from driftui.safe_text import safe

Prompt = Callable[[str], str]
"""Shows a question, returns the user's answer. None when there is no one to ask."""


@dataclass
class Conversation:
    out: IO[str]
    err: IO[str]
    prompt: Prompt | None
    cluster: str = ""  # named in every question when one run acts on several clusters

    # Everything said here may quote repository or cluster content: one sanitiser for all.
    def say(self, text: str) -> None:
        self.out.write(safe(text, multiline=True) + "\n")

    def warn(self, text: str) -> None:
        self.err.write(safe(text, multiline=True) + "\n")

    def confirm(self, question: str, yes: bool) -> bool | None:
        """True/False from the user (or --yes); None when there is no one to ask."""
        if yes:
            return True
        if self.prompt is None:
            return None
        return self.prompt(safe(f"{self._on()}{question} [y/N] ")).strip().lower() in {"y", "yes"}

    def typed(self, question: str, word: str) -> bool | None:
        if self.prompt is None:
            return None
        asked = f"{self._on()}{question} Type {word!r} to confirm: "
        return self.prompt(safe(asked)).strip() == word

    def _on(self) -> str:
        return f"On cluster {self.cluster}: " if self.cluster else ""


def terminal_prompt() -> Prompt | None:
    try:
        interactive = sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        interactive = False
    return input if interactive else None


NO_TTY = (
    "refusing to change the cluster without confirmation: stdin is not a terminal "
    "(pass --yes to confirm)"
)


def no_confirmation(io: Conversation, answer: bool | None) -> int:
    io.warn(NO_TTY if answer is None else "aborted: nothing was changed")
    return EXIT_ERROR
