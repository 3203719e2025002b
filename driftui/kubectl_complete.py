"""``kubectl driftui <TAB>``: kubectl (1.26+) completes a plugin's arguments by running
``kubectl_complete-driftui`` with them, the word being completed last, and reads Cobra's
protocol back: one candidate a line, then ``:DIRECTIVE``.

The same parser walk (``spec``) and the same callback values (``values``) as the shell
scripts, decided here in Python instead of in shell code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from driftui.completion.spec import CALLBACKS, FILES, Command, Values

# Cobra's ShellCompDirective bits
DEFAULT, NO_SPACE, NO_FILE_COMP = 0, 2, 4

Lookup = Callable[[str, str, Sequence[str]], list[str]]


def _flag_values(command: Command, name: str) -> Values | None:
    for flag in command.flags:
        if name in flag.names:
            return flag.values
    return None


def _command_of(commands: dict[str, Command], words: Sequence[str]) -> tuple[Command, str]:
    """The command typed (the top level if none yet), and the flag whose value comes next."""
    current, expecting = commands[""], ""
    for word in words:
        if expecting:
            expecting = ""
        elif word.startswith("-"):
            if "=" not in word and _flag_values(current, word) is not None:
                expecting = word
        elif current.name == "" and word in commands:
            current = commands[word]
    return current, expecting


def _offer(
    values: Values, current: str, words: Sequence[str], lookup: Lookup
) -> tuple[list[str], int]:
    if values.source == "choices":
        return [c for c in values.choices if c.startswith(current)], NO_FILE_COMP
    if values.source == FILES:
        return [], DEFAULT
    if values.source in CALLBACKS:
        found = lookup(values.source, current, words)
        slash = bool(found) and all(c.endswith("/") for c in found)
        return found, NO_FILE_COMP | (NO_SPACE if slash else 0)
    return [], NO_FILE_COMP


def complete(
    commands: list[Command], words: Sequence[str], current: str, lookup: Lookup
) -> tuple[list[str], int]:
    """Candidates for ``current`` after ``words``, and Cobra's directive for the shell."""
    by_name = {c.name: c for c in commands}
    command, expecting = _command_of(by_name, words)
    if expecting:
        values = _flag_values(command, expecting)
        return _offer(values, current, words, lookup) if values else ([], NO_FILE_COMP)
    if current.startswith("-") and "=" in current:
        name, _, rest = current.partition("=")
        values = _flag_values(command, name)
        if values is None:
            return [], NO_FILE_COMP
        found, directive = _offer(values, rest, words, lookup)
        return [f"{name}={c}" for c in found], directive
    if current.startswith("-"):
        names = [n for f in command.flags for n in f.names if n.startswith(current)]
        return names, NO_FILE_COMP
    if command.name == "":
        return [c.name for c in commands if c.name.startswith(current) and c.name], NO_FILE_COMP
    if command.positional is not None:
        return _offer(command.positional, current, words, lookup)
    return [], NO_FILE_COMP


def main() -> int:
    """Entry point of ``kubectl_complete-driftui``: kubectl passes the words, current last."""
    from driftui.cli import build_parser
    from driftui.completion.spec import commands_of
    from driftui.completion.values import answer_lines

    argv = sys.argv[1:]
    if argv and argv[0] == "__complete":  # what Cobra itself would be asked
        argv = argv[1:]
    words, current = argv[:-1], (argv[-1] if argv else "")
    found, directive = complete(commands_of(build_parser()), words, current, answer_lines)
    sys.stdout.write("".join(f"{c}\n" for c in found) + f":{directive}\n")
    return 0
