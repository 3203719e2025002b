"""Colour for the command line: pygments highlights the YAML inside each diff line.

``git diff`` and delta users expect the sign column coloured and the content readable as
YAML. Every piece of text reaching here is already sanitised, so the only escape codes in
the output are the ones written here. Whether to colour at all follows git's
``--color=auto|always|never``; ``auto`` means a terminal, and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import IO, Any, Literal

When = Literal["auto", "always", "never"]
WHEN_CHOICES: tuple[When, ...] = ("auto", "always", "never")

_SIGN = {"added": "\x1b[32m", "removed": "\x1b[31m"}  # green +, red -, as git does
_LINE = {"hunk": "\x1b[36m", "header": "\x1b[1m"}  # cyan @@, bold headers
RESET = "\x1b[0m"


def use_colour(when: When, stream: IO[str]) -> bool:
    """git's rule: always, never, or auto (a terminal, and NO_COLOR unset)."""
    if when == "always":
        return True
    if when == "never" or "NO_COLOR" in os.environ:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


@lru_cache(maxsize=4096)
def _yaml(text: str) -> str:
    """One line of YAML, highlighted; diffs repeat the same lines across objects."""
    highlight, lexer, formatter = _pygments()
    painted: str = highlight(text, lexer, formatter)
    return painted.rstrip("\n")


@lru_cache(maxsize=1)
def _pygments() -> tuple[Any, Any, Any]:
    """pygments, imported when a line is first coloured: a report or an uncoloured diff
    never needs it."""
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import YamlLexer

    return highlight, YamlLexer(), TerminalFormatter(bg="dark")


def paint_line(sign: str, text: str, kind: str) -> str:
    """A diff line: the sign in the line's colour, the YAML after it highlighted."""
    if kind in _LINE:
        return f"{_LINE[kind]}{sign}{text}{RESET}"
    coloured_sign = f"{_SIGN[kind]}{sign}{RESET}" if kind in _SIGN else sign
    return coloured_sign + (_yaml(text) if text.strip() else text)


def paint(text: str, kind: str) -> str:
    """A whole line of one kind (a header, a hunk marker)."""
    code = _LINE.get(kind) or _SIGN.get(kind)
    return f"{code}{text}{RESET}" if code else text
