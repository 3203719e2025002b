"""The drift engine against the real control plane: exact verdicts, attribution, and an oracle."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live.snapshot_key import load_key
from driftui.model import DiffType, Fidelity, ScanReport, Status
from tests import drift_scenario
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import SECRET_CHANGED, SECRET_PLAIN, Scenario

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def scenario(cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    ns = f"drift-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    yield drift_scenario.build(cluster, ns, tmp_path_factory.mktemp("scenario"))
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


def scan(scenario: Scenario, user: str, **extra: object) -> ScanReport:
    options = ScanOptions(
        repo=str(scenario.repo),
        kubeconfig=scenario.cluster.kubeconfig(user),
        namespace=scenario.namespace,
        **extra,  # type: ignore[arg-type]
    )
    return Scanner(options, MutationGate(read_only=bool(extra.get("read_only")))).scan()


def verdicts(report: ScanReport) -> dict[str, tuple[str, frozenset[tuple[str, str, str | None]]]]:
    """ "Kind/name" -> (status, {(type, path, manager)}) for the scenario namespace."""
    return {
        f"{r.ref.kind}/{r.ref.name}": (
            r.status.value,
            frozenset((d.type.value, d.dotted, d.manager) for d in r.differences),
        )
        for r in report.results
    }


CONTAINER = "spec.template.spec.containers[name=web]"
EXPECTED = {
    "Deployment/web": (
        "drifted",
        frozenset(
            {
                ("changed", f"{CONTAINER}.image", "kubectl-edit"),
                ("changed", "spec.replicas", "kubectl"),
                ("added_outside_git", f"{CONTAINER}.env[name=DEBUG]", "kubectl-set"),
            }
        ),
    ),
    "Service/web": ("in_sync", frozenset()),
    "ConfigMap/settings": (
        "drifted",
        frozenset(
            {
                ("added_outside_git", "metadata.labels.team", "kubectl-label"),
                ("removed_from_git", "data.legacy", "argocd-controller"),
            }
        ),
    ),
    "Secret/creds": ("drifted", frozenset({("changed", "data.password", "kubectl-patch")})),
    "Deployment/api": ("in_sync", frozenset()),
    "ConfigMap/gone": ("missing", frozenset()),
    "ConfigMap/stray": ("extra", frozenset()),
    "Widget/w1": ("drifted", frozenset({("changed", "spec.size", "kubectl-patch")})),
}


def test_admin_scan_gives_exact_verdicts_with_server_side_fidelity(scenario: Scenario) -> None:
    report = scan(scenario, "admin")
    assert report.fidelity is Fidelity.SERVER_SIDE
    assert verdicts(report) == EXPECTED
    drifted = [r for r in report.results if r.status is Status.DRIFTED]
    assert {r.fidelity for r in drifted} == {Fidelity.SERVER_SIDE}


def test_viewer_gets_the_same_verdicts_client_side(scenario: Scenario) -> None:
    report = scan(scenario, "viewer", read_only=True)
    assert report.fidelity is Fidelity.CLIENT_SIDE
    assert verdicts(report) == EXPECTED


def test_attribution_carries_values_and_times(scenario: Scenario) -> None:
    report = scan(scenario, "viewer", read_only=True)
    web = next(r for r in report.results if r.ref.kind == "Deployment" and r.ref.name == "web")
    by_path = {d.dotted: d for d in web.differences}
    image = by_path[f"{CONTAINER}.image"]
    assert (image.git, image.live) == ("nginx:1.25", "nginx:1.26")
    assert image.time and image.time.endswith("Z")
    replicas = by_path["spec.replicas"]
    assert (replicas.git, replicas.live) == (2, 5)
    added = by_path[f"{CONTAINER}.env[name=DEBUG]"]
    assert added.live == {"name": "DEBUG", "value": "1"}


def test_server_defaults_are_never_reported(scenario: Scenario) -> None:
    for report in (scan(scenario, "admin"), scan(scenario, "viewer", read_only=True)):
        paths = {d.dotted for r in report.results for d in r.differences}
        for default in (
            "strategy",
            "revisionHistoryLimit",
            "progressDeadlineSeconds",
            "terminationMessagePath",
            "imagePullPolicy",
            "dnsPolicy",
            "clusterIP",
            "sessionAffinity",
            "protocol",
            "colour",
        ):
            assert not any(default in p for p in paths), (default, paths)


def test_secret_values_are_masked_but_the_change_is_visible(scenario: Scenario) -> None:
    report = scan(scenario, "admin")
    creds = next(r for r in report.results if r.ref.kind == "Secret")
    (change,) = creds.differences
    assert change.git != change.live
    assert str(change.git).startswith("<secret:") and str(change.live).startswith("<secret:")
    user = creds.live["data"]["user"] if creds.live else None
    assert (
        user == creds.desired["data"]["user"] if creds.desired else False
    )  # equal values, equal masks
    import base64

    dumped = repr(report)
    for plain in (SECRET_PLAIN, SECRET_CHANGED):
        assert plain not in dumped
        assert base64.b64encode(plain.encode()).decode() not in dumped


def test_oracle_kubectl_diff_agrees_on_which_objects_would_change(scenario: Scenario) -> None:
    report = scan(scenario, "admin")
    ours = {
        f"{r.ref.kind}/{r.ref.name}"
        for r in report.results
        if r.status is Status.MISSING
        or any(
            d.type in (DiffType.CHANGED, DiffType.MISSING_IN_LIVE, DiffType.REMOVED_FROM_GIT)
            for d in r.differences
        )
    }
    assert ours == drift_scenario.oracle_objects(scenario)


def test_read_only_scan_sends_no_write_request(scenario: Scenario) -> None:
    before = len(scenario.cluster.audit_log.read_text().splitlines())
    scan(scenario, "viewer", read_only=True)
    scan(scenario, "admin", read_only=True)
    new = scenario.cluster.audit_log.read_text().splitlines()[before:]
    events = [json.loads(line) for line in new]
    users = {e["user"]["username"] for e in events}
    assert {"viewer", "admin"} <= users  # the scans really happened
    writes = [
        e
        for e in events
        if e["user"]["username"] in {"viewer", "admin"}
        and e["verb"] not in {"get", "list", "watch"}
    ]
    assert writes == []


def test_cli_exit_codes_and_report(scenario: Scenario, tmp_path: Path) -> None:
    base = [
        sys.executable,
        "-m",
        "driftui",
        "--repo",
        str(scenario.repo),
        "-n",
        scenario.namespace,
        "--kubeconfig",
        scenario.cluster.kubeconfig("viewer"),
        "--read-only",
    ]
    diff = subprocess.run([*base, "diff"], capture_output=True, text=True, check=False)
    assert diff.returncode == 1, diff.stderr
    assert (
        "+  image: nginx:1.26" in diff.stdout.replace("    ", "  ") or "nginx:1.26" in diff.stdout
    )
    assert SECRET_PLAIN not in diff.stdout + diff.stderr
    out = tmp_path / "report.json"
    rep = subprocess.run(
        [*base, "report", "--format", "json", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rep.returncode == 1, rep.stderr
    doc = json.loads(out.read_text())
    assert doc["version"] == 1
    assert doc["summary"]["drifted"] == 4 and doc["summary"]["missing"] == 1
    assert doc["live"]["server"] == scenario.cluster.server


def test_unreachable_server_is_one_line_and_exit_2(tmp_path: Path, scenario: Scenario) -> None:
    config = json.loads(Path(scenario.cluster.kubeconfig("viewer")).read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{harness.free_port()}"
    dead = tmp_path / "dead.kubeconfig"
    dead.write_text(json.dumps(config))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftui",
            "diff",
            "--repo",
            str(scenario.repo),
            "--kubeconfig",
            str(dead),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: cannot reach")
    assert "Traceback" not in result.stderr


def test_snapshot_gives_the_same_verdicts_offline(scenario: Scenario, tmp_path: Path) -> None:
    snap = tmp_path / "live.json"
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftui",
            "snapshot",
            "-o",
            str(snap),
            "--repo",
            str(scenario.repo),
            "-n",
            scenario.namespace,
            "--kubeconfig",
            scenario.cluster.kubeconfig("viewer"),
            "--read-only",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    text = snap.read_text()
    import base64

    for plain in (SECRET_PLAIN, SECRET_CHANGED):
        assert plain not in text and base64.b64encode(plain.encode()).decode() not in text
    offline = Scanner(
        ScanOptions(repo=str(scenario.repo), live_snapshot=str(snap), namespace=scenario.namespace),
        MutationGate(read_only=True),
    ).scan()
    assert offline.live.snapshot == str(snap)
    assert verdicts(offline) == EXPECTED


def test_a_snapshot_keeps_its_masking_key_outside_the_file(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HMAC key lives in a 0600 key file; the 0600 snapshot holds only the key's id."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    snap = tmp_path / "live.json"
    base = ["--repo", str(scenario.repo), "-n", scenario.namespace]
    base += ["--kubeconfig", scenario.cluster.kubeconfig("viewer")]
    made = run_cli("snapshot", "-o", str(snap), "--read-only", *base)
    assert made.returncode == 0, made.stderr
    key = load_key(create=False)
    assert key is not None and key.origin == str(tmp_path / "config/driftui/snapshot.key")
    assert stat.S_IMODE(os.stat(key.origin).st_mode) == 0o600
    assert stat.S_IMODE(snap.stat().st_mode) == 0o600
    doc = json.loads(snap.read_text())
    assert doc["keyId"] == key.id and "salt" not in doc
    phrase = Path(key.origin).read_text().strip()
    assert phrase not in snap.read_text() and key.secret.hex() not in snap.read_text()
    assert "<secret:" in snap.read_text()  # the Secret is there, masked

    same = run_cli("diff", "--live", str(snap), "--repo", str(scenario.repo))
    assert same.returncode == 1, same.stderr  # the scenario's drift, Secrets compared
    assert "Secret" in same.stdout
    monkeypatch.setenv("DRIFTUI_SNAPSHOT_KEY", "some other phrase")
    other = run_cli("diff", "--live", str(snap), "--repo", str(scenario.repo))
    assert other.returncode == 2
    assert other.stderr.startswith(f"error: {snap}: its Secrets were masked with snapshot key")
    assert other.stderr.count("\n") == 1


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv], capture_output=True, text=True, check=False
    )


def test_forbidden_kinds_and_unknown_kinds_do_not_stop_the_scan(
    scenario: Scenario, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    files = drift_scenario.git_objects(scenario.namespace)
    files["unknown.yaml"] = [
        {"apiVersion": "nowhere.example.com/v1", "kind": "Gizmo", "metadata": {"name": "g"}}
    ]
    files["broken.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n"  # type: ignore[assignment]
    repo.mkdir()
    (repo / "broken.yaml").write_text(files.pop("broken.yaml"))  # type: ignore[arg-type]
    drift_scenario.write_repo(repo, files)
    report = Scanner(
        ScanOptions(
            repo=str(repo),
            kubeconfig=scenario.cluster.kubeconfig("nobody"),
            namespace=scenario.namespace,
            read_only=True,
        ),
        MutationGate(read_only=True),
    ).scan()
    reasons = {f"{r.ref.kind}/{r.ref.name}": r.reason for r in report.results}
    assert reasons["Gizmo/g"] == "unknown kind: Gizmo.nowhere.example.com"
    assert reasons["Deployment/web"] == (
        f"forbidden: list deployments.apps in namespace {scenario.namespace}"
    )
    assert (
        reasons["ConfigMap/settings"]
        == f"forbidden: list configmaps in namespace {scenario.namespace}"
    )
    assert {r.status for r in report.results} == {Status.ERROR}
    (problem,) = report.problems
    assert problem.path == "broken.yaml" and problem.line == 4  # where the parser hit the end


def test_no_secret_value_in_any_cli_output_even_with_debug_logging(
    scenario: Scenario, tmp_path: Path
) -> None:
    import base64

    forbidden = [SECRET_PLAIN, SECRET_CHANGED]
    forbidden += [base64.b64encode(p.encode()).decode() for p in forbidden]
    base = [
        "--repo",
        str(scenario.repo),
        "-n",
        scenario.namespace,
        "-vv",
        "--kubeconfig",
        scenario.cluster.kubeconfig("admin"),
    ]
    runs = [
        ["diff", *base],
        ["diff", "--client-side", *base],
        ["snapshot", "-o", str(tmp_path / "s.json"), *base],
        ["diff", "--live", str(tmp_path / "s.json"), "--repo", str(scenario.repo)],
        [
            "history",
            "Secret/creds",
            "-n",
            scenario.namespace,
            "--repo",
            str(scenario.repo),
            "--format",
            "json",
        ],
    ]
    runs += [["report", "--format", fmt, *base] for fmt in ("json", "markdown", "junit")]
    seen = ""
    for argv in runs:
        result = subprocess.run(
            [sys.executable, "-m", "driftui", *argv], capture_output=True, text=True, check=False
        )
        assert result.returncode in (0, 1), (argv, result.stderr)
        seen += result.stdout + result.stderr
    seen += (tmp_path / "s.json").read_text()
    assert "<secret:" in seen  # the Secret was really shown, masked
    for value in forbidden:
        assert value not in seen
