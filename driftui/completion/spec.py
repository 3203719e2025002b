"""What can be completed, read from the argparse parser itself, so a new flag or command
is completed without anyone remembering to tell the completion scripts.

Each flag's values come from its declaration: ``choices`` are offered as they are; a few
destinations name something the cluster or kubeconfig knows (``--context``, ``-n``, an
object, a selector), answered at completion time by the callback; file-like flags get the
shell's own file completion; anything else is left to the user.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

CONTEXTS, NAMESPACES, OBJECTS = "contexts", "namespaces", "objects"
FILES, NOTHING = "files", "none"
CALLBACKS = (CONTEXTS, NAMESPACES, OBJECTS)

# argparse destination -> what its values are
_BY_DEST = {
    "context": CONTEXTS,
    "namespace": NAMESPACES,
    "object": OBJECTS,
    "selectors": OBJECTS,
    **dict.fromkeys(("kubeconfig", "repo", "path", "config", "live", "output", "since"), FILES),
}


@dataclass(frozen=True)
class Values:
    """Where a flag's or argument's values come from: fixed choices, or one of the sources."""

    source: str  # "choices", CONTEXTS, NAMESPACES, OBJECTS, FILES or NOTHING
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    names: tuple[str, ...]  # e.g. ("-n", "--namespace")
    help: str
    values: Values | None  # None: the flag takes no value


@dataclass(frozen=True)
class Command:
    name: str  # "" for the top level
    help: str
    flags: tuple[Flag, ...]
    positional: Values | None  # what the first positional argument completes to


def _values(action: argparse.Action) -> Values:
    if action.choices is not None and not isinstance(action.choices, dict):
        return Values("choices", tuple(str(c) for c in action.choices))
    return Values(_BY_DEST.get(action.dest, NOTHING))


def _help(action: argparse.Action) -> str:
    text = action.help if isinstance(action.help, str) else ""
    return text.split(";")[0].split(" (")[0].strip()[:80]


def _flags(parser: argparse.ArgumentParser) -> tuple[Flag, ...]:
    return tuple(
        Flag(tuple(a.option_strings), _help(a), None if a.nargs == 0 else _values(a))
        for a in parser._actions
        if a.option_strings and a.help is not argparse.SUPPRESS
    )


def _positional(parser: argparse.ArgumentParser) -> Values | None:
    for action in parser._actions:
        if not action.option_strings and not isinstance(action, argparse._SubParsersAction):
            return _values(action)
    return None


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:  # type: ignore[type-arg]
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def commands_of(parser: argparse.ArgumentParser) -> list[Command]:
    """The top level (name "") and every visible subcommand, in the parser's order."""
    top = Command("", parser.description or "", _flags(parser), None)
    sub = _subparsers(parser)
    if sub is None:
        return [top]
    helps = {c.dest: c.help or "" for c in sub._choices_actions}
    return [top] + [
        Command(name, helps.get(name, ""), _flags(p), _positional(p))
        for name, p in sub.choices.items()
        if not name.startswith("_")  # hidden commands are never offered
    ]
