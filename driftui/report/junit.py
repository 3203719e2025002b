"""JUnit XML: one test case per object, for CI systems that show test results.

Escaping is XML's, and what XML 1.0 cannot hold at all is dropped.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from driftui.model import DriftResult, LoadProblem, ScanReport, Status
from driftui.report.apps import by_app
from driftui.report.health import health_label, is_degraded
from driftui.report.text import as_text
from driftui.safe_text import safe

# What XML 1.0 cannot hold at all, even escaped (its Char production).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any, *, multiline: bool = True) -> str:
    """Untrusted text made safe for a terminal that shows the file, then for XML 1.0."""
    return _NOT_XML.sub("", safe(as_text(value), multiline=multiline))


def _attr(value: Any) -> str:
    return quoteattr(xml_text(value, multiline=False))


def _problem_case(p: LoadProblem) -> str:
    """A file that could not be used: an error test case named after the file."""
    where = f"{p.path}:{p.line}" if p.line else p.path
    return (
        f'  <testcase name={_attr(where)} classname="driftui.problems">'
        f"<error message={_attr(p.message)}/></testcase>"
    )


def to_junit(report: ScanReport, *, fail_on_health: bool = False) -> str:
    """One test case per object; drift is a failure, an error status is an error, and with
    ``fail_on_health`` a Degraded object is a failure too. Health is always in the output.
    A scan of apps has one ``<testsuite>`` per app, named after it; an app that could not
    be scanned is a suite with its error."""
    if not report.apps:
        body = "\n".join(suite(report, "driftui", fail_on_health=fail_on_health))
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
    lines = ["<testsuites>"]
    for info, part in by_app(report):
        name = f"driftui {info.app}"
        if info.source is None:
            lines += error_suite(name, str(info.app), info.problem or "not scanned")
        else:
            lines += suite(part, name, fail_on_health=fail_on_health)
    lines.append("</testsuites>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines) + "\n"


def suite(report: ScanReport, name: str, *, fail_on_health: bool = False) -> list[str]:
    """One ``<testsuite>``: a report's objects, problems, properties and warnings."""
    cases = []
    failures = errors = 0
    for r in report.results:
        case_name = _attr(str(r.ref))
        classname = _attr(r.source_file or r.ref.group_kind)
        body = ""
        if r.status is Status.ERROR:
            errors += 1
            body = f"<error message={_attr(r.reason)}/>"
        elif r.status is not Status.IN_SYNC:
            failures += 1
            detail = "\n".join(
                f"{d.type.value} {d.dotted}: git={as_text(d.git)} live={as_text(d.live)}"
                f" ({d.manager or 'unknown'})"
                for d in r.differences
            )
            body = f"<failure message={_attr(r.status.value)}>{escape(xml_text(detail))}</failure>"
        elif fail_on_health and is_degraded(r):
            failures += 1
            body = f"<failure message={_attr('Degraded')}>{escape(xml_text(health_label(r)))}</failure>"
        body += _health_out(r)
        cases.append(f"  <testcase name={case_name} classname={classname}>{body}</testcase>")
    cases += [_problem_case(p) for p in report.problems]
    errors += len(report.problems)
    header = (
        f'<testsuite name={_attr(name)} tests="{len(cases)}" failures="{failures}"'
        f' errors="{errors}">'
    )
    return [header, _properties(report), *cases, *_system_err(report), "</testsuite>"]


def error_suite(name: str, case: str, message: str) -> list[str]:
    """A suite that could not run (a cluster that could not be read): one error case."""
    return [
        f'<testsuite name={_attr(name)} tests="1" failures="0" errors="1">',
        f'  <testcase name={_attr(case)} classname="driftui.clusters">'
        f"<error message={_attr(message)}/></testcase>",
        "</testsuite>",
    ]


def _health_out(r: DriftResult) -> str:
    """The object's health as the case's stdout, where CI shows it beside the verdict."""
    label = health_label(r)
    return f"<system-out>health: {escape(xml_text(label))}</system-out>" if label else ""


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
