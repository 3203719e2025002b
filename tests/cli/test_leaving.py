"""The program ends with os._exit once a command is done (driftui.cli.leaving): the exit
handlers run, the heap is not torn down, and the exit code, stdout and files written are
the command's, on the real control plane."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from driftui.cli.exits import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo

APPLY = "application/apply-patch+yaml"


def _python(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def test_it_runs_the_exit_handlers_and_skips_the_teardown(tmp_path: Path) -> None:
    done = _python(
        """
        import atexit, sys
        from driftui.cli.leaving import leave

        class Kept:
            def __del__(self):
                print("torn down", flush=True)

        kept = Kept()
        atexit.register(print, "exit handler ran")
        sys.stdout.write("written, not yet flushed;")
        leave(3)
        print("not reached")
        """,
        tmp_path,
    )
    assert done.returncode == 3
    assert done.stdout == "written, not yet flushed;exit handler ran\n"


def test_a_running_thread_is_waited_for_as_before(tmp_path: Path) -> None:
    done = _python(
        """
        import sys, threading
        from pathlib import Path
        from driftui.cli.leaving import leave

        go = threading.Event()
        worker = threading.Thread(target=lambda: go.wait() and Path("done").write_text("yes"))
        worker.start()
        code = leave(3)  # the worker still runs: the process must not end here
        go.set()
        sys.exit(code)
        """,
        tmp_path,
    )
    assert done.returncode == 3, done.stderr
    assert (tmp_path / "done").read_text() == "yes"


def _configmap(ns: str, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": {"colour": "blue"},
    }


def _report(
    cluster: ClusterInfo, repo: Path, ns: str, tmp: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`driftui report` as users run it, its temporary files in ``tmp``."""
    argv = [sys.executable, "-m", "driftui", "report", "--repo", str(repo), "-n", ns]
    argv += ["--kubeconfig", cluster.kubeconfig("admin"), "--no-fetch", *extra]
    env = {**os.environ, "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp.parent / "cache")}
    return subprocess.run(argv, capture_output=True, text=True, check=False, env=env)


def test_the_report_command_keeps_its_exit_codes_output_and_files(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    objects = [_configmap(namespace, "web"), _configmap(namespace, "api")]
    repo, tmp = tmp_path / "repo", tmp_path / "tmp"
    write_repo(repo, {"app.yaml": objects})
    tmp.mkdir()
    for obj in objects:
        path = f"/api/v1/namespaces/{namespace}/configmaps/{obj['metadata']['name']}"
        query = "?fieldManager=argocd-controller&force=true"
        status, body = harness.request(cluster, "PATCH", path + query, obj, content_type=APPLY)
        assert status in (200, 201), body

    in_sync = _report(cluster, repo, namespace, tmp)
    assert in_sync.returncode == EXIT_OK, in_sync.stderr
    assert json.loads(in_sync.stdout)["summary"]["in_sync"] == 2

    status, body = harness.request(
        cluster,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/configmaps/web?fieldManager=kubectl-edit",
        {"data": {"colour": "red"}},
        content_type="application/merge-patch+json",
    )
    assert status == 200, body
    written = tmp_path / "report.json"
    drifted = _report(cluster, repo, namespace, tmp, "--output", str(written))
    assert drifted.returncode == EXIT_DRIFT, drifted.stderr
    report = json.loads(written.read_text())  # whole: written and closed before the exit
    assert report["summary"]["drifted"] == 1 and written.read_text().endswith("}\n")
    # the kubernetes client's certificate file (the kubeconfig's CA data) was deleted by
    # its exit handler, which ran before the process ended
    assert list(tmp.iterdir()) == []

    broken = _report(cluster, tmp_path / "no-such-repo", namespace, tmp)
    assert broken.returncode == EXIT_ERROR
    assert broken.stderr.startswith("error: ") and broken.stdout == ""
