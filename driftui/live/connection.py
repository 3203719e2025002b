"""The connection a kubeconfig names: kubectl's rules for picking the context, the official
client's loader for everything it knows (exec and auth-provider plugins, TLS), and our own
pool size, retries and token refresh set on top.

Kept apart from :mod:`.client`, which sends requests over the connection made here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from driftui.live import kubeconfig as kubeconfig_file
from driftui.live.errors import KubeconfigError
from driftui.live.patience import Clock
from driftui.live.token_refresh import ThrottledRefresh


@dataclass(frozen=True)
class Connection:
    """The official client's ``ApiClient``, with the context it was made for."""

    api: Any
    context: str
    namespace: str


def first_current_context(path: str) -> str | None:
    """kubectl's rule for a KUBECONFIG list: the first file that sets current-context wins.

    The Python client's merger lets the last one win, so a ``KUBECONFIG=mine:shared``
    setup would silently talk to the shared file's context.
    """
    for part in path.split(os.pathsep):
        try:
            config = yaml.safe_load(Path(part).expanduser().read_text()) if part else None
        except (OSError, yaml.YAMLError):
            continue  # kubectl skips files it cannot read; the loader reports real errors
        if isinstance(config, dict) and config.get("current-context"):
            return str(config["current-context"])
    return None


def connect(
    kubeconfig: str | None, context: str | None, pool_size: int, clock: Clock
) -> Connection:
    """Honour --kubeconfig, then $KUBECONFIG (colon-separated), then ~/.kube/config."""
    from kubernetes import client as k8s_client
    from kubernetes.config.config_exception import ConfigException

    path = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    try:
        listing = kubeconfig_file.loader(path)  # parsed once for every client of a run
        contexts, current = listing.list_contexts(), listing.current_context
        wanted = context or first_current_context(path)
        chosen = next((c for c in contexts if c["name"] == wanted), None) if wanted else current
        if chosen is None:
            raise KubeconfigError(f'context "{wanted}" not found in kubeconfig')
        configuration = k8s_client.Configuration()
        kubeconfig_file.loader(path, chosen["name"]).load_and_set(configuration)
    except (ConfigException, OSError, TypeError, KeyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KubeconfigError(f"invalid kubeconfig: {first}") from None
    configuration.connection_pool_maxsize = pool_size
    configuration.retries = False  # ClusterClient._send retries, by live/patience.py's rules
    ThrottledRefresh.install(configuration, clock)
    namespace = (chosen.get("context") or {}).get("namespace") or "default"
    return Connection(k8s_client.ApiClient(configuration), chosen["name"], namespace)
