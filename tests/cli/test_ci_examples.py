"""The CI examples in examples/ci/ run as written: their commands are read out of the
workflow, the GitLab job and the Jenkinsfile, and run in a real repository against the
test control plane, with a read-only (``view``) kubeconfig where the example uses one.

Only the install and pull-request comment steps are skipped (they need the network and
GitHub); the tests name them, so a new step cannot be skipped silently.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import git, kubectl, write_repo

SNAPSHOT_PHRASE = "the auditors' shared phrase"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ci"


@dataclass
class Step:
    name: str
    script: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    step: Step
    code: int
    out: str
    err: str


def run_steps(steps: list[Step], cwd: Path, env: dict[str, str], tmp: Path) -> list[Outcome]:
    """As a CI runner does: each step in a fresh ``bash -e`` in the checkout, stopping at
    the first that fails; ``$GITHUB_ENV`` lines carry variables to the later steps."""
    github_env = tmp / "github_env"
    github_env.touch()
    carried: dict[str, str] = {}
    bin_dir = str(Path(sys.executable).parent)  # where `driftui` is installed
    outcomes = []
    for step in steps:
        ambient = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}  # not the dev's
        full = {**ambient, **env, **carried, **step.env, "GITHUB_ENV": str(github_env)}
        full["PATH"] = bin_dir + os.pathsep + full["PATH"]
        done = subprocess.run(
            ["bash", "-e", "-c", step.script],
            cwd=cwd,
            env=full,
            capture_output=True,
            text=True,
            check=False,
        )
        outcomes.append(Outcome(step, done.returncode, done.stdout, done.stderr))
        for line in github_env.read_text().splitlines():
            key, _, value = line.partition("=")
            carried[key] = value
        if done.returncode:
            break
    return outcomes


def _cm(ns: str, name: str, value: str) -> dict[str, Any]:
    meta = {"name": name, "namespace": ns}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"mode": value}}


@dataclass
class Checkout:
    repo: Path
    namespace: str
    viewer_kubeconfig: str


@pytest.fixture
def checkout(cluster: ClusterInfo, namespace: str, tmp_path: Path) -> Checkout:
    """A repository with manifests under deploy/ and a committed snapshot in audit/; the
    cluster has one object as Git says and one edited by hand."""
    repo = tmp_path / "repo"
    write_repo(
        repo,
        {
            "deploy/app.yaml": [_cm(namespace, "steady", "calm"), _cm(namespace, "edited", "calm")],
            "other/ignored.yaml": [_cm(namespace, "elsewhere", "x")],
        },
    )
    live = tmp_path / "live.json"
    items = [_cm(namespace, "steady", "calm"), _cm(namespace, "edited", "wild")]
    live.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    kubectl(cluster, "apply", "-f", str(live))
    env = {**os.environ, "CI": "true", "DRIFTUI_SNAPSHOT_KEY": SNAPSHOT_PHRASE}
    (repo / "audit").mkdir()
    subprocess.run(
        [sys.executable, "-m", "driftui", "snapshot", "--path", "deploy",
         "--kubeconfig", cluster.kubeconfig(), "-o", "audit/live.json"],
        cwd=repo, env=env, check=True, capture_output=True,
    )  # fmt: skip
    git(repo, "add", "audit")
    git(repo, "commit", "-q", "-m", "Audit snapshot")
    return Checkout(repo, namespace, cluster.kubeconfig("viewer"))


def _expand(text: str, context: dict[str, str]) -> str:
    """GitHub's ``${{ … }}`` expressions; one the test does not know fails loudly."""
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: context[m.group(1)], text)


GITHUB_SKIPPED = {"Install driftui", "Comment on the pull request"}


def github_steps(job: str, context: dict[str, str]) -> tuple[dict[str, str], list[Step]]:
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    spec = workflow["jobs"][job]
    env = {k: _expand(str(v), context) for k, v in {**workflow["env"], **spec["env"]}.items()}
    steps, skipped = [], set()
    for raw in spec["steps"]:
        if "run" not in raw:
            continue  # `uses:` actions: checkout (the fixture's repo), the SARIF upload
        if raw["name"] in GITHUB_SKIPPED:
            skipped.add(raw["name"])
            continue
        step_env = {k: _expand(str(v), context) for k, v in raw.get("env", {}).items()}
        steps.append(Step(raw["name"], _expand(raw["run"], context), step_env))
    assert skipped <= GITHUB_SKIPPED
    return env, steps


def _ran_to_the_drift(outcomes: list[Outcome], count: int) -> Outcome:
    """Every step passed but the last, which fails the check because of drift (exit 1)."""
    assert len(outcomes) == count, [(o.step.name, o.code, o.err) for o in outcomes]
    for o in outcomes[:-1]:
        assert o.code == 0, (o.step.name, o.out, o.err)
    last = outcomes[-1]
    assert last.code == 1, (last.step.name, last.out, last.err)
    assert "edited" in last.out and "steady" not in last.out and "elsewhere" not in last.out
    return last


def test_github_offline_audit_from_a_snapshot(checkout: Checkout, tmp_path: Path) -> None:
    env, steps = github_steps("offline-audit", {"secrets.DRIFTUI_SNAPSHOT_KEY": SNAPSHOT_PHRASE})
    outcomes = run_steps(steps, checkout.repo, {**env, "KUBECONFIG": "/nonexistent"}, tmp_path)
    _ran_to_the_drift(outcomes, 3)
    annotations = outcomes[0].out
    assert "::warning file=deploy/app.yaml,line=" in annotations, annotations
    sarif = json.loads((checkout.repo / "drift.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]] == ["deploy/app.yaml"]  # fmt: skip


def test_github_online_check_with_a_read_only_kubeconfig(
    checkout: Checkout, tmp_path: Path
) -> None:
    context = {"secrets.DRIFTUI_READONLY_KUBECONFIG": Path(checkout.viewer_kubeconfig).read_text()}
    env, steps = github_steps("online-check", context)
    runner = tmp_path / "runner"
    runner.mkdir()
    outcomes = run_steps(steps, checkout.repo, {**env, "RUNNER_TEMP": str(runner)}, tmp_path)
    _ran_to_the_drift(outcomes, 3)
    assert (runner / "kubeconfig").stat().st_mode & 0o077 == 0  # the secret stays private
    markdown = (checkout.repo / "drift.md").read_text()
    assert "edited" in markdown and "steady" not in markdown


def test_gitlab_job(checkout: Checkout, tmp_path: Path) -> None:
    job = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())["drift-check"]
    assert all(line.split()[0] in {"apt-get", "pip"} for line in job["before_script"])
    steps = [Step(f"script {i}", line) for i, line in enumerate(job["script"])]
    env = {**job["variables"], "DRIFTUI_KUBECONFIG": checkout.viewer_kubeconfig}
    outcomes = run_steps(steps, checkout.repo, env, tmp_path)
    _ran_to_the_drift(outcomes, 3)
    junit = ET.parse(checkout.repo / job["artifacts"]["reports"]["junit"]).getroot()
    failed = [c.get("name") or "" for c in junit.iter("testcase") if c.find("failure") is not None]
    assert len(failed) == 1 and "edited" in failed[0], failed
    assert "edited" in (checkout.repo / "drift.md").read_text()


JENKINS_INSTALL = 'python3 -m venv .driftui && .driftui/bin/pip install --quiet "$DRIFTUI_SOURCE"'


def jenkins_stage() -> tuple[dict[str, str], list[Step]]:
    """The stage's environment and its ``sh`` steps, but for the install (the network)."""
    text = (EXAMPLES / "Jenkinsfile").read_text()
    block = text.split("environment {", 1)[1].split("\n    }", 1)[0]
    env = dict(re.findall(r"(\w+) = '([^']*)'", block))
    assert re.search(r"file\(credentialsId: '[\w-]+', variable: 'KUBECONFIG'\)", text)
    scripts = re.findall(r"^\s*sh '(.*)'\s*$", text, flags=re.MULTILINE)
    assert scripts[0] == JENKINS_INSTALL
    return env, [Step(f"sh {i}", script) for i, script in enumerate(scripts[1:])]


def test_jenkinsfile_stage(checkout: Checkout, tmp_path: Path) -> None:
    env, steps = jenkins_stage()
    env["KUBECONFIG"] = checkout.viewer_kubeconfig  # what withCredentials(file(...)) sets
    outcomes = run_steps(steps, checkout.repo, env, tmp_path)
    _ran_to_the_drift(outcomes, 2)
    junit = ET.parse(checkout.repo / "drift.xml").getroot()
    assert any(c.find("failure") is not None for c in junit.iter("testcase"))


def _install_sources() -> dict[str, tuple[str, list[str]]]:
    """Per example: what DRIFTUI_SOURCE says, and each command that installs driftui."""
    github = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    gitlab = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())["drift-check"]
    jenkins = (EXAMPLES / "Jenkinsfile").read_text()
    return {
        "github": (
            github["env"]["DRIFTUI_SOURCE"],
            [
                step["run"]
                for job in github["jobs"].values()
                for step in job["steps"]
                if step.get("name") == "Install driftui"
            ],
        ),
        "gitlab": (
            gitlab["variables"]["DRIFTUI_SOURCE"],
            [line for line in gitlab["before_script"] if line.startswith("pip")],
        ),
        "jenkins": (
            re.findall(r"DRIFTUI_SOURCE = '([^']*)'", jenkins)[0],
            [line for line in re.findall(r"sh '(.*)'", jenkins) if "install" in line],
        ),
    }


def test_each_example_installs_driftui_from_its_repository_not_from_pypi() -> None:
    """driftui is not on PyPI: `pip install driftui` would install someone else's package,
    or nothing. Each example installs DRIFTUI_SOURCE, a Git URL pinned to a tag or commit."""
    for example, (source, installs) in _install_sources().items():
        assert re.fullmatch(r"git\+https://[^@\s]+/driftui@[\w.-]+", source), example
        assert installs and all('"$DRIFTUI_SOURCE"' in line for line in installs), example
        assert not any(re.search(r"install (--quiet )?driftui\b", line) for line in installs)
