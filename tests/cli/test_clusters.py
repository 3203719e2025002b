"""``--context a,b`` and ``--all-contexts`` on the command line (issue 23), against two real
control planes, a closed port and a user who may read one of the two."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.cli import main
from driftui.cli.clusters import clusters_exit_status
from driftui.cli.flags import context_list
from driftui.model import ClusterScan, ClustersReport, Fidelity, LiveInfo, ScanReport, SourceInfo
from tests.cluster.harness import ClusterInfo
from tests.multi_cluster import Clusters, two_clusters
from tests.report.test_formats import drifted

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def planes(cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clusters]:
    with two_clusters(cluster, tmp_path_factory.mktemp("multi-cli")) as clusters:
        yield clusters


def run(
    planes: Clusters, capsys: pytest.CaptureFixture[str], *argv: str, kubeconfig: str = ""
) -> tuple[int, str, str]:
    flags = ["--repo", str(planes.repo), "-n", planes.namespace, "--read-only"]
    flags += ["--kubeconfig", kubeconfig or planes.kubeconfig]
    code = main([*argv, *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_diff_shows_each_cluster_under_its_heading_and_an_unreachable_one_as_an_error(
    planes: Clusters, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(planes, capsys, "diff", "--context", "a,b", "--context", "down")
    assert code == 2  # a cluster errored
    a_part, rest = out.split(f"# cluster b ({planes.b.server})")
    b_part, down_part = rest.split("# cluster down (")
    assert a_part.startswith(f"# cluster a ({planes.a.server}): 2 in sync, 1 drifted\n")
    assert "-  color: blue" in a_part and "+  color: red" in a_part
    assert "ConfigMap/extra" not in a_part
    assert f"+++ live/{planes.namespace}/ConfigMap/extra  (missing)" in b_part
    assert "(missing)" in b_part and "color" not in b_part
    assert "): error: cannot reach https://127.0.0.1:" in down_part.splitlines()[0]
    assert "error: cluster down: " in err


def test_two_clusters_that_drifted_exit_1_with_a_json_report_by_cluster(
    planes: Clusters, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(planes, capsys, "report", "--format", "json", "--context", "a,b")
    assert code == 1
    doc = json.loads(out)
    assert [(c["context"], c["server"], c["error"]) for c in doc["clusters"]] == [
        ("a", planes.a.server, None),
        ("b", planes.b.server, None),
    ]
    assert doc["clusters"][0]["summary"]["drifted"] == 1
    assert doc["clusters"][1]["summary"]["missing"] == 1
    assert doc["summary"]["drifted"] == 1 and doc["summary"]["missing"] == 1
    assert doc["summary"]["clusters"] == 2 and doc["summary"]["cluster_errors"] == 0
    by_cluster = {(o["cluster"]["context"], o["name"]): o["status"] for o in doc["objects"]}
    assert by_cluster[("a", "settings")] == "drifted"
    assert by_cluster[("b", "settings")] == "in_sync"
    assert by_cluster[("b", "extra")] == "missing"
    assert {o["cluster"]["server"] for o in doc["objects"]} == {planes.a.server, planes.b.server}


def test_markdown_groups_by_cluster_and_says_a_forbidden_cluster_on_its_row(
    planes: Clusters, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(planes, capsys, "report", "--format", "markdown", "--context", "ro-a,ro-b")
    assert code == 2
    table = [line for line in out.splitlines() if line.startswith("| ro")]
    assert table[0].startswith(f"| ro-a | {planes.a.server} | 2 | 1 | 0 | 0 | 0 |")
    assert table[1].startswith(f"| ro-b | {planes.b.server} | 0 | 0 | 0 | 0 | 3 | forbidden: ")
    readable, forbidden = out.split("### Cluster ro-b")
    assert "### Cluster ro-a" in readable and "settings: drifted" in readable
    assert "Cluster error: forbidden: list configmaps" in forbidden


def test_junit_has_one_suite_per_cluster(
    planes: Clusters, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(planes, capsys, "report", "--format", "junit", "--context", "b,down")
    assert code == 2
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    b, down = root.findall("testsuite")
    assert (b.get("name"), b.get("tests"), b.get("failures"), b.get("errors")) == (
        "driftui b",
        "3",
        "1",
        "0",
    )
    assert (down.get("name"), down.get("errors")) == ("driftui down", "1")
    error = down.find("testcase/error")
    assert error is not None and error.get("message")


def test_a_snapshot_of_all_contexts_is_one_file_that_live_audits_offline(
    planes: Clusters, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    both = tmp_path / "both.json"
    pair = planes.pair_kubeconfig
    code, _, err = run(
        planes, capsys, "snapshot", "--all-contexts", "-o", str(both), kubeconfig=pair
    )
    assert code == 0, err
    doc = json.loads(both.read_text())
    assert [c["context"] for c in doc["clusters"]] == ["a", "b"]
    assert "objects" not in doc and doc["keyId"]

    # The file alone is both clusters: no cluster is asked (the kubeconfig names none).
    offline = ["--live", str(both), "--kubeconfig", str(tmp_path / "none")]
    code, out, err = run(planes, capsys, "report", "--format", "json", *offline)
    assert code == 1, err
    report = json.loads(out)
    assert [(c["context"], c["snapshot"]) for c in report["clusters"]] == [
        ("a", str(both)),
        ("b", str(both)),
    ]
    by_cluster = {(o["cluster"]["context"], o["name"]): o["status"] for o in report["objects"]}
    assert by_cluster[("a", "settings")] == "drifted" and by_cluster[("b", "extra")] == "missing"

    # One cluster of the file, by name: the single-cluster report, as before.
    code, out, _ = run(planes, capsys, "report", "--format", "json", "--context", "b", *offline)
    assert code == 1
    single = json.loads(out)
    assert single["live"]["snapshot"] == str(both) and "clusters" not in single
    assert {o["name"]: o["status"] for o in single["objects"]}["extra"] == "missing"


def test_a_single_context_snapshot_keeps_the_old_layout(
    planes: Clusters, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one = tmp_path / "one.json"
    code, _, _ = run(planes, capsys, "snapshot", "--context", "b", "-o", str(one))
    assert code == 0
    doc = json.loads(one.read_text())
    assert "clusters" not in doc and doc["context"] == "b"
    code, out, _ = run(planes, capsys, "report", "--format", "json", "--live", str(one))
    assert code == 1
    assert json.loads(out)["live"] == {"snapshot": str(one)}


@pytest.mark.parametrize("argv", [["export-ignores"], ["history", "ConfigMap/settings"]])
def test_one_cluster_commands_refuse_several_clusters_naming_them(
    planes: Clusters, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(planes, capsys, *argv, "--context", "a", "--context", "b,down")
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"{argv[0]} acts on exactly one cluster" in err
    assert "(a, b, down)" in err


def test_the_explorer_is_handed_every_named_cluster(
    planes: Clusters, capsys: pytest.CaptureFixture[str]
) -> None:
    """``driftui tui --context a,b``: the explorer shows every cluster (it acts on one)."""
    seen: list[list[str]] = []

    def launcher(args: argparse.Namespace, _scanner: object, _gate: object) -> int:
        seen.append(list(args.contexts))
        return 0

    flags = ["--repo", str(planes.repo), "--kubeconfig", planes.kubeconfig, "--read-only"]
    assert main(["tui", "--context", "a", "--context", "b,down", *flags], explorer=launcher) == 0
    assert seen == [["a", "b", "down"]]


def test_all_contexts_and_context_together_is_a_usage_error(
    planes: Clusters, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(planes, capsys, "diff", "--all-contexts", "--context", "a")
    assert exited.value.code == 2
    assert "--all-contexts and --context" in capsys.readouterr().err


def _cluster(context: str, drift: bool = False, error: str = "") -> ClusterScan:
    report = ScanReport(SourceInfo("r", "HEAD", "c", ""), LiveInfo(context), Fidelity.CLIENT_SIDE)
    if drift:
        report.results.append(drifted("web"))
    return ClusterScan(context, report=None if error else report, error=error)


def test_exit_codes_error_over_drift_over_in_sync() -> None:
    source = SourceInfo("r", "HEAD", "c", "")
    assert clusters_exit_status(ClustersReport(source, [_cluster("a"), _cluster("b")])) == 0
    drifted = ClustersReport(source, [_cluster("a"), _cluster("b", drift=True)])
    assert clusters_exit_status(drifted) == 1
    failed = ClustersReport(source, [_cluster("a", drift=True), _cluster("b", error="refused")])
    assert clusters_exit_status(failed) == 2


@given(st.lists(st.lists(st.text(alphabet="abc, ", max_size=6), max_size=3), max_size=4))
def test_context_lists_split_commas_drop_blanks_and_repeats(values: list[list[str]]) -> None:
    flat = [",".join(parts) for parts in values]
    names = context_list(flat)
    expected = [n.strip() for v in flat for n in v.split(",") if n.strip()]
    assert names == list(dict.fromkeys(expected))
    assert all(name and "," not in name and name == name.strip() for name in names)


def test_app_scans_take_one_cluster_rather_than_ignoring_app(
    planes: Clusters, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(planes, capsys, "diff", "--app", "shop/web", "--context", "a,b")
    assert exited.value.code == 2
    assert "--app scans one cluster's apps: name one cluster with --context" in (
        capsys.readouterr().err
    )
