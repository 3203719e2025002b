"""SARIF 2.1.0, so code-scanning dashboards show drift as findings on the manifest lines.

One rule per verdict (drifted, missing, extra, error) and one for files that could not be
loaded. Locations are relative to the repository root (``%SRCROOT%``), which is how
GitHub code scanning matches them to files. An object only the cluster has points at no file,
nor does one declared in another repository than the scanned one (its message names it).

Health sits beside drift: a Degraded object is a finding of its own rule,
``driftui/degraded``, whatever its drift verdict. Its level is ``note`` (listed, not an
alert); with ``--fail-on-health``, which makes it fail the run, it is a ``warning`` like drift.
"""

from __future__ import annotations

from typing import Any

from driftui import __version__
from driftui.model import DriftResult, LoadProblem, ScanReport
from driftui.report.health import health_label, is_degraded
from driftui.report.location import Location, Locator, of_problem
from driftui.report.text import needs_care, summary
from driftui.runtime.json_text import indented_json
from driftui.safe_text import safe

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
INFO_URI = "https://github.com/driftui/driftui"
SRCROOT = "%SRCROOT%"

# rule id -> (name, level, description)
RULES: dict[str, tuple[str, str, str]] = {
    "driftui/drifted": ("Drifted", "warning", "The live object differs from Git."),
    "driftui/missing": ("Missing", "warning", "Git declares an object the cluster lacks."),
    "driftui/extra": ("Extra", "warning", "The cluster has an object of this source Git lacks."),
    "driftui/error": ("Error", "error", "The object could not be compared."),
    "driftui/load-problem": ("LoadProblem", "error", "A file could not be loaded."),
    "driftui/degraded": ("Degraded", "note", "The live object runs but is not healthy."),
}


def _rule(rule_id: str) -> dict[str, Any]:
    name, level, text = RULES[rule_id]
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": text},
        "defaultConfiguration": {"level": level},
    }


def _location(where: Location | None) -> list[dict[str, Any]]:
    if where is None:
        return []
    physical: dict[str, Any] = {"artifactLocation": {"uri": where.path, "uriBaseId": SRCROOT}}
    if where.line:
        physical["region"] = {"startLine": where.line}
    return [{"physicalLocation": physical}]


def _finding(rule_id: str, message: str, where: Location | None, level: str = "") -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": list(RULES).index(rule_id),
        "level": level or RULES[rule_id][1],
        "message": {"text": safe(message, multiline=True)},
    }
    locations = _location(where)
    if locations:
        result["locations"] = locations
    return result


def _of_result(r: DriftResult, at: Locator) -> dict[str, Any]:
    finding = _finding(f"driftui/{r.status.value}", summary(r) + at.note(r), at.of_result(r))
    finding["partialFingerprints"] = {"driftuiObject/v1": str(r.ref)}
    return finding


def _of_degraded(r: DriftResult, fail_on_health: bool, at: Locator) -> dict[str, Any]:
    level = "warning" if fail_on_health else "note"
    message = f"{r.ref} is {health_label(r)}{at.note(r)}"
    finding = _finding("driftui/degraded", message, at.of_result(r), level)
    finding["partialFingerprints"] = {"driftuiObject/v1": str(r.ref)}
    return finding


def _of_problem(p: LoadProblem) -> dict[str, Any]:
    return _finding("driftui/load-problem", p.message, of_problem(p))


def to_sarif_dict(report: ScanReport, *, fail_on_health: bool = False) -> dict[str, Any]:
    at = Locator.of(report)
    results = [_of_result(r, at) for r in report.results if needs_care(r)]
    results += [_of_degraded(r, fail_on_health, at) for r in report.results if is_degraded(r)]
    results += [_of_problem(p) for p in report.problems]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "driftui",
                "version": __version__,
                "informationUri": INFO_URI,
                "rules": [_rule(rule_id) for rule_id in RULES],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "the Git repository's root"}}},
        "results": results,
    }
    if "://" in report.source.repo:  # a URI, as SARIF requires; a local path is not one
        run["versionControlProvenance"] = [
            {"repositoryUri": report.source.repo, "revisionId": report.source.commit}
        ]
    if report.warnings:
        run["invocations"] = [
            {
                "executionSuccessful": not report.problems,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": safe(w)}} for w in report.warnings
                ],
            }
        ]
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}


def to_sarif(report: ScanReport, *, fail_on_health: bool = False) -> str:
    return indented_json(to_sarif_dict(report, fail_on_health=fail_on_health)) + "\n"
