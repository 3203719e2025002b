"""A remote that cannot be fetched: every command says so, every report carries it, and
--fail-on-stale makes it an error (as Argo CD shows a comparison error)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from driftui.live.snapshot import Snapshot, write_snapshot
from tests.drift_scenario import write_repo
from tests.gitserver import make_bare, serve_git


def cli(*argv: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_stale_source_is_said_everywhere_and_can_be_an_error(tmp_path: Path) -> None:
    work = tmp_path / "work"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}}
    write_repo(work, {"a.yaml": [cm]})
    root = tmp_path / "srv"
    root.mkdir()
    make_bare(root, "app.git", work)
    snap = tmp_path / "live.json"
    write_snapshot(Snapshot(objects=[cm], server="https://127.0.0.1:1"), snap)
    cache = tmp_path / "cache"
    with serve_git(root) as base:
        url = f"{base}/app.git"
        fresh = cli("report", "--repo", url, "--live", str(snap), cache=cache)
        assert fresh.returncode == 0, fresh.stderr
        assert json.loads(fresh.stdout)["source"]["stale"] is False
        assert fresh.stderr == ""

    # the server is gone: the last fetched commit is used, and nobody may miss it
    for fmt in ("json", "markdown", "junit"):
        run = cli("report", "--format", fmt, "--repo", url, "--live", str(snap), cache=cache)
        assert run.returncode == 0, run.stderr  # in sync, as far as the old commit goes
        assert run.stderr.startswith(f"warning: stale: fetch from {url} failed:"), run.stderr
        if fmt == "json":
            doc = json.loads(run.stdout)
            assert doc["source"]["stale"] is True and doc["source"]["fetched"]
            assert doc["warnings"][0].startswith("stale: fetch from")
        elif fmt == "markdown":
            assert "### Warnings" in run.stdout and "stale: fetch from" in run.stdout
        else:
            suite = ET.fromstring(run.stdout)
            props = {p.get("name"): p.get("value") for p in suite.iter("property")}
            assert props["driftui.source.stale"] == "true"
            assert "stale: fetch from" in (suite.findtext("system-err") or "")

    strict = cli("report", "--fail-on-stale", "--repo", url, "--live", str(snap), cache=cache)
    assert strict.returncode == 2
    assert strict.stderr.startswith("error: stale source: fetch from")
    assert strict.stderr.count("\n") == 1 and strict.stdout == ""
