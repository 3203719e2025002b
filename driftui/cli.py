"""The command line: kubectl-style flags and exit codes over the same core the explorer uses.

Exit status: 0 in sync, 1 drift, 2 error or usage error (as ``kubectl diff`` and ``flux diff``).
The explorer itself is opened through a callable handed in by ``driftui.__main__``, so this
module (and the whole core) never imports textual.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

from driftui import cli_git, cli_sync, completion
from driftui.actions.gate import MutationGate, MutationRefused, read_only_from_env
from driftui.actions.revert import RevertRefused
from driftui.build_info import VersionAction
from driftui.colour import WHEN_CHOICES, paint, paint_line, use_colour
from driftui.compare.textdiff import DiffLine, live_view, render_yaml, unified
from driftui.config import ConfigError, load_config
from driftui.engine import Scanner, ScanOptions
from driftui.files import write_atomic
from driftui.history import HistoryEntry, field_blame
from driftui.live.client import DEFAULT_TIMEOUT, ClusterError
from driftui.live.patience import parse_request_timeout
from driftui.live.snapshot import Snapshot, SnapshotError, read_snapshot, write_snapshot
from driftui.live.snapshot_key import load_key
from driftui.model import Difference, DiffType, DriftResult, ScanReport, Status
from driftui.model import Path as Path_
from driftui.plugin import program_name
from driftui.report import FORMATS
from driftui.safe_text import safe, safe_line, safe_value
from driftui.source.field_lines import blob_reader, with_field_lines
from driftui.source.git_repo import SourceError
from driftui.source.limits import (
    ALLOW_REMOTE_ENV,
    DEFAULT_RENDER_MEMORY,
    DEFAULT_RENDER_TIMEOUT,
    MiB,
    RenderPolicy,
    remote_bases_from_env,
)
from driftui.source.work_tree import cwd_prefix
from driftui.versions import compare_audits, field_line

EXIT_OK, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2

ExplorerLauncher = Callable[[argparse.Namespace, "Scanner", MutationGate], int]

log = logging.getLogger("driftui")


class UsageError(Exception):
    """Bad input from the user: exit 2 with a one-line message, as argparse does."""


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """Flags every subcommand takes. kubectl accepts them before or after the verb."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    src = parser.add_argument_group("source")
    src.add_argument("--repo", default=default("."), help="local path or remote URL (default .)")
    src.add_argument("--ref", default=default("HEAD"), help="branch, tag or sha (default HEAD)")
    src.add_argument(
        "--path",
        default=default(None),
        help="subdirectory of the repo (default: the current directory's, inside a work tree)",
    )
    src.add_argument("--config", default=default(None), help="config file (default .driftui.yaml)")
    src.add_argument(
        "--no-fetch", action="store_true", default=default(False), help="do not fetch remotes"
    )
    src.add_argument(
        "--fail-on-stale",
        action="store_true",
        default=default(False),
        help="a remote that cannot be fetched is an error (exit 2), not a warning",
    )
    _render_flags(src, default)
    live = parser.add_argument_group("cluster")
    live.add_argument("--kubeconfig", default=default(None))
    live.add_argument("--context", default=default(None))
    live.add_argument("-n", "--namespace", default=default(None))
    live.add_argument("--live", metavar="SNAPSHOT", default=default(None), help="offline snapshot")
    live.add_argument(
        "--request-timeout",
        type=_request_timeout,
        default=default(DEFAULT_TIMEOUT),
        metavar="DURATION",
        help="how long to wait for each API request, retries of throttled requests included:"
        " seconds, or a duration like 1s, 2m, 3h; 0 waits forever (kubectl's default)."
        f" Default {DEFAULT_TIMEOUT:g}s, so a hung server cannot hang driftui",
    )
    live.add_argument(
        "--read-only",
        action="store_true",
        default=default(False),
        help="never send a mutating request, not even a dry-run (or DRIFTUI_READ_ONLY=1)",
    )
    fid = live.add_mutually_exclusive_group()
    fid.add_argument(
        "--server-side",
        dest="server_side",
        action="store_const",
        const=True,
        default=default(None),
        help="predict with a dry-run server-side apply",
    )
    fid.add_argument(
        "--client-side",
        dest="server_side",
        action="store_const",
        const=False,
        default=default(None),
        help="compare normalised objects only",
    )
    parser.add_argument("-v", "--verbose", action="count", default=default(0))


def _request_timeout(text: str) -> float:
    try:
        return parse_request_timeout(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _render_flags(group: Any, default: Callable[[Any], Any]) -> None:
    """Bounds and trust for helm and kustomize: the user's to set, never the repository's."""
    group.add_argument(
        "--render-timeout",
        type=_positive,
        metavar="SECONDS",
        default=default(DEFAULT_RENDER_TIMEOUT),
        help=f"stop a helm or kustomize render after this long (default {DEFAULT_RENDER_TIMEOUT:g})",
    )
    group.add_argument(
        "--render-memory",
        type=_positive,
        metavar="MIB",
        default=default(DEFAULT_RENDER_MEMORY / MiB),
        help=f"address space a renderer may use (default {DEFAULT_RENDER_MEMORY // MiB} MiB)",
    )
    group.add_argument(
        "--allow-remote-bases",
        action="store_true",
        default=default(False),
        help="let kustomize fetch remote bases, with no git config or credentials of yours"
        f" (or {ALLOW_REMOTE_ENV}=1)",
    )
    group.add_argument(
        "--remote-bases-git-config",
        action="store_true",
        default=default(False),
        help="with --allow-remote-bases: fetch with your own git config and credentials",
    )


def render_policy(args: argparse.Namespace) -> RenderPolicy:
    return RenderPolicy(
        timeout=args.render_timeout,
        memory_bytes=int(args.render_memory * MiB),
        allow_remote_bases=bool(args.allow_remote_bases or remote_bases_from_env()),
        user_git_config=args.remote_bases_git_config,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=program_name(), description="Explore drift between Git and a Kubernetes cluster."
    )
    parser.add_argument("--version", action=VersionAction)
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text)
        _common(p, suppress=True)
        return p

    add("tui", "open the drift explorer (the default)")
    diff = add("diff", "print a unified diff per drifted, missing or extra object")
    diff.add_argument(
        "--color",
        nargs="?",
        const="always",
        default="auto",
        choices=WHEN_CHOICES,
        metavar="WHEN",
        help="colour the diff: auto (a terminal, unless NO_COLOR is set), always, never",
    )
    diff.add_argument(
        "--blame", action="store_true", help="name the commit that last set each Git value"
    )
    diff.add_argument(
        "--since",
        metavar="OLD_SNAPSHOT",
        help="with --live NEW_SNAPSHOT: what changed in the cluster between two audits",
    )
    report = add("report", "write a report (json, markdown, junit, github, sarif)")
    report.add_argument("--format", choices=sorted(FORMATS), default="json")
    report.add_argument("-o", "--output", help="file to write (default stdout)")
    snap = add("snapshot", "write the live state of the source's objects, secrets hashed")
    snap.add_argument("-o", "--output", required=True, help="snapshot file")
    cli_git.add_parsers(sub, lambda p: _common(p, suppress=True))
    cli_sync.add_sync_parser(sub, lambda p: _common(p, suppress=True))
    sub.add_parser("demo", help="open the explorer on a built-in demo (no cluster needed)")
    completion.add_parser(sub)
    return parser


def options_from(args: argparse.Namespace) -> ScanOptions:
    # As in git: inside a work tree, the current directory is the default scope.
    path = args.path if args.path is not None else cwd_prefix(args.repo)
    return ScanOptions(
        repo=args.repo,
        ref=args.ref,
        path=path,
        path_from_cwd=args.path is None and path != "",
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespace=args.namespace,
        live_snapshot=args.live,
        read_only=args.read_only,
        server_side=args.server_side,
        config_path=args.config,
        fetch=not args.no_fetch,
        fail_on_stale=args.fail_on_stale,
        request_timeout=args.request_timeout,
        render=render_policy(args),
    )


# -- output ----------------------------------------------------------------------------


def diff_lines(result: DriftResult) -> list[DiffLine]:
    """The noise-free diff of one result: Git's object against live projected onto Git's fields."""
    git_text = render_yaml(result.desired) if result.desired is not None else ""
    if result.status is Status.EXTRA:
        live_text = render_yaml(live_view({}, result.live or {}, ()))
    elif result.live is None:
        live_text = ""
    else:
        live_text = render_yaml(live_view(result.desired or {}, result.live, result.differences))
    return unified(git_text, live_text, context=3)


Blame = Callable[[DriftResult], dict[Path_, HistoryEntry]]


def _attribution(d: Difference, commit: HistoryEntry | None) -> str:
    """``# changed data.x by kubectl-edit at …``: managers and authors are untrusted text."""
    who = f" by {d.manager}" if d.manager else ""
    when = f", last write {d.time}" if d.manager and d.time else ""
    git_side = f"; Git value from {commit.short} by {commit.author}" if commit else ""
    return safe(f"# {d.type.value} {d.dotted}{who}{when}{git_side}")


def write_diff(report: ScanReport, out: IO[str], colour: bool, blame: Blame | None = None) -> None:
    """Every piece of text is made safe before it is painted: only our colours are raw."""
    for r in report.results:
        if r.status not in (Status.DRIFTED, Status.MISSING, Status.EXTRA):
            continue
        ref = safe_value(r.ref)
        header = f"--- git/{ref}\n+++ live/{ref}  ({r.status.value})"
        out.write((paint(header, "header") if colour else header) + "\n")
        blamed = blame(r) if blame is not None and r.differences else {}
        for d in r.differences:
            out.write(_attribution(d, blamed.get(d.path)) + "\n")
        for line in diff_lines(r):
            sign = {"added": "+", "removed": "-", "context": " ", "hunk": ""}[line.kind]
            text = safe_line(line.text)
            out.write((paint_line(sign, text, line.kind) if colour else sign + text) + "\n")
    for r in report.results:
        if r.status is Status.ERROR:
            out.write(safe(f"error: {r.ref}: {r.reason}") + "\n")
    for problem in report.problems:
        out.write(safe(f"error: {problem}") + "\n")


def warn_about(report: ScanReport) -> None:
    """Every command says its warnings (a stale source, kinds not read) on stderr."""
    for warning in report.warnings:
        print(safe(f"warning: {warning}"), file=sys.stderr)


def exit_status(report: ScanReport) -> int:
    if report.has_errors or report.problems:
        return EXIT_ERROR
    return EXIT_DRIFT if report.has_drift else EXIT_OK


def _write_output(text: str, output: str | None) -> None:
    if output:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)


# -- commands --------------------------------------------------------------------------


def git_blame(scanner: Scanner) -> Blame:
    """Field blame from the object's own history: who last set each value Git has now."""
    opts = scanner.options
    renderer = scanner.renderer()

    def blame(result: DriftResult) -> dict[Path_, HistoryEntry]:
        paths = [d.path for d in result.differences if d.type is not DiffType.ADDED_OUTSIDE_GIT]
        return field_blame(
            opts.repo,
            opts.ref,
            result.ref,
            paths,
            path=opts.path,
            default_namespace=opts.namespace or "default",
            renderer=renderer,
        )

    return blame


def run_diff(scanner: Scanner, args: argparse.Namespace) -> int:
    if args.since:
        return run_audit_diff(args)
    report = scanner.scan()
    warn_about(report)
    colour = use_colour(args.color, sys.stdout)
    write_diff(report, sys.stdout, colour, git_blame(scanner) if args.blame else None)
    return exit_status(report)


def run_audit_diff(args: argparse.Namespace) -> int:
    """Two snapshots, older and newer: objects added, removed and changed, field by field.
    Exit 1 when anything changed, as a diff does; the config's ignore rules apply."""
    if not args.live:
        raise UsageError("--since compares two snapshots: give the newer one with --live")
    changes = compare_audits(
        read_snapshot(args.since),
        read_snapshot(args.live),
        ignore=load_config(args.config).ignore if args.config else (),
    )
    signs = {"added": "+", "removed": "-", "changed": "~"}
    for change in changes:
        print(safe(f"{signs[change.change]} {change.change} {change.ref}"))
        for field in change.fields:
            print(safe(f"    {field_line(field)}"))
    return EXIT_DRIFT if changes else EXIT_OK


def run_report(scanner: Scanner, args: argparse.Namespace) -> int:
    report = scanner.scan()
    warn_about(report)
    report = with_field_lines(report, blob_reader(scanner.options.repo))
    _write_output(FORMATS[args.format](report), args.output)
    return exit_status(report)


def run_snapshot(scanner: Scanner, args: argparse.Namespace) -> int:
    if args.live:
        raise UsageError("snapshot reads the cluster; it cannot take --live")
    key = load_key(create=True)
    assert key is not None  # create=True makes one when there is none
    scanner.mask_key = key.secret
    report = scanner.scan()
    warn_about(report)
    objects = [r.live for r in report.results if r.live is not None]
    forbidden = {
        f"{r.ref.group}/{r.ref.kind}": r.reason
        for r in report.results
        if r.status is Status.ERROR and r.reason.startswith("forbidden")
    }
    cluster = scanner.capabilities()  # charts render for this cluster offline, too
    snapshot = Snapshot(
        key_id=key.id,
        objects=objects,
        context=report.live.context,
        server=report.live.server,
        forbidden=forbidden,
        kube_version=cluster.kube_version,
        api_versions=list(cluster.api_versions),
    )
    write_snapshot(snapshot, args.output)
    print(
        f"wrote {len(objects)} objects to {args.output}"
        f" (Secrets masked with snapshot key {key.id} from {key.origin})",
        file=sys.stderr,
    )
    return EXIT_ERROR if report.problems else EXIT_OK


COMMANDS: dict[str, Callable[[Scanner, argparse.Namespace, MutationGate], int]] = {
    "diff": lambda scanner, args, _: run_diff(scanner, args),
    "report": lambda scanner, args, _: run_report(scanner, args),
    "snapshot": lambda scanner, args, _: run_snapshot(scanner, args),
    "history": lambda scanner, args, _: cli_git.run_history(scanner, args),
    "revert": cli_git.run_revert,
    **dict.fromkeys(
        cli_sync.SYNC_COMMANDS, lambda scanner, args, _: cli_sync.run_sync(scanner, args)
    ),
}


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
) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
    gate = MutationGate(read_only=args.read_only)
    scanner = Scanner(options_from(args), gate)
    if command != "tui":  # the explorer handles its own signals
        signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        if command == "tui":
            if explorer is None:
                raise UsageError("the explorer is not available in this build")
            return explorer(args, scanner, gate)
        return COMMANDS[command](scanner, args, gate)
    except (UsageError, cli_git.UsageError) as exc:
        parser.error(safe_value(exc))
    except (
        ClusterError,
        SourceError,
        SnapshotError,
        ConfigError,
        MutationRefused,
        RevertRefused,
    ) as exc:
        print(f"error: {safe_value(exc)}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    except OSError as exc:
        text = f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
        print(safe(text), file=sys.stderr)
    return EXIT_ERROR
