"""Reports of one repository judged against several clusters, grouped by cluster.

JSON keeps the single-cluster report's fields and adds ``clusters`` (one entry per
cluster: where, its summary, or its error) and ``cluster: {context, server}`` on every
object. Markdown has a table of clusters, then each cluster's objects under its own
heading; JUnit has one ``<testsuite>`` per cluster. A cluster that could not be read is a
row, a heading or a suite with its error, never left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from driftui.model import ClusterScan, ClustersReport, Status
from driftui.report.json import REPORT_VERSION, to_dict
from driftui.report.junit import error_suite, suite
from driftui.report.markdown import MAX_VALUE, fitted, listed, md, table_rows
from driftui.report.text import needs_care
from driftui.runtime.json_text import indented_json


def _where(c: ClusterScan) -> dict[str, str]:
    return {"context": c.context, "server": c.server}


def _cluster_entry(c: ClusterScan) -> dict[str, Any]:
    if c.report is None:
        return {**_where(c), "error": c.error, "summary": None}
    d = to_dict(c.report)
    entry: dict[str, Any] = {**_where(c), "error": c.error or None}
    if c.report.live.snapshot:
        entry["snapshot"] = c.report.live.snapshot
    for key in ("fidelity", "fidelity_detail", "summary", "problems", "warnings"):
        entry[key] = d[key]
    return entry


def clusters_to_dict(report: ClustersReport) -> dict[str, Any]:
    src = report.source
    total = {s.value: 0 for s in Status}
    objects: list[dict[str, Any]] = []
    for c in report.clusters:
        if c.report is None:
            continue
        for key, count in c.report.counts().items():
            total[key] += count
        objects += [{**o, "cluster": _where(c)} for o in to_dict(c.report)["objects"]]
    return {
        "version": REPORT_VERSION,
        "source": {
            "repo": src.repo,
            "ref": src.ref,
            "commit": src.commit,
            "path": src.path,
            "stale": src.stale,
            "fetched": src.fetched or None,
            "path_from_cwd": src.path_from_cwd,
        },
        "clusters": [_cluster_entry(c) for c in report.clusters],
        "summary": {**total, "clusters": len(report.clusters), "cluster_errors": _errored(report)},
        "objects": objects,
    }


def _errored(report: ClustersReport) -> int:
    return sum(1 for c in report.clusters if c.error)


def clusters_to_json(report: ClustersReport) -> str:
    return indented_json(clusters_to_dict(report), default=str) + "\n"


def _table(report: ClustersReport) -> list[str]:
    header = [
        "| cluster | server | in sync | drifted | missing | extra | error | cluster error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines = []
    for c in report.clusters:
        n = c.report.counts() if c.report else {}
        counts = " | ".join(
            str(n[k]) if c.report else "-"
            for k in ("in_sync", "drifted", "missing", "extra", "error")
        )
        lines.append(
            f"| {md(c.context, MAX_VALUE)} | {md(c.server, MAX_VALUE)} | {counts}"
            f" | {md(c.error, MAX_VALUE)} |"
        )
    return table_rows(header, lines, "clusters")


def clusters_to_markdown(report: ClustersReport) -> str:
    """A table of clusters, then each cluster's objects that need care under its heading;
    never more than ``MAX_CHARS`` characters in all, as the single-cluster report."""
    src = report.source
    head = "\n".join(
        [
            "## driftui drift report",
            "",
            f"Source {md(src.repo, MAX_VALUE)} at {md(src.ref, MAX_VALUE)} ({md(src.commit[:12])})"
            + (f", path {md(src.path, MAX_VALUE)}" if src.path else "")
            + f" against {len(report.clusters)} clusters.",
            "",
            *_table(report),
        ]
    )
    problems = [f"{c.context}: {p}" for c in report.clusters if c.report for p in c.report.problems]
    warnings = [f"{c.context}: {w}" for c in report.clusters if c.report for w in c.report.warnings]
    tail = "\n".join(listed("Problems", problems) + listed("Warnings", warnings))
    groups = [(_cluster_heading(c), c.report.results if c.report else []) for c in report.clusters]
    return fitted(head, groups, tail, needs_care)


def _cluster_heading(c: ClusterScan) -> str:
    heading = f"\n### Cluster {md(c.context, MAX_VALUE)}\n"
    if c.error:
        heading += f"\nCluster error: {md(c.error, MAX_VALUE * 2)}\n"
    return heading


def clusters_to_junit(report: ClustersReport) -> str:
    """One ``<testsuite>`` per cluster, named after its context."""
    lines = ["<testsuites>"]
    for c in report.clusters:
        name = f"driftui {c.context}"
        lines += suite(c.report, name) if c.report else error_suite(name, c.context, c.error)
    lines.append("</testsuites>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines) + "\n"


CLUSTER_FORMATS: dict[str, Callable[[ClustersReport], str]] = {
    "json": clusters_to_json,
    "markdown": clusters_to_markdown,
    "junit": clusters_to_junit,
}
