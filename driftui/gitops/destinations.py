"""Which kubeconfig context an app deploys to: Argo CD's ``spec.destination`` matched to a
context by the cluster's server URL.

An Argo CD Application names its cluster by ``server`` URL or by ``name`` (a cluster Argo CD
registered, whose Secret gives its URL); ``https://kubernetes.default.svc`` and the name
``in-cluster`` mean the cluster the Application itself lives in. driftui reaches clusters
through the user's kubeconfig, so the URL is matched to a context's server. An app whose
cluster no context reaches gets a placement with a problem that says so, never a silent
skip. Flux apps deploy to the cluster they live in (``spec.kubeConfig`` aside, which this
module reports as a problem rather than guess).

Pure functions: the contexts, the home context and Argo CD's cluster names are handed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from driftui.gitops.app_specs import APPLICATION, App

IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
"""Argo CD's address of the cluster it runs in (``KubernetesInternalAPIServerAddr``)."""
IN_CLUSTER_NAME = "in-cluster"
"""The name Argo CD gives that cluster unless a cluster Secret renames it."""
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class KubeContext:
    """A kubeconfig context and the server URL of its cluster."""

    name: str
    server: str


@dataclass(frozen=True)
class Destination:
    """Where an app says its objects go: a server URL, or a cluster name; both empty means
    the app's own cluster (Flux)."""

    server: str = ""
    name: str = ""
    remote_secret: str = ""  # Flux spec.kubeConfig.secretRef.name: a cluster we cannot see


@dataclass(frozen=True)
class Placement:
    """The context an app's objects are read through, or why there is none."""

    context: str  # "" when no context reaches the cluster
    server: str  # the cluster's URL as resolved ("" when it could not be)
    problem: str = ""

    @property
    def found(self) -> bool:
        return bool(self.context) and not self.problem


def destination_of(app: App) -> Destination:
    """The destination an app's own spec names."""
    spec = app.body.get("spec") if isinstance(app.body, Mapping) else None
    spec = spec if isinstance(spec, Mapping) else {}
    if app.kind == APPLICATION:
        dest = spec.get("destination")
        dest = dest if isinstance(dest, Mapping) else {}
        return Destination(_text(dest.get("server")), _text(dest.get("name")))
    remote = spec.get("kubeConfig")
    secret = remote.get("secretRef") if isinstance(remote, Mapping) else None
    if isinstance(secret, Mapping):
        return Destination(remote_secret=_text(secret.get("name")) or "?")
    return Destination()


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def same_server(a: str, b: str) -> bool:
    """Two API server URLs name one endpoint: scheme and host are case-blind, the default
    port may be written or not, and a trailing slash does not count (as Argo CD trims it)."""
    return bool(a and b) and _canonical(a) == _canonical(b)


def _canonical(url: str) -> tuple[str, str, int | None, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # not a URL (a bad port, a broken IPv6 address): the text as it is
        return ("", url.strip().lower().rstrip("/"), None, "")
    host = (parts.hostname or "").lower()
    return (parts.scheme.lower(), host, port, parts.path.rstrip("/"))


def place(
    destination: Destination,
    home: KubeContext,
    contexts: Sequence[KubeContext],
    cluster_names: Mapping[str, str] | None = None,
) -> Placement:
    """The context for ``destination`` of an app read through ``home``.

    ``contexts`` are the kubeconfig's, in file order; ``cluster_names`` maps Argo CD's
    cluster names to server URLs (from its cluster Secrets), None when they could not be
    read. Where several contexts reach one server, ``home`` is preferred (the credentials the
    user chose), else the first in the file.
    """
    if destination.remote_secret:
        return Placement(
            "",
            "",
            f"deploys through spec.kubeConfig (Secret {destination.remote_secret}) to a cluster"
            " driftui cannot match to a kubeconfig context",
        )
    if destination.server and destination.name:
        return Placement(
            "", "", "spec.destination names both server and name (Argo CD refuses that)"
        )
    server = destination.server
    if destination.name:
        named = (cluster_names or {}).get(destination.name)
        if named is None and destination.name != IN_CLUSTER_NAME:
            why = (
                "no Argo CD cluster of that name"
                if cluster_names is not None
                else ("Argo CD's cluster Secrets could not be read")
            )
            return Placement("", "", f"cluster name {destination.name!r} unknown: {why}")
        server = named or IN_CLUSTER_SERVER
    if not server or same_server(server, IN_CLUSTER_SERVER):
        return Placement(home.name, home.server)
    return match_server(server, home, contexts)


def match_server(server: str, home: KubeContext, contexts: Sequence[KubeContext]) -> Placement:
    """The context whose cluster is ``server``; a problem naming the URL when none is."""
    if same_server(server, home.server):
        return Placement(home.name, home.server)
    for context in contexts:
        if same_server(server, context.server):
            return Placement(context.name, context.server)
    return Placement("", server, f"no kubeconfig context for {server}")
