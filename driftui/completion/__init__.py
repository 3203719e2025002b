"""Shell completion, as kubectl offers it: ``driftui completion bash|zsh|fish``.

The scripts are generated from driftui's own argparse parser (``spec``): commands, flags and
choices are written in, and values only the kubeconfig or the cluster knows come from a
callback (``values``) run as ``python -m driftui.completion __complete``. The callback is
this package's ``__main__``, so a TAB never loads the command line or the engine.
"""

from __future__ import annotations

import argparse
import sys

from driftui.completion.bash import bash_script, zsh_script
from driftui.completion.fish import fish_script
from driftui.completion.spec import commands_of

SHELLS = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    text = "print a shell completion script (bash, zsh, fish), as kubectl completion does"
    parser = sub.add_parser("completion", help=text, description=text)
    parser.add_argument("shell", choices=sorted(SHELLS))


def script(parser: argparse.ArgumentParser, shell: str, python: str | None = None) -> str:
    """The completion script for ``shell``; the callback runs with ``python`` (this one)."""
    return SHELLS[shell](commands_of(parser), python or sys.executable)


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    sys.stdout.write(script(parser, args.shell))
    return 0
