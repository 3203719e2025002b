"""Where each app deploys, as a kubeconfig context: :mod:`.destinations` applied to apps
read from one cluster, with the clusters Argo CD registered there by name.

``spec.destination.name`` resolves through the clusters Argo CD registered.

Argo CD keeps each cluster in a Secret labelled ``argocd.argoproj.io/secret-type: cluster``
whose ``name`` and ``server`` keys say what it is called and where it is; its ``config``
key holds credentials. Only ``name`` and ``server`` are decoded here, and the rest of each
Secret is dropped at once: nothing else of them leaves this module.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from driftui.gitops.app_specs import APPLICATION, App
from driftui.gitops.apps import DEFAULT_ARGOCD_NAMESPACE
from driftui.gitops.destinations import (
    IN_CLUSTER_NAME,
    KubeContext,
    Placement,
    destination_of,
    place,
)
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ClusterError

CLUSTER_SECRET_SELECTOR = "argocd.argoproj.io/secret-type=cluster"


def _decoded(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        return ""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8").strip()
    except (binascii.Error, UnicodeDecodeError):
        return ""


def cluster_names(secrets: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """name -> server of each cluster Secret that has both; the first of a name wins."""
    out: dict[str, str] = {}
    for secret in secrets:
        data = secret.get("data")
        data = data if isinstance(data, Mapping) else {}
        name, server = _decoded(data, "name"), _decoded(data, "server")
        if name and server:
            out.setdefault(name, server)
    return out


def read_cluster_names(client: ClusterClient, namespaces: Iterable[str]) -> dict[str, str] | None:
    """Argo CD's cluster names in ``namespaces`` (its control-plane namespaces); None when
    not one of them could be read (no permission on Secrets, the server unreachable)."""
    found: dict[str, str] = {}
    read_any = False
    for namespace in sorted(set(namespaces)):
        path = object_path("", "v1", "secrets", namespace=namespace)
        try:
            items = list(client.list_items(path, label_selector=CLUSTER_SECRET_SELECTOR))
        except ClusterError:
            continue
        read_any = True
        for name, server in cluster_names(items).items():
            found.setdefault(name, server)
    return found if read_any else None


def app_placements(
    client: ClusterClient, apps: Sequence[App], contexts: Sequence[KubeContext]
) -> dict[tuple[str, str, str], Placement]:
    """The context each app of ``apps`` (read through ``client``) deploys to, by app key.

    Argo CD's cluster Secrets are read only when an app names its cluster by a name other
    than ``in-cluster``, in Argo CD's namespace and those its Applications live in.
    """
    home = KubeContext(client.context, client.server)
    destinations = {app.key: destination_of(app) for app in apps}
    names: Mapping[str, str] | None = {}
    if any(d.name and d.name != IN_CLUSTER_NAME for d in destinations.values()):
        where = {DEFAULT_ARGOCD_NAMESPACE} | {a.namespace for a in apps if a.kind == APPLICATION}
        names = read_cluster_names(client, where)
    return {key: place(d, home, contexts, names) for key, d in destinations.items()}
