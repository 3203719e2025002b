"""Reports of a scan of apps (``--app``, ``--all-apps``): every object names its app, the
summary counts each app, Markdown and JUnit group by app, and an app that could not be
scanned is named with its reason in every format. (End to end through the CLI against the
real control plane: tests/cli/test_app_scans.py.)"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

from driftui.model import (
    AppRef,
    AppScanInfo,
    ClusterScan,
    ClustersReport,
    DriftResult,
    Fidelity,
    LiveInfo,
    LoadProblem,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.report import to_json, to_junit, to_markdown
from driftui.report.clusters import clusters_to_markdown
from driftui.report.github import to_github
from driftui.report.markdown import MAX_CHARS
from driftui.report.sarif import to_sarif_dict

LEFT = AppRef("Application", "argocd", "left")
RIGHT = AppRef("Application", "argocd", "right")
LOST = AppRef("Kustomization", "flux-system", "lost")
REPO = "https://git.example.com/ops.git"


def result(name: str, status: Status, app: AppRef | None) -> DriftResult:
    ref = ObjectRef("", "ConfigMap", "prod", name)
    return DriftResult(ref, "v1", status, Fidelity.CLIENT_SIDE, app=app)


def apps_report() -> ScanReport:
    problem = LoadProblem(str(LOST), "clone of https://git.example.com/gone.git failed")
    return ScanReport(
        SourceInfo(REPO, "main", "a" * 40, "left"),
        LiveInfo(context="kind"),
        Fidelity.CLIENT_SIDE,
        results=[
            result("left-a", Status.DRIFTED, LEFT),
            result("left-b", Status.IN_SYNC, LEFT),
            result("right-a", Status.MISSING, RIGHT),
        ],
        problems=[problem],
        apps=[
            AppScanInfo(LEFT, SourceInfo(REPO, "main", "a" * 40, "left")),
            AppScanInfo(RIGHT, SourceInfo(REPO, "v2", "b" * 40, "right")),
            AppScanInfo(LOST, None, problem.message, (problem,)),
        ],
    )


def test_json_names_each_objects_app_and_counts_each_app() -> None:
    doc = json.loads(to_json(apps_report()))

    apps = {o["name"]: o["app"] for o in doc["objects"]}
    assert apps["left-a"] == {"kind": "Application", "namespace": "argocd", "name": "left"}
    assert apps["right-a"]["name"] == "right"
    left, right, lost = doc["summary"]["apps"]
    assert (left["name"], left["drifted"], left["in_sync"], left["missing"]) == ("left", 1, 1, 0)
    assert left["source"] == {"repo": REPO, "ref": "main", "commit": "a" * 40, "path": "left"}
    assert (right["source"]["ref"], right["missing"], right["problem"]) == ("v2", 1, None)
    assert (lost["kind"], lost["source"], lost["drifted"]) == ("Kustomization", None, 0)
    assert "gone.git" in lost["problem"]


def test_json_of_a_repo_scan_has_no_apps() -> None:
    report = ScanReport(
        SourceInfo(REPO, "main", "a" * 40, ""),
        LiveInfo(context="kind"),
        Fidelity.CLIENT_SIDE,
        results=[result("web", Status.IN_SYNC, None)],
    )

    doc = json.loads(to_json(report))

    assert doc["objects"][0]["app"] is None
    assert doc["summary"]["apps"] == []


def test_markdown_has_a_table_of_apps_then_each_apps_objects_under_its_heading() -> None:
    text = to_markdown(apps_report())

    rows = [line for line in text.splitlines() if line.startswith("| application/")]
    assert rows[0].endswith("| 1 | 1 | 0 | 0 | 0 |")  # left: in sync, drifted, ...
    assert rows[1].endswith("| 0 | 0 | 1 | 0 | 0 |")  # right: missing
    left = text.index("### Application argocd/left")
    right = text.index("### Application argocd/right")
    lost = text.index("### Kustomization flux-system/lost")
    assert left < text.index("ConfigMap/left-a") < right < text.index("ConfigMap/right-a") < lost
    assert "Not scanned: clone of" in text[lost:]
    assert "3 apps, each from its own source," in text  # not the first app's source alone


def test_junit_has_one_suite_per_app_and_an_error_suite_for_an_app_not_scanned() -> None:
    root = ET.fromstring(to_junit(apps_report()))

    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root}
    assert list(suites) == [
        "driftui application/argocd/left",
        "driftui application/argocd/right",
        "driftui kustomization/flux-system/lost",
    ]
    left = suites["driftui application/argocd/left"]
    assert (left.get("tests"), left.get("failures")) == ("2", "1")
    assert [c.get("name") for c in left.iter("testcase")] == [
        "prod/ConfigMap/left-a",
        "prod/ConfigMap/left-b",
    ]
    right_props = {
        p.get("name"): p.get("value")
        for p in suites["driftui application/argocd/right"].iter("property")
    }
    assert right_props["driftui.source.commit"] == "b" * 40
    lost = suites["driftui kustomization/flux-system/lost"]
    assert lost.get("errors") == "1"
    assert "gone.git" in (next(lost.iter("error")).get("message") or "")


def test_an_object_of_a_multi_source_app_names_the_source_it_came_from() -> None:
    """Its file is in the other source's repository: JSON names that source for it, and
    the app's own source for the others; Markdown names the repository beside the file."""
    charts = SourceInfo("https://git.example.com/charts.git", "v3", "c" * 40, "web")
    other = replace(
        result("left-c", Status.MISSING, LEFT), source_file="web/cm.yaml", origin=charts
    )
    report = apps_report()
    report.results.append(other)

    doc = json.loads(to_json(report))

    sources = {o["name"]: o["source"] for o in doc["objects"]}
    assert sources["left-c"] == {
        "repo": "https://git.example.com/charts.git",
        "ref": "v3",
        "commit": "c" * 40,
        "path": "web",
    }
    assert sources["left-a"] == {"repo": REPO, "ref": "main", "commit": "a" * 40, "path": "left"}
    assert sources["right-a"]["ref"] == "v2"  # each app's own
    text = to_markdown(report)
    assert (
        "prod/ConfigMap/left-c: missing (https://git.example.com/charts.git @ v3: web/cm.yaml)"
        in text
    )


CHARTS = SourceInfo("https://git.example.com/charts.git", "v3", "c" * 40, "base")


def two_repo_report() -> ScanReport:
    """left is a multi-source app: left-a from its first source, the scanned repository
    (named here without ``.git``, as Argo CD accepts it), left-c from charts.git. Both
    files are ``base/cm.yaml``, each relative to its own repository."""
    own = SourceInfo(REPO.removesuffix(".git"), "main", "a" * 40, "base")
    report = apps_report()
    report.results = [
        replace(
            result("left-a", Status.DRIFTED, LEFT),
            source_file="base/cm.yaml",
            source_line=3,
            origin=own,
        ),
        replace(result("left-c", Status.DRIFTED, LEFT), source_file="base/cm.yaml", origin=CHARTS),
    ]
    return report


def test_an_object_from_another_repository_is_not_annotated_as_a_file_of_the_scanned_one() -> None:
    """A pull request's annotation of left-c would land on the PR repository's own
    base/cm.yaml: it gets no file, as an object only the cluster has, and its message names
    the repository, revision and file it came from. left-a keeps its file and line."""
    report = two_repo_report()

    github = to_github(report).splitlines()

    own = next(line for line in github if "left-a" in line)
    other = next(line for line in github if "left-c" in line)
    assert own.startswith("::warning file=base/cm.yaml,line=3,title=")
    assert other.startswith("::warning title=driftui%3A drifted::"), other
    assert other.endswith("(from https://git.example.com/charts.git @ v3: base/cm.yaml)")
    assert "charts.git" not in own
    findings = {
        f["partialFingerprints"]["driftuiObject/v1"]: f
        for f in to_sarif_dict(report)["runs"][0]["results"]
        if "partialFingerprints" in f  # not the lost app's problem
    }
    own_finding, other_finding = (
        findings["prod/ConfigMap/left-a"],
        findings["prod/ConfigMap/left-c"],
    )
    uri = own_finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "base/cm.yaml"
    assert "locations" not in other_finding
    assert other_finding["message"]["text"].endswith(
        "(from https://git.example.com/charts.git @ v3: base/cm.yaml)"
    )


def test_every_source_of_a_multi_source_app_is_in_the_summary_and_the_apps_table() -> None:
    """summary.apps[].sources lists them all in the app's order; ``source`` stays the
    first, and an app of one source lists that one."""
    first = SourceInfo(REPO, "main", "a" * 40, "left")
    report = apps_report()
    report.apps[0] = replace(report.apps[0], sources=(first, CHARTS))

    left, right, lost = json.loads(to_json(report))["summary"]["apps"]

    assert left["source"] == {"repo": REPO, "ref": "main", "commit": "a" * 40, "path": "left"}
    assert left["sources"] == [
        left["source"],
        {
            "repo": "https://git.example.com/charts.git",
            "ref": "v3",
            "commit": "c" * 40,
            "path": "base",
        },
    ]
    assert right["sources"] == [right["source"]]
    assert lost["sources"] == []
    row = next(
        line
        for line in to_markdown(report).splitlines()
        if line.startswith("| application/argocd/left")
    )
    assert (
        f"| {REPO} left @ aaaaaaaaaaaa<br>https://git.example.com/charts.git base @ cccccccccccc |"
        in row
    )


def test_an_object_of_another_apps_repository_is_not_annotated_as_a_file_of_the_scanned_one() -> (
    None
):
    """In a scan of apps, the scanned repository is the first app's; right deploys from
    charts.git, so its object (one source, no ``origin``) is not a file of ops.git."""
    report = apps_report()
    report.apps[1] = replace(report.apps[1], source=CHARTS)
    report.results = [replace(r, source_file="base/cm.yaml", source_line=2) for r in report.results]

    github = to_github(report).splitlines()

    assert next(line for line in github if "left-a" in line).startswith(
        "::warning file=base/cm.yaml,line=2,"
    )
    right = next(line for line in github if "right-a" in line)
    assert "file=" not in right
    assert right.endswith("(from https://git.example.com/charts.git @ v3: base/cm.yaml)")


def test_hundreds_of_apps_or_clusters_leave_room_for_the_objects_and_count_the_rest() -> None:
    apps = [AppRef("Application", "argocd", f"{'app-' * 40}{i}") for i in range(600)]
    report = ScanReport(
        SourceInfo(REPO, "main", "a" * 40, ""),
        LiveInfo(context="kind"),
        Fidelity.CLIENT_SIDE,
        results=[result(f"cm-{i}", Status.DRIFTED, app) for i, app in enumerate(apps)],
        apps=[AppScanInfo(app, SourceInfo(REPO, "main", "a" * 40, f"{'p/' * 90}")) for app in apps],
    )
    plain = ScanReport(report.source, report.live, report.fidelity, results=report.results[:1])
    fleet = ClustersReport(
        report.source,
        [ClusterScan(f"{'ctx-' * 50}{i}", "https://x", plain) for i in range(600)],
    )
    tables = (
        (to_markdown(report), "apps", "| application/"),
        (clusters_to_markdown(fleet), "clusters", "| ctx-"),
    )
    for text, noun, row in tables:
        rows = sum(1 for line in text.splitlines() if line.startswith(row))
        assert len(text) <= MAX_CHARS and 0 < rows < 600
        assert f"… and {600 - rows} more {noun} (the JSON report has them all)." in text
        assert text.count("<details>") > 0  # objects are still shown after the table
