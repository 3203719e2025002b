"""Markdown for a pull-request comment: a summary, then one collapsed section per object.

GitHub refuses comments over 65,536 characters, so the whole report is kept under
``MAX_CHARS``: long values are shortened, and objects that do not fit are counted in a
closing "N more objects not shown" line rather than cut off mid-table. Untrusted text is
escaped for Markdown's inline syntax and for HTML, so ``<details>`` stays ours alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from driftui.model import AppScanInfo, DriftResult, ScanReport
from driftui.report.apps import app_sources, by_app
from driftui.report.health import health_counts, health_label, is_degraded
from driftui.report.text import as_text, needs_care
from driftui.safe_text import safe

MAX_CHARS = 65_000
MAX_VALUE = 200  # characters of one value shown in a table cell
LIST_CHARS = MAX_CHARS // 4  # for the problems, the warnings, and the table of apps or clusters

# Backslash-escapes for the punctuation that means something inline (CommonMark allows a
# backslash before any ASCII punctuation; GFM tables need ``\|``, GitHub math ``\$``).
# HTML's three characters become entities, so ``<b>`` is shown, never interpreted.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!~$])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_HTML = re.compile(r"[&<>]")


def md(value: Any, limit: int | None = None) -> str:
    """Untrusted text for one line of Markdown (a table cell, a list item, a sentence)."""
    text = as_text(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    text = safe(text.replace("\n", "⏎"))
    text = _MD_HTML.sub(lambda m: _MD_ENTITIES[m.group()], text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def _header(report: ScanReport) -> list[str]:
    counts = report.counts()
    src = report.source
    where = report.live.snapshot or report.live.context or report.live.server
    source = (
        f"{len(report.apps)} apps, each from its own source,"
        if report.apps
        else f"Source {md(src.repo, MAX_VALUE)} at {md(src.ref, MAX_VALUE)} ({md(src.commit[:12])})"
        + (f", path {md(src.path, MAX_VALUE)}" if src.path else "")
        + (" (the current directory)" if src.path_from_cwd else "")
    )
    return [
        "## driftui drift report",
        "",
        source
        + f" against {md(where, MAX_VALUE)} ({md(report.fidelity_text(), MAX_VALUE)} fidelity).",
        "",
        "| in sync | drifted | missing | extra | error | ignored fields |",
        "|---|---|---|---|---|---|",
        f"| {counts['in_sync']} | {counts['drifted']} | {counts['missing']} | {counts['extra']}"
        f" | {counts['error']} | {report.ignored} |",
        "",
        "Health: "
        + ", ".join(f"{n} {state}" for state, n in health_counts(report).items() if n)
        + ".",
    ]


def object_section(r: DriftResult) -> str:
    """One object, collapsed: its name and verdict in the summary, its fields inside."""
    where = f" ({_where(r)})" if r.source_file else ""
    health = f" · ♥ {r.health.status}" if r.health is not None else ""
    lines = [
        "",
        "<details>",
        f"<summary>{md(str(r.ref), MAX_VALUE)}: {r.status.value}{health}{where}</summary>",
        "",
    ]
    if r.reason:
        lines += [f"Reason: {md(r.reason, MAX_VALUE)}", ""]
    if r.health is not None:
        lines += [f"Health: {md(health_label(r), MAX_VALUE)}", ""]
    lines += _images(r)
    if r.differences:
        lines += ["| path | type | git | live | manager | when |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {md(d.dotted, MAX_VALUE)} | {d.type.value} | {md(d.git, MAX_VALUE)}"
            f" | {md(d.live, MAX_VALUE)} | {md(d.manager or '', MAX_VALUE)} | {md(d.time or '')} |"
            for d in r.differences
        ]
        lines.append("")
    lines.append("</details>")
    return "\n".join(lines)


def _where(r: DriftResult) -> str:
    """The object's file; a multi-source app's object also names the source it came from,
    since its file is in that source's repository, not in the app's first one."""
    src = r.origin
    file = md(r.source_file or "", MAX_VALUE)
    return f"{md(src.repo, MAX_VALUE)} @ {md(src.ref, MAX_VALUE)}: {file}" if src else file


def _images(r: DriftResult) -> list[str]:
    """Per container: the image Git names, the live spec's, and what its Pods run."""
    if not r.images:
        return []
    lines = ["| container | git | spec | running |", "|---|---|---|---|"]
    for c in r.images:
        running = (
            ", ".join(
                f"{run.image} ({run.pods} pod{'' if run.pods == 1 else 's'})" for run in c.running
            )
            or "-"
        )
        lines.append(
            f"| {md(c.container, MAX_VALUE)} | {md(c.git or '-', MAX_VALUE)}"
            f" | {md(c.spec or '-', MAX_VALUE)} | {md(running, MAX_VALUE)} |"
        )
    return [*lines, ""]


def listed(title: str, items: list[str]) -> list[str]:
    """A bounded list: the items that fit in ``LIST_CHARS``, and how many more there were."""
    if not items:
        return []
    lines, more = first_lines([f"- {md(item, MAX_VALUE * 2)}" for item in items])
    return ["", f"### {title}", "", *lines] + ([f"- … and {more} more"] if more else [])


def first_lines(lines: list[str]) -> tuple[list[str], int]:
    """The leading ``lines`` that fit in ``LIST_CHARS`` (with their newlines), and how many
    did not: a cluster with hundreds of apps must not push the objects out of the comment."""
    room = LIST_CHARS
    for index, line in enumerate(lines):
        if len(line) + 1 > room:
            return lines[:index], len(lines) - index
        room -= len(line) + 1
    return lines, 0


def table_rows(header: list[str], rows: list[str], noun: str) -> list[str]:
    """A table's ``header`` and the ``rows`` that fit, then a line counting the rest."""
    kept, more = first_lines(rows)
    if not more:
        return [*header, *kept]
    return [*header, *kept, "", f"… and {more} more {noun} (the JSON report has them all)."]


def omitted_line(count: int) -> str:
    noun = "object" if count == 1 else "objects"
    return (
        f"\n**{count} more {noun} not shown** (the comment limit is {MAX_CHARS:,} characters;"
        " `driftui report --format json` has them all)."
    )


def to_markdown(report: ScanReport) -> str:
    """For pull-request comments: a summary, one collapsed section per object that needs care,
    problems and warnings; never more than ``MAX_CHARS`` characters in all. A scan of apps
    has a table of apps, then each app's objects under its own heading."""
    head = "\n".join(_header(report) + _apps_table(report))
    tail = "\n".join(
        listed("Problems", [f"problem: {p}" for p in report.problems])
        + listed("Warnings", list(report.warnings))
    )
    groups = [(_app_heading(info), part.results) for info, part in by_app(report)]
    groups = groups or [("", report.results)]
    return fitted(head, groups, tail, _shown)


def fitted(
    head: str,
    groups: Sequence[tuple[str, Sequence[DriftResult]]],
    tail: str,
    wanted: Callable[[DriftResult], bool],
) -> str:
    """``head``, each group's heading ("" for none) and its ``wanted`` objects' sections,
    and ``tail``, within ``MAX_CHARS``: what does not fit is counted in one "not shown"
    line, whose worst case is kept free from the start."""
    total = sum(1 for _, results in groups for r in results if wanted(r))
    # Each section is charged its own newline below; the rest of the join is three more:
    # the newlines before "not shown" and before ``tail``, and the final one.
    room = MAX_CHARS - len(head) - len(tail) - len(omitted_line(total)) - 3
    shown: list[str] = []
    count = 0
    for heading, results in groups:
        if heading:
            if len(heading) + 1 > room:
                break
            shown.append(heading)
            room -= len(heading) + 1
        for r in results:
            if not wanted(r):
                continue
            text = object_section(r)
            if len(text) + 1 > room:
                break
            shown.append(text)
            room -= len(text) + 1
            count += 1
    more = omitted_line(total - count) if count < total else ""
    return "\n".join(p for p in [head, *shown, more, tail] if p) + "\n"


def _shown(r: DriftResult) -> bool:
    return needs_care(r) or is_degraded(r)


def _apps_table(report: ScanReport) -> list[str]:
    """One row per app of a scan of apps: its sources (a multi-source app's one a line) and
    counts, or why it was not scanned."""
    if not report.apps:
        return []
    header = [
        "",
        "| app | source | in sync | drifted | missing | extra | error |",
        "|---|---|---|---|---|---|---|",
    ]
    lines = []
    for info, part in by_app(report):
        n = part.counts()
        sources = [f"{s.repo} {s.path or '.'} @ {s.commit[:12]}" for s in app_sources(info)]
        where = "<br>".join(md(s, MAX_VALUE) for s in sources) or md(info.problem, MAX_VALUE)
        counts = " | ".join(str(n[k]) for k in ("in_sync", "drifted", "missing", "extra", "error"))
        lines.append(f"| {md(str(info.app), MAX_VALUE)} | {where} | {counts} |")
    return table_rows(header, lines, "apps")


def _app_heading(info: AppScanInfo) -> str:
    app = info.app
    heading = f"\n### {md(app.kind, MAX_VALUE)} {md(f'{app.namespace}/{app.name}', MAX_VALUE)}\n"
    if info.problem:
        heading += f"\nNot scanned: {md(info.problem, MAX_VALUE * 2)}\n"
    return heading
