"""``driftui diff``, ``report`` and ``snapshot``: a scan, written for a person or a machine."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import IO, Any

from driftui.cli.app_scans import add_app_flags
from driftui.cli.colour import WHEN_CHOICES, paint, paint_line, use_colour
from driftui.cli.exits import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from driftui.cli.flags import AddCommon, add_command
from driftui.cli.progress_display import scan as scan_with_progress
from driftui.cli.selectors import add_health_flag, by_health
from driftui.compare.textdiff import DiffLine, live_view, render_yaml, unified
from driftui.config import load_config
from driftui.engine import Scanner
from driftui.engine.live_side import to_snapshot
from driftui.errors import UsageError
from driftui.files import write_atomic
from driftui.gate import MutationGate
from driftui.history import HistoryEntry, field_blame
from driftui.live.snapshot import Snapshot, read_snapshot, write_snapshot
from driftui.live.snapshot_key import load_key
from driftui.model import AppRef, Difference, DiffType, DriftResult, ScanReport, Status
from driftui.model import Path as Path_
from driftui.report import FIELD_LINE_FORMATS, FORMATS, to_github, to_junit, to_sarif
from driftui.report.health import is_degraded
from driftui.safe_text import safe, safe_line, safe_value
from driftui.source.field_lines import blob_reader, with_field_lines
from driftui.versions import compare_audits, field_line


def add_parsers(sub: Any, add_common: AddCommon) -> None:

    tui = add_command(sub, add_common, "tui", "open the drift explorer (the default)")
    add_app_flags(tui)
    diff = add_command(
        sub, add_common, "diff", "print a unified diff per drifted, missing or extra object"
    )
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
    add_app_flags(diff)
    diff.add_argument(
        "--since",
        metavar="OLD_SNAPSHOT",
        help="with --live NEW_SNAPSHOT: what changed in the cluster between two audits",
    )
    add_health_flag(diff)
    report = add_command(
        sub, add_common, "report", "write a report (json, markdown, junit, github, sarif)"
    )
    report.add_argument("--format", choices=sorted(FORMATS), default="json")
    add_health_flag(report)
    report.add_argument(
        "--fail-on-health",
        action="store_true",
        help=(
            "a Degraded object fails too (exit 1): a JUnit failure, a github warning annotation,"
            " a sarif warning; without it Degraded objects are still shown (JUnit stdout,"
            " a github notice, a sarif note) but do not fail"
        ),
    )
    report.add_argument("-o", "--output", help="file to write (default stdout)")
    add_app_flags(report)
    snap = add_command(
        sub, add_common, "snapshot", "write the live state of the source's objects, secrets hashed"
    )
    snap.add_argument("-o", "--output", required=True, help="snapshot file")
    add_app_flags(snap)


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
    """Every piece of text is made safe before it is painted: only our colours are raw.
    A scan of apps heads each app's objects with the app's name."""
    app: AppRef | None = None
    for r in report.results:
        if r.status not in (Status.DRIFTED, Status.MISSING, Status.EXTRA):
            continue
        if r.app is not None and r.app != app:
            app, title = r.app, safe(f"### {r.app}")
            out.write((paint(title, "header") if colour else title) + "\n")
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


def write_output(text: str, output: str | None) -> None:
    if output:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def git_blame(scanner: Scanner) -> Blame:
    """Field blame from the object's own history: who last set each value Git has now, in
    the repository and path of the source (or app) that declared it."""
    renderers: dict[int, Any] = {}

    def blame(result: DriftResult) -> dict[Path_, HistoryEntry]:
        source = scanner.scanner_for(result.app)
        opts = source.options
        renderer = renderers.setdefault(id(source), source.renderer())
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
    report = _scan(scanner, args)
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


def _scan(scanner: Scanner, args: argparse.Namespace) -> ScanReport:
    """The scan of --repo, or of the apps --app / --all-apps name (each from its own
    source), narrowed to the health states ``--health`` names."""
    report = scan_with_progress(scanner, args)
    if getattr(args, "health", None):
        report = replace(report, results=by_health(report.results, args.health))
    return report


HEALTH_FORMATS: dict[str, Callable[..., str]] = {
    "junit": to_junit,
    "github": to_github,
    "sarif": to_sarif,
}
"""The formats where ``--fail-on-health`` turns a Degraded object from shown into failing."""


def run_report(scanner: Scanner, args: argparse.Namespace) -> int:
    report = _scan(scanner, args)
    warn_about(report)
    if args.format in FIELD_LINE_FORMATS:  # read Git's manifests again only for lines shown
        # each object's lines are in the repository of its own source (its app's, or --repo)
        repos = dict.fromkeys(s.options.repo for _, s in scanner.scanners())
        report = with_field_lines(report, blob_reader(*repos))
    if args.format in HEALTH_FORMATS:
        text = HEALTH_FORMATS[args.format](report, fail_on_health=args.fail_on_health)
    else:
        text = FORMATS[args.format](report)
    write_output(text, args.output)
    status = exit_status(report)
    if status == EXIT_OK and args.fail_on_health and any(map(is_degraded, report.results)):
        return EXIT_DRIFT
    return status


def run_snapshot(scanner: Scanner, args: argparse.Namespace) -> int:
    if args.live:
        raise UsageError("snapshot reads the cluster; it cannot take --live")
    key = load_key(create=True)
    assert key is not None  # create=True makes one when there is none
    scanner.mask_key = key.secret
    report = scan_with_progress(scanner, args)
    warn_about(report)
    snapshot = snapshot_of(scanner, report, key.id)
    write_snapshot(snapshot, args.output)
    print(
        f"wrote {len(snapshot.objects)} objects to {args.output}"
        f" (Secrets masked with snapshot key {key.id} from {key.origin})",
        file=sys.stderr,
    )
    return EXIT_ERROR if report.problems else EXIT_OK


def snapshot_of(scanner: Scanner, report: ScanReport, key_id: str) -> Snapshot:
    """What a scan read, as a snapshot: live objects, kinds forbidden, the cluster's version."""
    forbidden = {
        f"{r.ref.group}/{r.ref.kind}": r.reason
        for r in report.results
        if r.status is Status.ERROR and r.reason.startswith("forbidden")
    }
    cluster = scanner.capabilities()  # charts render for this cluster offline, too
    return Snapshot(
        key_id=key_id,
        objects=[r.live for r in report.results if r.live is not None],
        context=report.live.context,
        server=report.live.server,
        forbidden=forbidden,
        kube_version=cluster.kube_version,
        api_versions=list(cluster.api_versions),
        **to_snapshot(scanner.workload_pods),  # health and images offline, too
    )


Command = Callable[[Scanner, argparse.Namespace, MutationGate], int]

ONE_SHOT = frozenset({"diff", "report"})
"""Commands that show each verdict once and no live body of an object in sync: their scan
may judge part of its objects in a forked copy (engine.judging_apart). Not a snapshot,
which keeps every live body."""

COMMANDS: dict[str, Command] = {
    "diff": lambda scanner, args, _: run_diff(scanner, args),
    "report": lambda scanner, args, _: run_report(scanner, args),
    "snapshot": lambda scanner, args, _: run_snapshot(scanner, args),
}
