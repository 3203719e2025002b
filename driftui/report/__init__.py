"""Machine- and human-readable reports of one scan, one module per format: JSON (stable, v1),
Markdown for pull-request comments, JUnit XML, GitHub Actions annotations and SARIF 2.1.0.

Values in reports are the masked ones from the engine: a Secret's plaintext never reaches
this package. Names, values and messages are untrusted text, and each format escapes them
by its own rules. Every problem and error appears in every format.
"""

from __future__ import annotations

from collections.abc import Callable

from driftui.model import ScanReport
from driftui.report.clusters import CLUSTER_FORMATS, clusters_to_dict
from driftui.report.github import to_github
from driftui.report.json import REPORT_VERSION, to_dict, to_json
from driftui.report.junit import to_junit, xml_text
from driftui.report.markdown import md, to_markdown
from driftui.report.sarif import to_sarif

FORMATS: dict[str, Callable[[ScanReport], str]] = {
    "json": to_json,
    "markdown": to_markdown,
    "junit": to_junit,
    "github": to_github,
    "sarif": to_sarif,
}

FIELD_LINE_FORMATS = frozenset({"github", "sarif"})
"""The formats that show the line of each drifted field: only they need the manifests read
again from Git (:func:`driftui.source.field_lines.with_field_lines`); JSON, Markdown and
JUnit show where each object's document starts, which the scan already knows."""

__all__ = [
    "CLUSTER_FORMATS",
    "FIELD_LINE_FORMATS",
    "FORMATS",
    "REPORT_VERSION",
    "clusters_to_dict",
    "md",
    "to_dict",
    "to_github",
    "to_json",
    "to_junit",
    "to_markdown",
    "to_sarif",
    "xml_text",
]
