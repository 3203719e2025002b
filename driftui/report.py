"""Machine- and human-readable reports of one scan: JSON (stable, v1), Markdown, JUnit XML.

Values in reports are the masked ones from the engine: a Secret's plaintext never reaches
this module. Names, values and messages are untrusted text, and each format escapes them
by its own rules: JSON by JSON's (``\u001b``), Markdown its syntax and HTML, JUnit by XML's,
dropping what XML 1.0 cannot hold. Every problem and error appears in every format.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from driftui.model import Difference, DriftResult, LoadProblem, ScanReport, Status
from driftui.safe_text import safe

REPORT_VERSION = 1


def _difference(d: Difference) -> dict[str, Any]:
    return {
        "path": d.dotted,
        "pointer": d.pointer,
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
            "stale": report.source.stale,
            "fetched": report.source.fetched or None,
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
        "warnings": list(report.warnings),
        "objects": [_object(r) for r in report.results],
    }


def to_json(report: ScanReport) -> str:
    return json.dumps(to_dict(report), indent=2, sort_keys=False, default=str) + "\n"


def _text(value: Any) -> str:
    """A value as one piece of text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


# -- Markdown ------------------------------------------------------------------------------

# Backslash-escapes for the punctuation that means something inline (CommonMark allows a
# backslash before any ASCII punctuation; GFM tables need ``\|``, GitHub math ``\$``).
# HTML's three characters become entities, so ``<b>`` is shown, never interpreted.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!~$])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_HTML = re.compile(r"[&<>]")


def md(value: Any) -> str:
    """Untrusted text for one line of Markdown (a table cell, a list item, a sentence)."""
    text = safe(_text(value).replace("\n", "⏎"))
    text = _MD_HTML.sub(lambda m: _MD_ENTITIES[m.group()], text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(report: ScanReport) -> str:
    """For pull-request comments: a summary line, then one section per object that needs care."""
    counts = report.counts()
    src = report.source
    where = report.live.snapshot or report.live.context or report.live.server
    lines = [
        "## driftui drift report",
        "",
        f"Source {md(src.repo)} at {md(src.ref)} ({md(src.commit[:12])})"
        + (f", path {md(src.path)}" if src.path else "")
        + (" (the current directory)" if src.path_from_cwd else "")
        + f" against {md(where)} ({md(report.fidelity_text())} fidelity).",
        "",
        "| in sync | drifted | missing | extra | error | ignored fields |",
        "|---|---|---|---|---|---|",
        f"| {counts['in_sync']} | {counts['drifted']} | {counts['missing']} | {counts['extra']}"
        f" | {counts['error']} | {report.ignored} |",
    ]
    for r in report.results:
        if r.status is Status.IN_SYNC:
            continue
        lines += ["", f"### {md(str(r.ref))}: {r.status.value}"]
        if r.reason:
            lines.append(f"Reason: {md(r.reason)}")
        if r.differences:
            lines += [
                "",
                "| path | type | git | live | manager | when |",
                "|---|---|---|---|---|---|",
            ]
            lines += [
                f"| {md(d.dotted)} | {d.type.value} | {md(d.git)} | {md(d.live)}"
                f" | {md(d.manager or '')} | {md(d.time or '')} |"
                for d in r.differences
            ]
    if report.problems:
        lines += ["", "### Problems", ""]
        lines += [f"- problem: {md(str(p))}" for p in report.problems]
    if report.warnings:
        lines += ["", "### Warnings", ""]
        lines += [f"- {md(w)}" for w in report.warnings]
    return "\n".join(lines) + "\n"


# -- JUnit XML -----------------------------------------------------------------------------

# What XML 1.0 cannot hold at all, even escaped (its Char production).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any, *, multiline: bool = True) -> str:
    """Untrusted text made safe for a terminal that shows the file, then for XML 1.0."""
    return _NOT_XML.sub("", safe(_text(value), multiline=multiline))


def _attr(value: Any) -> str:
    return quoteattr(xml_text(value, multiline=False))


def _problem_case(p: LoadProblem) -> str:
    """A file that could not be used: an error test case named after the file."""
    where = f"{p.path}:{p.line}" if p.line else p.path
    return (
        f'  <testcase name={_attr(where)} classname="driftui.problems">'
        f"<error message={_attr(p.message)}/></testcase>"
    )


def to_junit(report: ScanReport) -> str:
    """One test case per object; drift is a failure, an error status is an error."""
    cases = []
    failures = errors = 0
    for r in report.results:
        name = _attr(str(r.ref))
        classname = _attr(r.source_file or r.ref.group_kind)
        body = ""
        if r.status is Status.ERROR:
            errors += 1
            body = f"<error message={_attr(r.reason)}/>"
        elif r.status is not Status.IN_SYNC:
            failures += 1
            detail = "\n".join(
                f"{d.type.value} {d.dotted}: git={_text(d.git)} live={_text(d.live)}"
                f" ({d.manager or 'unknown'})"
                for d in r.differences
            )
            body = f"<failure message={_attr(r.status.value)}>{escape(xml_text(detail))}</failure>"
        cases.append(f"  <testcase name={name} classname={classname}>{body}</testcase>")
    cases += [_problem_case(p) for p in report.problems]
    errors += len(report.problems)
    header = (
        f'<testsuite name="driftui" tests="{len(cases)}" failures="{failures}" errors="{errors}">'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + "\n".join([header, _properties(report), *cases, *_system_err(report), "</testsuite>"])
        + "\n"
    )


def _properties(report: ScanReport) -> str:
    """Where the verdicts come from, including whether Git was fresh."""
    src = report.source
    pairs = {
        "driftui.source.repo": src.repo,
        "driftui.source.commit": src.commit,
        "driftui.source.stale": "true" if src.stale else "false",
        "driftui.source.fetched": src.fetched,
    }
    props = "".join(f"<property name={_attr(k)} value={_attr(v)}/>" for k, v in pairs.items())
    return f"  <properties>{props}</properties>"


def _system_err(report: ScanReport) -> list[str]:
    """Warnings (a stale source, kinds not read) as the suite's stderr, where CI shows them."""
    if not report.warnings:
        return []
    return [f"  <system-err>{escape(xml_text(chr(10).join(report.warnings)))}</system-err>"]


FORMATS = {"json": to_json, "markdown": to_markdown, "junit": to_junit}
