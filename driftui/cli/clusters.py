"""``diff``, ``report`` and ``snapshot`` over several clusters: ``--context a,b``, ``--all-contexts``.

The repository is loaded once and each cluster read concurrently (:mod:`driftui.engine.clusters`).
A cluster that cannot be read is reported on its own line and the others are scanned. Exit
codes: 2 when any cluster errored, else 1 when any drifted, else 0. ``apps`` lists every
cluster's apps (:mod:`.cluster_apps`); the actions act on each cluster in turn
(:mod:`.cluster_actions`). Every other command acts on exactly one cluster and refuses
several, naming them.
"""

from __future__ import annotations

import argparse
import sys

from driftui.cli.cluster_actions import run_on_clusters
from driftui.cli.cluster_apps import run_apps_clusters
from driftui.cli.colour import use_colour
from driftui.cli.exits import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from driftui.cli.flags import context_list, options_from
from driftui.cli.scan import git_blame, snapshot_of, write_diff, write_output
from driftui.cli.sync import CLUSTER_WRITERS
from driftui.engine.clusters import ClusterRun, scan_clusters
from driftui.errors import UsageError
from driftui.live.contexts import context_names
from driftui.live.snapshot import snapshot_contexts, write_snapshots
from driftui.live.snapshot_key import load_key
from driftui.model import ClusterScan, ClustersReport
from driftui.report import CLUSTER_FORMATS
from driftui.safe_text import safe

MULTI_COMMANDS = ("diff", "report", "snapshot")


def resolve_contexts(args: argparse.Namespace, command: str) -> list[str]:
    """The clusters a run names: --context (repeated, comma-separated), --all-contexts (the
    kubeconfig's, or a --live snapshot's), or every cluster of a multi-cluster --live file."""
    named = context_list(args.context)
    if args.all_contexts:
        if named:
            raise UsageError("--all-contexts and --context both name clusters: give one of them")
        return snapshot_contexts(args.live) if args.live else context_names(args.kubeconfig)
    if not named and args.live and command in MULTI_COMMANDS and not getattr(args, "since", None):
        held = snapshot_contexts(args.live)
        return held if len(held) > 1 else []
    return named


def run_clusters(command: str, args: argparse.Namespace, contexts: list[str]) -> int:
    if command == "apps":
        return run_apps_clusters(args, contexts)
    if command in CLUSTER_WRITERS:
        return run_on_clusters(args, contexts)
    if command not in MULTI_COMMANDS:
        raise UsageError(
            f"{command} acts on exactly one cluster, and {len(contexts)} were named"
            f" ({', '.join(contexts)}): name one with --context"
        )
    if command == "snapshot":
        return _snapshot(args, contexts)
    if getattr(args, "app", None):
        raise UsageError("--app scans one cluster's apps: name one cluster with --context")
    if command == "diff" and getattr(args, "since", None):
        raise UsageError("--since compares two snapshots of one cluster: name one with --context")
    if command == "report" and args.format not in CLUSTER_FORMATS:
        raise UsageError(
            f"--format {args.format} reports one cluster; with several use"
            f" {', '.join(sorted(CLUSTER_FORMATS))}"
        )
    report, runs = scan_clusters(options_from(args), contexts, read_only=args.read_only)
    _say_cluster_problems(report)
    if command == "diff":
        _write_diffs(runs, args)
    else:  # none of these formats shows a field's line: Git is not read again for them
        write_output(CLUSTER_FORMATS[args.format](report), args.output)
    return clusters_exit_status(report)


def clusters_exit_status(report: ClustersReport) -> int:
    """2 if any cluster errored (or an object in it), else 1 if any drifted, else 0."""
    if report.has_errors:
        return EXIT_ERROR
    return EXIT_DRIFT if report.has_drift else EXIT_OK


def _say_cluster_problems(report: ClustersReport) -> None:
    """Each cluster's warnings on stderr, prefixed with its context, and each error."""
    for c in report.clusters:
        for warning in c.report.warnings if c.report else []:
            print(safe(f"warning: {c.context}: {warning}"), file=sys.stderr)
        if c.error:
            print(safe(f"error: cluster {c.context}: {c.error}"), file=sys.stderr)


def _heading(c: ClusterScan) -> str:
    where = f" ({c.server})" if c.server else ""
    if c.error or c.report is None:
        return safe(f"# cluster {c.context}{where}: error: {c.error}")
    counts = c.report.counts()
    told = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n)
    return safe(f"# cluster {c.context}{where}: {told or 'nothing declared'}")


def _write_diffs(runs: list[ClusterRun], args: argparse.Namespace) -> None:
    colour = use_colour(args.color, sys.stdout)
    for run in runs:
        sys.stdout.write(_heading(run.scan) + "\n")
        if run.scan.report is not None:
            blame = git_blame(run.scanner) if args.blame else None
            write_diff(run.scan.report, sys.stdout, colour, blame)


def _snapshot(args: argparse.Namespace, contexts: list[str]) -> int:
    """One file holding every cluster read, masked with one snapshot key."""
    if args.live:
        raise UsageError("snapshot reads the clusters; it cannot take --live")
    key = load_key(create=True)
    assert key is not None  # create=True makes one when there is none
    # spread=False: each cluster's Pods and version come from the scanner that read it
    report, runs = scan_clusters(
        options_from(args), contexts, read_only=args.read_only, mask_key=key.secret, spread=False
    )
    _say_cluster_problems(report)
    snaps = [
        snapshot_of(run.scanner, run.scan.report, key.id)
        for run in runs
        if run.scan.report is not None
    ]
    if not snaps:
        return EXIT_ERROR
    write_snapshots(snaps, args.output)
    print(
        f"wrote {sum(len(s.objects) for s in snaps)} objects of {len(snaps)} clusters to"
        f" {args.output} (Secrets masked with snapshot key {key.id} from {key.origin})",
        file=sys.stderr,
    )
    errored = any(c.error or (c.report and c.report.problems) for c in report.clusters)
    return EXIT_ERROR if errored else EXIT_OK
