"""Each report format escapes untrusted text by its own rules, and every format names every
problem. (The same, end to end through the CLI, is in tests/cli/test_hostile_text.py.)"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from driftui.model import (
    Difference,
    DiffType,
    DriftResult,
    Fidelity,
    LiveInfo,
    LoadProblem,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.report import md, to_json, to_junit, to_markdown

ESC_VALUE = "a|b <b>bold</b> \x1b]0;pwned\x07 \u202eevil \x00\ufffe"


def _report(value: str, name: str = "web") -> ScanReport:
    ref = ObjectRef("", "ConfigMap", "prod", name)
    drifted = DriftResult(
        ref,
        "v1",
        Status.DRIFTED,
        Fidelity.CLIENT_SIDE,
        differences=(
            Difference(("data", "k"), DiffType.CHANGED, git="plain", live=value, manager=value),
        ),
    )
    broken = DriftResult(
        ObjectRef("", "ConfigMap", "prod", "odd"),
        "v1",
        Status.ERROR,
        Fidelity.CLIENT_SIDE,
        reason=f"forbidden: {value}",
    )
    return ScanReport(
        SourceInfo("repo", "main", "0" * 40, ""),
        LiveInfo(context="kind"),
        Fidelity.CLIENT_SIDE,
        results=[drifted, broken],
        problems=[LoadProblem("bad\x1b[2J.yaml", "mapping values are not allowed here", 4)],
    )


def test_junit_is_valid_xml_names_every_problem_and_uses_no_markdown_escapes() -> None:
    text = to_junit(_report(ESC_VALUE))
    suite = ET.fromstring(text.encode())
    assert suite.get("errors") == "2" and suite.get("failures") == "1"
    assert suite.get("tests") == str(len(suite.findall("testcase")))
    problem = next(c for c in suite if c.get("classname") == "driftui.problems")
    assert problem.get("name") == "bad^[[2J.yaml:4"
    error = problem.find("error")
    assert error is not None and error.get("message") == "mapping values are not allowed here"
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.text is not None
    assert "a|b <b>bold</b> ^[]0;pwned^G \\u202eevil ^@" in failure.text
    assert "a\\|b" not in text and "\x1b" not in text and "\u202e" not in text


@given(st.text())
def test_junit_parses_whatever_a_value_holds(value: str) -> None:
    ET.fromstring(to_junit(_report(value, name=value)).encode())


def test_markdown_escapes_its_syntax_and_html_and_lists_problems() -> None:
    text = to_markdown(_report(ESC_VALUE))
    assert "<b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "a\\|b" in text  # a pipe must not split the table cell
    assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
    assert "- problem: bad^\\[\\[2J.yaml:4: mapping values are not allowed here" in text
    assert "Reason: forbidden: a\\|b" in text


def test_markdown_inline_syntax_is_shown_not_applied() -> None:
    assert md("[x](javascript:alert) *a* `c` # h $m$ ~s~ !i") == (
        "\\[x\\](javascript:alert) \\*a\\* \\`c\\` \\# h \\$m\\$ \\~s\\~ \\!i"
    )


def test_json_stays_json_and_keeps_the_value_exactly() -> None:
    text = to_json(_report(ESC_VALUE))
    assert "\x1b" not in text and "\u202e" not in text
    doc = json.loads(text)
    assert doc["objects"][0]["differences"][0]["live"] == ESC_VALUE
    assert doc["problems"][0]["path"] == "bad\x1b[2J.yaml"


def test_junit_counts_a_broken_file_as_an_error_and_names_it() -> None:
    report = _report("plain")
    report.results = []
    suite = ET.fromstring(to_junit(report).encode())
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "bad^[[2J.yaml:4" and case.find("error") is not None
