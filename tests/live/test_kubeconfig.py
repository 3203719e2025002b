"""Kubeconfig conventions against the real API server: KUBECONFIG lists, --context, exec plugins."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from driftui.gate import MutationGate
from driftui.live import kubeconfig
from driftui.live.client import ClusterClient
from driftui.live.contexts import context_names, context_servers
from driftui.live.errors import ApiError, ClusterError
from tests.cluster.harness import ClusterInfo

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def base_config(cluster: ClusterInfo) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(Path(cluster.kubeconfig("admin")).read_text())
    return config


def write(path: Path, config: dict[str, Any]) -> str:
    path.write_text(json.dumps(config))
    return str(path)


def one_user(cluster: ClusterInfo, name: str, user: dict[str, Any]) -> dict[str, Any]:
    config = base_config(cluster)
    config["users"] = [{"name": name, "user": user}]
    config["contexts"] = [{"name": name, "context": {"cluster": "local", "user": name}}]
    config["current-context"] = name
    return config


def exec_plugin(script: str) -> dict[str, Any]:
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": ["-c", script],
            "interactiveMode": "Never",
        }
    }


def test_kubeconfig_env_list_and_context_choose_the_user(
    cluster: ClusterInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = write(tmp_path / "admin", one_user(cluster, "admin", {"token": cluster.token("admin")}))
    nobody = write(
        tmp_path / "nobody", one_user(cluster, "nobody", {"token": cluster.token("nobody")})
    )
    monkeypatch.setenv("KUBECONFIG", f"{nobody}:{admin}")  # the first file's context is current
    gate = MutationGate(read_only=True)
    current = ClusterClient.from_kubeconfig(gate=gate)
    assert current.context == "nobody"
    with pytest.raises(ApiError) as forbidden:
        list(current.list_items(CONFIGMAPS))
    assert forbidden.value.status == 403
    chosen = ClusterClient.from_kubeconfig(context="admin", gate=gate)
    assert chosen.context == "admin"
    assert isinstance(list(chosen.list_items(CONFIGMAPS)), list)
    with pytest.raises(ClusterError, match='context "elsewhere" not found'):
        ClusterClient.from_kubeconfig(context="elsewhere", gate=gate)


def test_exec_plugin_supplies_the_token(cluster: ClusterInfo, tmp_path: Path) -> None:
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "kind": "ExecCredential",
        "status": {"token": cluster.token("viewer")},
    }
    plugin = exec_plugin(f"import json; print(json.dumps({credential!r}))")
    path = write(tmp_path / "exec", one_user(cluster, "plugin", plugin))
    client = ClusterClient.from_kubeconfig(path, gate=MutationGate())
    assert isinstance(list(client.list_items(CONFIGMAPS)), list)  # viewer may list
    # and is the viewer, as the server's own access review says (an admin may create)
    assert client.can_i("list", "", "configmaps", "default")
    assert not client.can_i("create", "", "configmaps", "default")


def test_failing_exec_plugin_is_one_clear_error(cluster: ClusterInfo, tmp_path: Path) -> None:
    secret = "s3cr3t-in-plugin-output"
    plugin = exec_plugin(f"import sys; print('{secret}', file=sys.stderr); sys.exit(3)")
    path = write(tmp_path / "exec", one_user(cluster, "plugin", plugin))
    with pytest.raises(ClusterError) as failed:
        client = ClusterClient.from_kubeconfig(path, gate=MutationGate(read_only=True))
        list(client.list_items(CONFIGMAPS))
    message = str(failed.value)
    assert "\n" not in message and secret not in message


def test_clients_of_many_contexts_share_one_parse_of_the_kubeconfig(
    cluster: ClusterInfo, tmp_path: Path
) -> None:
    """A scan of many contexts makes a client per context: the file is parsed once for all
    (the official loader parsed it twice per client), each client still its own user, and a
    file changed since is parsed again."""
    config = one_user(cluster, "admin", {"token": cluster.token("admin")})
    config["users"].append({"name": "nobody", "user": {"token": cluster.token("nobody")}})
    config["contexts"].append({"name": "nobody", "context": {"cluster": "local", "user": "nobody"}})
    path = write(tmp_path / "config", config)
    kubeconfig.forget()
    before = kubeconfig.parses(path)
    gate = MutationGate(read_only=True)
    admin = ClusterClient.from_kubeconfig(path, "admin", gate=gate)
    nobody = ClusterClient.from_kubeconfig(path, "nobody", gate=gate)
    assert context_names(path) == ["admin", "nobody"]
    assert [c for c, _ in context_servers(path)] == ["admin", "nobody"]
    assert kubeconfig.parses(path) - before == 1
    assert isinstance(list(admin.list_items(CONFIGMAPS)), list)
    with pytest.raises(ApiError) as forbidden:
        list(nobody.list_items(CONFIGMAPS))
    assert forbidden.value.status == 403

    config["contexts"].append({"name": "later", "context": {"cluster": "local", "user": "admin"}})
    write(tmp_path / "config", config)
    later = ClusterClient.from_kubeconfig(path, "later", gate=gate)
    assert isinstance(list(later.list_items(CONFIGMAPS)), list)
    assert kubeconfig.parses(path) - before == 2
