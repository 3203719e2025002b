"""Session-wide fixtures: one real control plane per test session, a fresh namespace per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster import build, harness
from tests.cluster.gitops import install_gitops_crds
from tests.cluster.harness import ClusterInfo


def pytest_configure(config: pytest.Config) -> None:
    # kustomize and helm are real binaries built with the control plane; tests find them on PATH.
    dirs = [str(d) for d in build.path_dirs() if d.is_dir()]
    os.environ["PATH"] = os.pathsep.join([*dirs, os.environ.get("PATH", "")])
    # Snapshot keys and suspension records go to a config directory of the session's own,
    # never the developer's (subprocesses inherit it).
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="driftui-test-config-")
    os.environ.pop("DRIFTUI_SNAPSHOT_KEY", None)


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
