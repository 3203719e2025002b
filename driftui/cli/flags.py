"""Flags every command takes, and the scan options they make.

kubectl accepts its global flags before or after the verb, so each subcommand repeats them
with ``SUPPRESS`` defaults: a flag given after the verb wins, one given before it stays.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from driftui.engine import ScanOptions
from driftui.engine.options import DEFAULT_CONCURRENCY
from driftui.live.client import DEFAULT_TIMEOUT
from driftui.live.patience import parse_request_timeout
from driftui.source.limits import (
    ALLOW_REMOTE_ENV,
    DEFAULT_RENDER_MEMORY,
    DEFAULT_RENDER_TIMEOUT,
    MiB,
    RenderPolicy,
    remote_bases_from_env,
)
from driftui.source.work_tree import cwd_prefix

AddCommon = Callable[[argparse.ArgumentParser], None]
"""Adds the common flags to one subcommand's parser; each family of commands is handed it."""


def add_command(sub: Any, add_common: AddCommon, name: str, text: str) -> argparse.ArgumentParser:
    """One subcommand with the common flags; ``text`` is its help line and its description."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text)
    add_common(parser)
    return parser


def add_common(parser: argparse.ArgumentParser, suppress: bool) -> None:
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
    _cluster_flags(parser, default)
    parser.add_argument("-v", "--verbose", action="count", default=default(0))
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="no progress on stderr (it is shown only on a terminal, and never in CI)",
    )


def _cluster_flags(parser: argparse.ArgumentParser, default: Callable[[Any], Any]) -> None:
    """kubectl's own flags, spelled and defaulted as kubectl does, plus driftui's fidelity."""
    live = parser.add_argument_group("cluster")
    live.add_argument("--kubeconfig", default=default(None))
    live.add_argument(
        "--context",
        action="append",
        default=default(None),
        metavar="NAME[,NAME...]",
        help="kubeconfig context; repeat it or separate names with commas to scan several"
        " clusters at once (diff, report, snapshot)",
    )
    live.add_argument(
        "--all-contexts",
        action="store_true",
        default=default(False),
        help="scan every context of the kubeconfig (or every cluster of a --live snapshot)",
    )
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
    live.add_argument(
        "--concurrency",
        type=_positive_int,
        default=default(DEFAULT_CONCURRENCY),
        metavar="N",
        help="server-side dry-runs in flight at once, for drifted objects"
        f" (default {DEFAULT_CONCURRENCY})",
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number: {text!r}")
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


def options_from(args: argparse.Namespace) -> ScanOptions:
    # As in git: inside a work tree, the current directory is the default scope.
    path = args.path if args.path is not None else cwd_prefix(args.repo)
    return ScanOptions(
        repo=args.repo,
        ref=args.ref,
        path=path,
        path_from_cwd=args.path is None and path != "",
        kubeconfig=args.kubeconfig,
        context=args.context if isinstance(args.context, str) else None,
        namespace=args.namespace,
        live_snapshot=args.live,
        read_only=args.read_only,
        server_side=args.server_side,
        config_path=args.config,
        fetch=not args.no_fetch,
        fail_on_stale=args.fail_on_stale,
        request_timeout=args.request_timeout,
        concurrency=args.concurrency,
        render=render_policy(args),
    )


def context_list(values: list[str] | str | None) -> list[str]:
    """``--context a,b --context c`` as ``[a, b, c]``: commas split, blanks and repeats dropped."""
    if values is None:
        return []
    names = [values] if isinstance(values, str) else values
    out: list[str] = []
    for value in names:
        for name in (part.strip() for part in value.split(",")):
            if name and name not in out:
                out.append(name)
    return out
