"""Hostile text through every CLI sink, against the real control plane and a real Git repo.

A commit whose subject and author hold OSC/CSI sequences and U+202E, a ConfigMap that only
Git declares whose name holds them, a declared ConfigMap whose multi-line value holds them
in Git and that a tenant rewrote live, and a broken file whose name holds them. None of it
may reach the terminal raw; each report format escapes for itself and names the problem.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

ATTACK = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u202egnp\x9b31m"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")
EVIL_AUTHOR = f"Mal{ATTACK}lory"
EVIL_SUBJECT = f"tune title {ATTACK} <b>bold</b> a|b"
BROKEN = f"broken{ATTACK}.yaml"


@dataclass
class Hostile:
    cluster: ClusterInfo
    namespace: str
    repo: Path
    sha: str  # the hostile commit

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        base = ["--repo", str(self.repo), "-n", self.namespace]
        base += ["--kubeconfig", self.cluster.kubeconfig("admin")]
        return subprocess.run(
            [sys.executable, "-m", "driftui", *argv, *base],
            capture_output=True,
            text=True,
            check=False,
        )


def _git(repo: Path, *args: str, author: str = "Ada") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "a@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "a@example.com",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def _settings(ns: str, title: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": ns},
        "data": {"title": title, "script": f"echo one\n{ATTACK}\necho two\n"},
    }


def _write(repo: Path, name: str, docs: list[dict[str, Any]]) -> None:
    (repo / name).write_text(yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True))


@pytest.fixture
def hostile(cluster: ClusterInfo, namespace: str, tmp_path: Path) -> Iterator[Hostile]:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    ghost = _settings(namespace, "x")
    ghost["metadata"]["name"] = f"ghost{ATTACK}"  # Git may say anything; a server would refuse
    _write(repo, "app.yaml", [_settings(namespace, "first")])
    _write(repo, "ghost.yaml", [ghost])
    (repo / BROKEN).write_text("a: [unclosed\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Declare the app")
    _write(repo, "app.yaml", [_settings(namespace, "second")])
    _git(repo, "commit", "-q", "-am", EVIL_SUBJECT, author=EVIL_AUTHOR)
    sha = _git(repo, "rev-parse", "HEAD")
    # Git applied by the GitOps operator, then a tenant rewrites the value with escapes.
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    status, body = harness.request(
        cluster,
        "POST",
        f"{path}?fieldManager=argocd-controller",
        _settings(namespace, "second"),
    )
    assert status == 201, body
    tenant = {"data": {"title": f"tenant {ATTACK} <b>bold</b> a|b", "script": "echo one\n"}}
    status, body = harness.request(
        cluster,
        "PATCH",
        f"{path}/settings?fieldManager=kubectl-edit",
        tenant,
        content_type="application/merge-patch+json",
    )
    assert status == 200, body
    yield Hostile(cluster, namespace, repo, sha)


def _assert_no_raw(outputs: dict[str, str]) -> None:
    reached = sorted({name for name, text in outputs.items() for char in RAW if char in text})
    assert reached == [], f"raw escapes reached the terminal from: {reached}"


def test_diff_history_and_blame_show_escapes_and_send_none(hostile: Hostile) -> None:
    diff = hostile.run("diff")
    blame = hostile.run("diff", "--blame")
    history = hostile.run("history", "ConfigMap/settings")
    revert = hostile.run("revert", hostile.sha, "--dry-run")
    assert diff.returncode == 2, diff.stderr  # the broken file is an error, the rest is shown
    assert blame.returncode == 2 and history.returncode == 0 and revert.returncode == 0
    outputs = {
        "diff": diff.stdout + diff.stderr,
        "blame": blame.stdout + blame.stderr,
        "history": history.stdout + history.stderr,
        "revert": revert.stdout + revert.stderr,
    }
    _assert_no_raw(outputs)
    lines = diff.stdout.splitlines()
    ns = hostile.namespace
    # the name only Git declares, in caret notation; its YAML in YAML's escaped form
    assert (
        f"--- git/{ns}/ConfigMap/ghost^[]0;pwned^G^[[2J^[]52;c;ZXZpbA==^G\\u202egnp\\u009b31m"
        in lines
    )
    assert '+  name: "ghost\\e]0;pwned\\a\\e[2J\\e]52;c;ZXZpbA==\\a\\u202egnp\\x9b31m"' not in lines
    assert '-  name: "ghost\\e]0;pwned\\a\\e[2J\\e]52;c;ZXZpbA==\\a\\u202egnp\\x9b31m"' in lines
    # the multi-line value in Git, and the tenant's live value
    assert (
        '-  script: "echo one\\n\\e]0;pwned\\a\\e[2J\\e]52;c;ZXZpbA==\\a\\u202egnp\\x9b31m\\necho two\\n"'
        in lines
    )
    assert (
        '+  title: "tenant \\e]0;pwned\\a\\e[2J\\e]52;c;ZXZpbA==\\a\\u202egnp\\x9b31m <b>bold</b> a|b"'
        in lines
    )
    assert any(line.startswith(f"error: {BROKEN[:6]}^[]0;pwned^G") for line in lines)
    author = "Mal^[]0;pwned^G^[[2J^[]52;c;ZXZpbA==^G\\u202egnp\\u009b31mlory"
    assert any(
        line.endswith(f"Git value from {hostile.sha[:12]} by {author}")
        for line in blame.stdout.splitlines()
    )
    subject = "tune title ^[]0;pwned^G^[[2J"
    assert subject in history.stdout and author in history.stdout
    assert "Revert" in revert.stdout and "\\x1b]0;pwned\\x07" in revert.stdout


def test_reports_escape_for_their_format_and_name_every_problem(hostile: Hostile) -> None:
    runs = {fmt: hostile.run("report", "--format", fmt) for fmt in ("json", "markdown", "junit")}
    for fmt, run in runs.items():
        assert run.returncode == 2, (fmt, run.stderr)  # the broken file
    _assert_no_raw({fmt: run.stdout + run.stderr for fmt, run in runs.items()})

    doc = json.loads(runs["json"].stdout)  # JSON keeps the exact value, JSON-escaped
    assert [p["path"] for p in doc["problems"]] == [BROKEN]
    settings = next(o for o in doc["objects"] if o["name"] == "settings")
    title = next(d for d in settings["differences"] if d["path"] == "data.title")
    assert title["live"] == f"tenant {ATTACK} <b>bold</b> a|b"

    markdown = runs["markdown"].stdout
    assert "<b>" not in markdown and "&lt;b&gt;bold&lt;/b&gt;" in markdown
    assert "tenant ^\\[\\]0;pwned^G^\\[\\[2J" in markdown
    assert "- problem: broken^\\[\\]0;pwned^G" in markdown

    suite = ET.fromstring(runs["junit"].stdout.encode())
    assert int(suite.get("errors") or 0) >= 1
    problem = next(c for c in suite if c.get("classname") == "driftui.problems")
    assert str(problem.get("name")).startswith("broken^[]0;pwned^G")
    failures = "\n".join(f.text or "" for f in suite.iter("failure"))
    assert (
        "live=tenant ^[]0;pwned^G^[[2J^[]52;c;ZXZpbA==^G\\u202egnp\\u009b31m <b>bold</b> a|b"
        in failures
    )
    assert "a\\|b" not in runs["junit"].stdout
