"""kubectl's flag spellings that argparse reads otherwise, rewritten before parsing.

kubectl parses with spf13/pflag, where ``-n=x`` means namespace ``x``. Python's argparse
reads it so too (3.11 to 3.13, by splitting at the ``=``), but only as a side effect of its
long-option rule, so a short flag with a value, ``-n=x``, is passed on as ``-n x`` rather
than left to that. Two spellings argparse refuses outright:

- a boolean flag given a value, ``-y=true``, ``--read-only=false`` (pflag's ``ParseBool``
  words): argparse refuses any value for a ``store_true`` flag;
- a verbosity level, ``-v=6`` or ``--v=6``: argparse counts ``-v`` and refuses a value.

Each is rewritten to what argparse takes (``-y``, nothing, ``-v`` six times). Words after
``--`` are left alone, and so is any word that names no flag of the parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence

TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
VERBOSITY = ("-v", "--v", "--verbose")
Flags = frozenset[str]
MAX_LEVEL = 10  # klog's levels stop being useful long before; a typo must not explode argv


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _options(parser: argparse.ArgumentParser, wanted: Callable[[argparse.Action], bool]) -> Flags:
    return frozenset(
        option
        for each in _parsers(parser)
        for action in each._actions
        if wanted(action)
        for option in action.option_strings
    )


def boolean_flags(parser: argparse.ArgumentParser) -> Flags:
    """Every option string of a ``store_true`` flag, in the parser and its subcommands."""
    return _options(parser, lambda action: isinstance(action, argparse._StoreTrueAction))


def short_value_flags(parser: argparse.ArgumentParser) -> Flags:
    """Every one-letter flag that takes a value (``-n``, ``-o``)."""
    return frozenset(
        option
        for option in _options(parser, lambda action: action.nargs != 0)
        if len(option) == 2 and option[0] == "-" and option[1] != "-"
    )


def _rewritten(word: str, booleans: Flags, shorts: Flags) -> list[str] | None:
    """What argparse should read for ``word``; None when it is no pflag-only spelling."""
    name, eq, value = word.partition("=")
    if not eq:
        return None
    if name in VERBOSITY and value.isdigit():
        return ["-v"] * min(int(value), MAX_LEVEL)
    if name in booleans and value in TRUE:
        return [name]
    if name in booleans and value in FALSE:
        return []
    if name in shorts:  # pflag: everything after the first "=" is the value
        return [name, value]
    return None


def kubectl_spellings(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """``argv`` with pflag's spellings of short values, booleans and verbosity in argparse's
    words."""
    booleans, shorts = boolean_flags(parser), short_value_flags(parser)
    out: list[str] = []
    for index, word in enumerate(argv):
        if word == "--":
            return out + list(argv[index:])
        replaced = _rewritten(word, booleans, shorts)
        out += [word] if replaced is None else replaced
    return out
