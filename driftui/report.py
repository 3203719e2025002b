"""Machine- and human-readable reports of one scan: JSON (stable, v1), Markdown, JUnit XML.

Values in reports are the masked ones from the engine: a Secret's plaintext never reaches
this module.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from driftui.model import Difference, DriftResult, ScanReport, Status

REPORT_VERSION = 1


def _difference(d: Difference) -> dict[str, Any]:
    return {
        "path": d.dotted,
        "type": d.type.value,
        "git": d.git,
        "live": d.live,
        "manager": d.manager,
        "time": d.time,
    }


def _object(r: DriftResult) -> dict[str, Any]:
    return {
        "apiVersion": r.api_version,
        "kind": r.ref.kind,
        "namespace": r.ref.namespace,
        "name": r.ref.name,
        "status": r.status.value,
        "reason": r.reason,
        "source_file": r.source_file,
        "fidelity": r.fidelity.value,
        "owner": str(r.owner) if r.owner else None,
        "ignored": r.ignored,
        "differences": [_difference(d) for d in r.differences],
    }


def to_dict(report: ScanReport) -> dict[str, Any]:
    live: dict[str, Any] = (
        {"snapshot": report.live.snapshot}
        if report.live.snapshot
        else {"context": report.live.context, "server": report.live.server}
    )
    return {
        "version": REPORT_VERSION,
        "source": {
            "repo": report.source.repo,
            "ref": report.source.ref,
            "commit": report.source.commit,
            "path": report.source.path,
            # true when --path was not given and the current directory chose it (as in git)
            "path_from_cwd": report.source.path_from_cwd,
        },
        "live": live,
        "fidelity": report.fidelity.value,
        # what was used: "client-side for 3 (no patch permission)" when not every object was
        "fidelity_detail": report.fidelity_text(),
        "summary": {**report.counts(), "ignored": report.ignored},
        "problems": [
            {"path": p.path, "line": p.line, "message": p.message} for p in report.problems
        ],
        "objects": [_object(r) for r in report.results],
    }


def to_json(report: ScanReport) -> str:
    return json.dumps(to_dict(report), indent=2, sort_keys=False, default=str) + "\n"


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: ScanReport) -> str:
    """For pull-request comments: a summary line, then one section per object that needs care."""
    counts = report.counts()
    src = report.source
    where = report.live.snapshot or report.live.context or report.live.server
    lines = [
        "## driftui drift report",
        "",
        f"Source `{src.repo}` at `{src.ref}` (`{src.commit[:12]}`)"
        + (f", path `{src.path}`" if src.path else "")
        + (" (the current directory)" if src.path_from_cwd else "")
        + f" against `{where}` ({report.fidelity_text()} fidelity).",
        "",
        "| in sync | drifted | missing | extra | error | ignored fields |",
        "|---|---|---|---|---|---|",
        f"| {counts['in_sync']} | {counts['drifted']} | {counts['missing']} | {counts['extra']}"
        f" | {counts['error']} | {report.ignored} |",
    ]
    for r in report.results:
        if r.status is Status.IN_SYNC:
            continue
        lines += ["", f"### `{r.ref}`: {r.status.value}"]
        if r.reason:
            lines.append(f"{r.reason}")
        if r.differences:
            lines += [
                "",
                "| path | type | git | live | manager | when |",
                "|---|---|---|---|---|---|",
            ]
            lines += [
                f"| `{_cell(d.dotted)}` | {d.type.value} | {_cell(d.git)} | {_cell(d.live)}"
                f" | {d.manager or ''} | {d.time or ''} |"
                for d in r.differences
            ]
    for p in report.problems:
        lines.append(f"- problem: `{p}`")
    return "\n".join(lines) + "\n"


def to_junit(report: ScanReport) -> str:
    """One test case per object; drift is a failure, an error status is an error."""
    cases = []
    failures = errors = 0
    for r in report.results:
        name = quoteattr(str(r.ref))
        classname = quoteattr(r.source_file or r.ref.group_kind)
        body = ""
        if r.status is Status.ERROR:
            errors += 1
            body = f"<error message={quoteattr(r.reason)}/>"
        elif r.status is not Status.IN_SYNC:
            failures += 1
            detail = "\n".join(
                f"{d.type.value} {d.dotted}: git={_cell(d.git)} live={_cell(d.live)}"
                f" ({d.manager or 'unknown'})"
                for d in r.differences
            )
            body = f"<failure message={quoteattr(r.status.value)}>{escape(detail)}</failure>"
        cases.append(f"  <testcase name={name} classname={classname}>{body}</testcase>")
    header = (
        f'<testsuite name="driftui" tests="{len(report.results)}" failures="{failures}"'
        f' errors="{errors}">'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + "\n".join([header, *cases, "</testsuite>"])
        + "\n"
    )


FORMATS = {"json": to_json, "markdown": to_markdown, "junit": to_junit}
