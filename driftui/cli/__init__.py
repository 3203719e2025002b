"""The command line: kubectl-style flags and exit codes over the same core the explorer uses.

One module per family of commands, each with ``add_parsers`` and ``COMMANDS``:
:mod:`.scan` (diff, report, snapshot), :mod:`.history` (history, revert), :mod:`.sync`
(sync, export-ignores), :mod:`.apps` (reconcile, suspend, resume), :mod:`.app_list` (apps)
and :mod:`.images`. :mod:`.flags` holds the flags every command takes, :mod:`.exits` the exit
codes, :mod:`.conversation` the questions, :mod:`.progress_display` the progress long commands
draw on a terminal's stderr.
This module only parses, dispatches and turns every :class:`~driftui.errors.DriftuiError`
into one line and exit 2.

The explorer is opened through a callable handed in by ``driftui.__main__``, so the command
line (and the whole core) never imports textual.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace

from driftui import completion
from driftui.build_info import VersionAction
from driftui.cli import app_list, apps, clusters, history, images, scan, sync
from driftui.cli.app_scans import APP_COMMANDS, with_apps
from driftui.cli.exits import EXIT_CLOSED_PIPE, EXIT_ERROR
from driftui.cli.flags import add_common, options_from
from driftui.cli.leaving import leave
from driftui.cli.pflag import kubectl_spellings
from driftui.engine import Scanner
from driftui.errors import DriftuiError, UsageError
from driftui.gate import MutationGate, read_only_from_env
from driftui.plugin import program_name
from driftui.safe_text import safe, safe_value

ExplorerLauncher = Callable[[argparse.Namespace, "Scanner", MutationGate], int]

log = logging.getLogger("driftui")

COMMANDS: dict[str, scan.Command] = {
    **scan.COMMANDS,
    **history.COMMANDS,
    **sync.COMMANDS,
    **app_list.COMMANDS,
    **images.COMMANDS,
}


def build_parser() -> argparse.ArgumentParser:
    # No abbreviations, as kubectl: the top level would otherwise read a command's own
    # `resume --all` as an ambiguous prefix of --all-contexts and --allow-remote-bases.
    parser = argparse.ArgumentParser(
        prog=program_name(),
        description="Explore drift between Git and a Kubernetes cluster.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action=VersionAction)
    add_common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        add_common(p, suppress=True)

    for family in (scan, images, history, sync, apps, app_list):
        family.add_parsers(sub, common)
    sub.add_parser("demo", help="open the explorer on a built-in demo (no cluster needed)")
    completion.add_parser(sub)
    return parser


class SafeFormatter(logging.Formatter):
    """Log records quote object names and server messages: they reach stderr made safe."""

    def format(self, record: logging.LogRecord) -> str:
        return safe(super().format(record), multiline=True)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


def _terminate_as_interrupt(_signum: int, _frame: object) -> None:
    """SIGTERM (a CI job cancelled, a pod stopping) ends the run as Ctrl-C does: with an
    account of what was and was not done, never mid-sentence."""
    raise KeyboardInterrupt


def main(
    argv: Sequence[str] | None = None,
    *,
    explorer: ExplorerLauncher | None = None,
    demo: Callable[[argparse.Namespace], int] | None = None,
    leave_when_done: bool = False,
) -> int:
    """Run one command; its exit code. ``leave_when_done`` (the program, not a test): once a
    command other than the explorer is done, the process ends (:func:`.leaving.leave`)."""
    parser = build_parser()
    words = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(kubectl_spellings(words, parser))
    _configure_logging(args.verbose)
    command = args.command or "tui"
    if command == "demo":
        if demo is None:
            print("error: the explorer is not available in this build", file=sys.stderr)
            return EXIT_ERROR
        return demo(args)
    if command == "completion":
        return completion.run(parser, args)
    args.read_only = bool(args.read_only or read_only_from_env())
    if command == "tui":  # the explorer handles its own signals, and its own exit
        return _run(command, args, explorer, parser)
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    code = _run(command, args, explorer, parser)
    return leave(code) if leave_when_done else code


def _run(
    command: str,
    args: argparse.Namespace,
    explorer: ExplorerLauncher | None,
    parser: argparse.ArgumentParser,
) -> int:
    """The command's exit code; every error as one line on stderr and exit 2."""
    try:
        return _dispatch(command, args, explorer)
    except UsageError as exc:
        parser.error(safe_value(exc))
    except DriftuiError as exc:
        print(f"error: {safe_value(exc)}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    except BrokenPipeError:  # `| head` has what it wanted: nothing to say, and no one to read it
        _stdout_discarded()
        return EXIT_CLOSED_PIPE
    except OSError as exc:
        text = f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
        print(safe(text), file=sys.stderr)
    return EXIT_ERROR


def _stdout_discarded() -> None:
    """What is still buffered for the closed pipe goes nowhere, so that flushing it at exit
    does not raise again (Python's own advice for SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _dispatch(command: str, args: argparse.Namespace, explorer: ExplorerLauncher | None) -> int:
    """Several clusters go to :mod:`.clusters`; one cluster (or none named) as always."""
    contexts = clusters.resolve_contexts(args, command)
    if len(contexts) > 1 and command != "tui":  # the explorer shows every cluster itself
        return clusters.run_clusters(command, args, contexts)
    args.contexts = contexts
    args.context = contexts[0] if contexts else None
    gate = MutationGate(read_only=args.read_only)
    options = options_from(args)
    if command in scan.ONE_SHOT:  # verdicts shown once: some may be judged in a copy
        options = replace(options, judge_apart=True)
    scanner = Scanner(options, gate)
    if command in APP_COMMANDS:  # --app / --all-apps: each app from its own source
        scanner = with_apps(scanner, args)
    if command == "tui":
        if explorer is None:
            raise UsageError("the explorer is not available in this build")
        return explorer(args, scanner, gate)
    return COMMANDS[command](scanner, args, gate)
