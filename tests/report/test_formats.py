"""The pull-request formats: Markdown within GitHub's comment limit, GitHub Actions
annotations escaped by the runner's rules, and SARIF 2.1.0 findings on manifest lines.
(End to end through the CLI, against the real control plane: tests/report/test_ci_formats.py.)"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from hypothesis import example, given, settings
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
from driftui.report import FIELD_LINE_FORMATS, FORMATS, to_github, to_markdown, to_sarif
from driftui.report.github import escape_data, escape_property
from driftui.report.markdown import MAX_CHARS


def drifted(
    name: str, value: str = "live", *, file: str = "apps/web.yaml", line: int = 3
) -> DriftResult:
    return DriftResult(
        ObjectRef("", "ConfigMap", "prod", name),
        "v1",
        Status.DRIFTED,
        Fidelity.CLIENT_SIDE,
        source_file=file,
        source_line=line,
        differences=(
            Difference(("data", "k"), DiffType.CHANGED, git="git", live=value, manager="kubectl"),
        ),
    )


def report_of(*results: DriftResult, problems: list[LoadProblem] | None = None) -> ScanReport:
    return ScanReport(
        SourceInfo("https://git.example.com/ops.git", "main", "0" * 40, ""),
        LiveInfo(context="kind"),
        Fidelity.CLIENT_SIDE,
        results=list(results),
        problems=problems or [],
    )


def test_markdown_collapses_each_object_and_stays_under_the_comment_limit() -> None:
    big = "x" * 5_000  # shortened in the table, so about 600 characters per object
    results = [drifted(f"cm-{i:04d}", big) for i in range(400)]
    text = to_markdown(report_of(*results))
    assert len(text) <= MAX_CHARS
    shown = text.count("<details>")
    assert 0 < shown < 400 and text.count("</details>") == shown
    assert f"**{400 - shown} more objects not shown**" in text
    assert "<summary>prod/ConfigMap/cm-0000: drifted (apps/web.yaml)</summary>" in text


def test_markdown_that_fits_shows_everything_and_says_nothing_is_missing() -> None:
    text = to_markdown(report_of(drifted("a"), drifted("b")))
    assert text.count("<details>") == 2 and "not shown" not in text


@settings(max_examples=40)
@given(
    st.lists(st.text(min_size=0, max_size=3000), min_size=1, max_size=60),
    st.lists(st.text(max_size=3000), max_size=300),
)
@example(  # CI found it: the sections filled the room exactly, and the join added one more
    values=[
        *["", "", "", "", "", "0", "0", "0", "*", "\x1a", "\x80", "00", "0\x80", "0\x80"],
        *["00\x80", "000\x80", "000\x80", "0000\x80", "00000&", "00000\x80", "0000000"],
        *["00000$\x1e", "00000\x1a\x1a\x1a\x80", "00000000\x1e\x1a\x80", "000000000$\x1f\x1a"],
        *["", "000", "000000"],
    ],
    problems=["", "00000000000"],
)
def test_markdown_never_exceeds_the_limit_whatever_the_text(
    values: list[str], problems: list[str]
) -> None:
    results = [drifted(v[:300] or "n", v) for v in values * 20]
    loads = [LoadProblem(p, p, 1) for p in problems]
    report = report_of(*results, problems=loads)
    report.warnings.extend(problems)
    text = to_markdown(report)
    assert len(text) <= MAX_CHARS
    assert text.count("<details>") == text.count("</details>")


def test_github_annotations_point_at_the_manifest_line_and_escape_by_the_runners_rules() -> None:
    evil = drifted("a,b:c%d", "line1\nline2", file="apps/we,ird:name%.yaml", line=12)
    problem = LoadProblem("apps/bad.yaml", "mapping values\r\nnot allowed", 7)
    extra = DriftResult(
        ObjectRef("", "ConfigMap", "prod", "stray"), "v1", Status.EXTRA, Fidelity.CLIENT_SIDE
    )
    lines = to_github(report_of(evil, extra, problems=[problem])).splitlines()
    assert lines[0] == (
        "::warning file=apps/we%2Cird%3Aname%25.yaml,line=12,title=driftui%3A drifted"
        "::prod/ConfigMap/a,b:c%25d drifted: data.k (changed by kubectl)"
    )
    assert lines[1] == (
        "::warning title=driftui%3A extra"
        "::prod/ConfigMap/stray is in the cluster but not declared in Git"
    )
    assert lines[2] == (
        "::error file=apps/bad.yaml,line=7,title=driftui%3A cannot load"
        "::mapping values^M%0Anot allowed"
    )
    assert lines[-1].startswith("::notice title=driftui summary::driftui: 0 in sync, 1 drifted")
    assert all(line.startswith("::") for line in lines)  # nothing can start a second command


@given(st.text())
def test_github_escaping_leaves_no_separator_or_line_break(text: str) -> None:
    prop, data = escape_property(text), escape_data(text)
    assert not set(prop) & {":", ",", "\n", "\r"}
    assert not set(data) & {"\n", "\r"}
    assert re.sub("%(25|0D|0A|3A|2C)", "", prop).count("%") == 0


def test_a_rendered_object_points_at_its_directory_without_a_line() -> None:
    rendered = drifted("r", file="apps/guestbook", line=1)
    assert to_github(report_of(rendered)).startswith("::warning file=apps/guestbook,title=")
    sarif = json.loads(to_sarif(report_of(rendered)))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "apps/guestbook", "uriBaseId": "%SRCROOT%"}}


def test_sarif_is_2_1_0_with_rules_levels_and_regions() -> None:
    error = DriftResult(
        ObjectRef("apps", "Deployment", "prod", "web"),
        "apps/v1",
        Status.ERROR,
        Fidelity.CLIENT_SIDE,
        reason="forbidden: get",
        source_file="apps/deploy.yaml",
        source_line=20,
    )
    problem = LoadProblem("apps/bad.yaml", "YAML error", 4)
    doc = json.loads(to_sarif(report_of(drifted("a"), error, problems=[problem])))
    assert doc["version"] == "2.1.0"
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "driftui" and driver["version"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("driftui/drifted", "warning"),
        ("driftui/error", "error"),
        ("driftui/load-problem", "error"),
    ]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    regions = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    ]
    assert regions == [("apps/web.yaml", 3), ("apps/deploy.yaml", 20), ("apps/bad.yaml", 4)]
    assert results[1]["message"]["text"] == "prod/Deployment.apps/web: error: forbidden: get"


def test_every_format_is_registered_for_the_command_line() -> None:
    assert sorted(FORMATS) == ["github", "json", "junit", "markdown", "sarif"]


def test_only_the_formats_that_show_field_lines_are_given_them() -> None:
    """`report` reads Git's manifests again for the drifted fields' lines only for the
    formats in FIELD_LINE_FORMATS: every other format must print the same without them."""
    plain = drifted("web", line=3)
    located = replace(plain, differences=tuple(replace(d, line=7) for d in plain.differences))
    changes = {
        name: write(report_of(plain)) != write(report_of(located))
        for name, write in FORMATS.items()
    }
    assert {name for name, changed in changes.items() if changed} == FIELD_LINE_FORMATS


def test_an_annotation_names_ten_fields_and_counts_the_rest() -> None:
    many = tuple(Difference(("data", f"k{i:02d}"), DiffType.CHANGED) for i in range(25))
    result = DriftResult(
        ObjectRef("", "ConfigMap", "prod", "big"),
        "v1",
        Status.DRIFTED,
        Fidelity.CLIENT_SIDE,
        differences=many,
    )
    (line, _) = to_github(report_of(result)).splitlines()
    assert "data.k09 (changed)" in line and "data.k10" not in line
    assert line.endswith("and 15 more fields")
