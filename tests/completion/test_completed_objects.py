"""What object completion offers, the commands take: kubectl's spellings of a kind (the
resource ``configmaps``, with its group ``deployments.apps``) reach the same object in
``history`` and in sync selectors as the kind itself does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.cli.selectors import select
from driftui.live.discovery import guess_resource
from driftui.model import DriftResult, Fidelity, ObjectRef, Status
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.completion.test_completion import PATIENT, bash_script, complete
from tests.drift_scenario import write_repo

__all__ = ["bash_script"]  # the fixture


@pytest.mark.cluster
def test_a_completed_object_is_one_history_takes(
    bash_script: Path, cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-settings"}}
    status, body = harness.request(
        cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", cm
    )
    assert status == 201, body
    write_repo(tmp_path / "repo", {"cm.yaml": [{**cm, "data": {"a": "1"}}]})
    flags = ["--kubeconfig", cluster.kubeconfig("admin"), "-n", namespace]
    [offered] = complete(bash_script, ["driftui", *flags, "history", "configmaps/"], PATIENT)
    assert offered == "configmaps/web-settings"
    flags += ["--repo", str(tmp_path / "repo"), "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-m", "driftui", "history", offered, *flags],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f'"object": "{namespace}/ConfigMap/web-settings"' in done.stdout


KINDS = st.sampled_from(
    [("apps", "Deployment"), ("", "ConfigMap"), ("networking.k8s.io", "Ingress"), ("", "Endpoints")]
)


@given(KINDS, st.sampled_from(["kind", "resource", "kind.group", "resource.group"]), st.booleans())
def test_a_selector_names_a_kind_as_kubectl_users_do(
    group_kind: tuple[str, str], spelling: str, upper: bool
) -> None:
    group, kind = group_kind
    ref = ObjectRef(group, kind, "shop", "web")
    result = DriftResult(ref, "v1", Status.DRIFTED, Fidelity.CLIENT_SIDE)
    name = {"kind": kind, "resource": guess_resource(group, kind)}[spelling.split(".")[0]]
    typed = f"{name}.{group}" if spelling.endswith(".group") and group else name
    typed = typed.upper() if upper else typed
    assert select([result], [f"{typed}/web"]) == [result]
    assert select([result], [f"shop/{typed}/w*"]) == [result]
    assert select([result], [f"{typed}/other"]) == []
