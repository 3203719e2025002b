"""driftui as users install it: a wheel built from a Git checkout, installed into a fresh
virtualenv, and run as ``driftui`` and as the kubectl plugin through the real kubectl.

Offline: the wheel is built with ``--no-build-isolation`` (setuptools and wheel are test
extras), and installed with ``--no-deps --no-index``; the fresh venv sees its dependencies
through a ``.pth`` line naming this venv's site-packages, whose own ``.pth`` files (the
editable install of driftui among them) are not processed, so ``driftui`` is the wheel's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

SOURCE = Path(__file__).resolve().parents[2]
SHIPPED = ("driftui", "pyproject.toml", "setup.py", "README.md")


@dataclass
class Installed:
    bin: Path
    commit: str  # the commit the wheel was built from

    def run(self, name: str, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / name), *argv],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **env},
            cwd=self.bin,  # never the source tree: `python -c` would import driftui from it
        )


def _git(repo: Path, *args: str) -> str:
    ident = ["-c", "user.name=t", "-c", "user.email=t@t"]
    done = subprocess.run(
        ["git", "-C", str(repo), *ident, *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _checkout(directory: Path) -> str:
    """The sources a release is built from, committed in a Git repository of their own."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_build_info.py")
    for name in SHIPPED:
        if (SOURCE / name).is_dir():
            shutil.copytree(SOURCE / name, directory / name, ignore=ignore)
        else:
            shutil.copy2(SOURCE / name, directory / name)
    _git(directory, "init", "-q")
    _git(directory, "add", "-A")
    _git(directory, "commit", "-qm", "release")
    return _git(directory, "rev-parse", "HEAD")


def _pip(*argv: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    (root / "src").mkdir()
    commit = _checkout(root / "src")
    _pip(
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(root / "dist"),
        str(root / "src"),
    )
    (wheel,) = (root / "dist").glob("driftui-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "driftui-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _pip("--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel))
    yield Installed(venv / "bin", commit)


def test_the_wheel_installs_a_working_driftui_with_its_styles(installed: Installed) -> None:
    where = installed.run(
        "python", "-c", "import driftui, pathlib; print(pathlib.Path(driftui.__file__).parent)"
    )
    package = Path(where.stdout.strip())
    assert package.is_relative_to(installed.bin.parent), "driftui came from outside the venv"
    assert (package / "tui" / "driftui.tcss").is_file()
    version = installed.run("driftui", "--version")
    assert version.returncode == 0, version.stderr
    lines = version.stdout.splitlines()
    assert lines[0] == "driftui 0.1.0"
    assert lines[1] == f"commit {installed.commit} (recorded at build time)"
    names = [line.split(" ")[0] for line in lines[2:5]]
    assert names == ["kubernetes", "textual", "GitPython"]
    assert all(line.split(" ")[1][0].isdigit() for line in lines[2:5])
    demo = installed.run("driftui", "demo", "--help")
    assert demo.returncode == 0 and demo.stdout.startswith("usage: driftui demo")
    completion = installed.run("driftui", "completion", "bash")
    assert completion.returncode == 0, completion.stderr
    assert f"_driftui_python={installed.bin / 'python'}" in completion.stdout.splitlines()
    plugin = installed.run("kubectl-driftui", "--help")
    assert plugin.returncode == 0 and plugin.stdout.startswith("usage: kubectl driftui")
    assert "--request-timeout" in plugin.stdout and "--context" in plugin.stdout


@pytest.fixture
def drifted_repo(cluster: ClusterInfo, namespace: str, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web"},
        "data": {"a": "git"},
    }
    (repo / "web.yaml").write_text(yaml.safe_dump(cm))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "web")
    live = {**cm, "data": {"a": "live"}}
    status, body = harness.request(
        cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", live
    )
    assert status == 201, body
    return repo


@pytest.mark.cluster
def test_kubectl_runs_the_plugin_and_its_global_flags_mean_what_they_mean_to_driftui(
    installed: Installed, cluster: ClusterInfo, namespace: str, drifted_repo: Path
) -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is built with the control plane and is on PATH in tests"
    path = f"{installed.bin}{os.pathsep}{os.environ['PATH']}"
    flags = ["--kubeconfig", cluster.kubeconfig("admin"), "--context", "admin@local"]
    flags += ["--request-timeout", "20s", "--repo", str(drifted_repo)]

    def kubectl_run(*argv: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PATH": path}
        return subprocess.run(
            [kubectl, *argv], capture_output=True, text=True, check=False, env=env
        )

    listed = kubectl_run("plugin", "list")
    assert str(installed.bin / "kubectl-driftui") in listed.stdout, listed.stderr
    direct = installed.run("driftui", "diff", "-n", namespace, *flags)
    assert direct.returncode == 1, direct.stderr
    assert f"--- git/{namespace}/ConfigMap/web" in direct.stdout and "+  a: live" in direct.stdout
    for argv in (
        ["driftui", "diff", "-n", namespace, *flags],
        ["driftui", "--namespace", namespace, "diff", *flags],  # before the verb, too
        ["driftui", "diff", f"--namespace={namespace}", *flags],
    ):
        plugin = kubectl_run(*argv)
        assert (plugin.returncode, plugin.stdout) == (1, direct.stdout), plugin.stderr
    # Without -n, the context's namespace ("default"), where the ConfigMap is missing.
    elsewhere = kubectl_run("driftui", "diff", *flags)
    assert "--- git/default/ConfigMap/web" in elsewhere.stdout, elsewhere.stderr
    plain = installed.run("driftui", "diff", *flags)
    assert (elsewhere.returncode, elsewhere.stdout) == (plain.returncode, plain.stdout)
    wrong = kubectl_run(
        "driftui", "diff", "-n", namespace, *flags[:2], "--context", "nope", *flags[4:]
    )
    assert wrong.returncode == 2 and "nope" in wrong.stderr
    # kubectl (1.26+) completes the plugin's arguments through kubectl_complete-driftui.
    commands = kubectl_run("__complete", "driftui", "re")
    assert commands.stdout.splitlines() == ["report", "revert", "reconcile", "resume", ":4"]
    contexts = kubectl_run("__complete", "driftui", "diff", *flags[:2], "--context", "")
    assert contexts.stdout.splitlines() == ["admin@local", ":4"], contexts.stderr
    timeout = kubectl_run("driftui", "diff", *flags[:4], "--request-timeout", "soon")
    assert timeout.returncode == 2 and "--request-timeout" in timeout.stderr
