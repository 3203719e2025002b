"""Session-wide fixtures: one real control plane per test session, a fresh namespace per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.cluster import build, harness
from tests.cluster.gitops import install_gitops_crds
from tests.cluster.harness import ClusterInfo

# Hypothesis's deadline is a timed assertion: a loaded CI machine fails it on no defect.
settings.register_profile("driftui", deadline=None)
settings.load_profile("driftui")

_SESSION_DIRS: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    # kustomize and helm are real binaries built with the control plane; tests find them on PATH.
    dirs = [str(d) for d in build.path_dirs() if d.is_dir()]
    os.environ["PATH"] = os.pathsep.join([*dirs, os.environ.get("PATH", "")])
    os.environ.setdefault("DRIFTUI_TESTBIN", str(build.cache_root()))  # before the cache moves
    # Snapshot keys, suspension records, clones, renders and dry-run defaults go to
    # directories of the session's own, never the developer's (subprocesses inherit them).
    for variable, prefix in (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        _SESSION_DIRS.append(tempfile.mkdtemp(prefix=f"driftui-test-{prefix}-"))
        os.environ[variable] = _SESSION_DIRS[-1]
    os.environ.pop("DRIFTUI_SNAPSHOT_KEY", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    for directory in _SESSION_DIRS:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster() -> Iterator[ClusterInfo]:
    """A running etcd + kube-apiserver. Missing binaries fail loudly: never a silent skip.

    Set DRIFTUI_CLUSTER_DIR to reuse a control plane started with ``python -m tests.cluster up``.
    """
    reuse = os.environ.get("DRIFTUI_CLUSTER_DIR")
    if reuse:
        yield harness.load(reuse)
        return
    directory = Path(tempfile.mkdtemp(prefix="driftui-cluster-"))
    try:
        info = harness.up(directory)
    except harness.ClusterError as exc:
        pytest.fail(f"cannot start the local control plane: {exc}", pytrace=False)
    try:
        yield info
    finally:
        harness.down(directory)


@pytest.fixture
def namespace(cluster: ClusterInfo) -> Iterator[str]:
    with harness.temporary_namespace(cluster) as name:
        yield name


@pytest.fixture
def second_namespace(cluster: ClusterInfo) -> Iterator[str]:
    with harness.temporary_namespace(cluster) as name:
        yield name


@pytest.fixture
def doomed_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterInfo]:
    """A control plane of its own, for tests that kill or restart it."""
    directory = tmp_path_factory.mktemp("doomed")
    try:
        info = harness.up(directory)
    except harness.ClusterError as exc:
        pytest.fail(f"cannot start a local control plane: {exc}", pytrace=False)
    try:
        yield info
    finally:
        harness.down(directory)


@pytest.fixture(scope="session")
def gitops_crds(cluster: ClusterInfo) -> None:
    """The Argo CD and Flux kinds with their upstream names and scope, readable by ``view``."""
    install_gitops_crds(cluster)
