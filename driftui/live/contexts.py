"""The contexts a kubeconfig names: what ``--all-contexts`` scans."""

from __future__ import annotations

import os

from driftui.live.errors import KubeconfigError


def context_names(kubeconfig: str | None = None) -> list[str]:
    """Every context of --kubeconfig, else $KUBECONFIG, else ~/.kube/config, in file order."""
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    path = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    try:
        contexts, _ = k8s_config.list_kube_config_contexts(config_file=path)  # type: ignore[no-untyped-call]
    except (ConfigException, OSError, TypeError, KeyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KubeconfigError(f"invalid kubeconfig: {first}") from None
    names = [str(c["name"]) for c in contexts or [] if isinstance(c, dict) and c.get("name")]
    if not names:
        raise KubeconfigError(f"no contexts in kubeconfig {path}")
    return names
