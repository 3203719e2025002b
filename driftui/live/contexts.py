"""The contexts a kubeconfig names: what ``--all-contexts`` scans."""

from __future__ import annotations

import os
from typing import Any

from driftui.live import kubeconfig as kubeconfig_file
from driftui.live.errors import KubeconfigError


def context_names(kubeconfig: str | None = None) -> list[str]:
    """Every context of --kubeconfig, else $KUBECONFIG, else ~/.kube/config, in file order."""
    from kubernetes.config.config_exception import ConfigException

    path = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    try:
        contexts = kubeconfig_file.loader(path).list_contexts()
    except (ConfigException, OSError, TypeError, KeyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KubeconfigError(f"invalid kubeconfig: {first}") from None
    names = [str(c["name"]) for c in contexts or [] if isinstance(c, dict) and c.get("name")]
    if not names:
        raise KubeconfigError(f"no contexts in kubeconfig {path}")
    return names


def context_servers(kubeconfig: str | None = None) -> list[tuple[str, str]]:
    """(context, its cluster's server URL) of every context, in file order; a context whose
    cluster entry is missing has the URL "" (it matches no destination)."""
    from kubernetes.config.config_exception import ConfigException

    path = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    try:
        merged = kubeconfig_file.merged(path).config
    except (ConfigException, OSError, ValueError) as exc:
        raise KubeconfigError(f"invalid kubeconfig: {str(exc).splitlines()[0]}") from None
    if merged is None:
        raise KubeconfigError(f"no kubeconfig at {path}")
    servers = {
        _field(node, "name"): _field(_field(node, "cluster"), "server")
        for node in merged.value.get("clusters") or []
    }
    out = []
    for node in merged.value.get("contexts") or []:
        name, cluster = _field(node, "name"), _field(_field(node, "context"), "cluster")
        if name:
            out.append((name, servers.get(cluster, "") if cluster else ""))
    return out


def _field(node: Any, key: str) -> Any:
    """A key of a kubeconfig entry (the merger wraps entries in ConfigNodes); "" if absent."""
    value = getattr(node, "value", node)
    return value.get(key, "") if isinstance(value, dict) else ""
