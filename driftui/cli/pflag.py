"""kubectl's flag spellings that argparse reads otherwise, rewritten before parsing.

kubectl parses with spf13/pflag. ``-n=x``, ``-nx`` and ``--namespace=x`` already mean the
same to argparse; two spellings kubectl users type do not:

- a boolean flag given a value, ``-y=true``, ``--read-only=false`` (pflag's ``ParseBool``
  words): argparse refuses any value for a ``store_true`` flag;
- a verbosity level, ``-v=6`` or ``--v=6``: argparse counts ``-v`` and refuses a value.

Each is rewritten to what argparse takes (``-y``, nothing, ``-v`` six times). Words after
``--`` are left alone, and so is any word that names no flag of the parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence

TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
VERBOSITY = ("-v", "--v", "--verbose")
MAX_LEVEL = 10  # klog's levels stop being useful long before; a typo must not explode argv


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def boolean_flags(parser: argparse.ArgumentParser) -> frozenset[str]:
    """Every option string of a ``store_true`` flag, in the parser and its subcommands."""
    return frozenset(
        option
        for each in _parsers(parser)
        for action in each._actions
        if isinstance(action, argparse._StoreTrueAction)
        for option in action.option_strings
    )


def _rewritten(word: str, booleans: frozenset[str]) -> list[str] | None:
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
    return None


def kubectl_spellings(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """``argv`` with pflag's spellings of booleans and verbosity in argparse's words."""
    booleans = boolean_flags(parser)
    out: list[str] = []
    for index, word in enumerate(argv):
        if word == "--":
            return out + list(argv[index:])
        replaced = _rewritten(word, booleans)
        out += [word] if replaced is None else replaced
    return out
