"""The one sanitiser for every text sink: controls and bidi characters are shown, never sent.

Repository content and live object content are untrusted. A ConfigMap value, an object name
declared only in Git, a commit subject or a field manager's name can hold ESC, OSC or CSI
sequences (set the window title, clear the screen, write the clipboard through OSC 52) or
bidi overrides (U+202E) that make a terminal show something other than what is there.
Every face (CLI, reports, explorer) passes such text through :func:`safe` before showing it.

What is unsafe: C0 and C1 controls and DEL (category Cc), format characters (Cf: bidi
embeddings, overrides and isolates, zero-width characters, U+FEFF), line and paragraph
separators (Zl, Zp) and lone surrogates (Cs, which cannot even be encoded for output).
They are shown the way ``cat -v`` and ``less`` show them: caret notation for C0 and DEL
(``^[`` for ESC), ``\\u202e`` for the others. Printable text passes through unchanged, so
sanitising twice gives the same text as sanitising once.

This module sits on the ground floor beside ``model``: it imports nothing from driftui.
"""

from __future__ import annotations

import re
import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# Anything outside printable ASCII is a candidate; the category decides. Printable ASCII,
# by far the most common text, is never looked at character by character.
_CANDIDATE = re.compile(r"[^\x20-\x7e]")
_CANDIDATE_MULTILINE = re.compile(r"[^\t\n\x20-\x7e]")


def is_unsafe(char: str) -> bool:
    """Whether one character must not reach a terminal as it is."""
    return unicodedata.category(char) in UNSAFE_CATEGORIES


def visible(char: str) -> str:
    """How an unsafe character is shown: ``^[`` (C0, DEL) or ``\\u202e`` (everything else)."""
    code = ord(char)
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return f"\\u{code:04x}"


def _show(match: re.Match[str]) -> str:
    char = match.group()
    return visible(char) if is_unsafe(char) else char


def safe(text: str, *, multiline: bool = False) -> str:
    """``text`` with every unsafe character made visible.

    ``multiline`` keeps newline and tab, for sinks that print several lines (a diff, a
    notification); everywhere else they are shown as ``^J`` and ``^I`` so that one value
    stays on one line. A carriage return is always shown (``^M``): it could overwrite the
    start of the line it ends.
    """
    pattern = _CANDIDATE_MULTILINE if multiline else _CANDIDATE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_show, text)


def safe_line(text: str) -> str:
    """One line of a multi-line text, such as a diff line: a tab is kept (as ``git diff``
    and ``kubectl diff`` keep it), a newline never is, since it would forge the next line."""
    return safe(text, multiline="\n" not in text)


def has_unsafe(text: str, *, multiline: bool = False) -> bool:
    """Whether :func:`safe` would change ``text``."""
    pattern = _CANDIDATE_MULTILINE if multiline else _CANDIDATE
    return any(is_unsafe(m.group()) for m in pattern.finditer(text))


def safe_value(value: object, *, multiline: bool = False) -> str:
    """``str(value)`` made safe: for exceptions, refs and other values shown as text."""
    return safe(value if isinstance(value, str) else str(value), multiline=multiline)
