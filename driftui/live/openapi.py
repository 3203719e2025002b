"""The server's OpenAPI v3 documents, so CRD list keys are honoured too.

Only the group-versions a scan needs are fetched. The comparison layer turns them into
merge keys; this module only reads them, and any failure leaves a document out. The
index names each document by a URL that carries the document's hash, so equal URLs are
equal documents, whichever cluster served them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from driftui.live.client import ClusterClient
from driftui.live.errors import ClusterError


def _path(api_version: str) -> str:
    return f"apis/{api_version}" if "/" in api_version else f"api/{api_version}"


def openapi_urls(client: ClusterClient, api_versions: Iterable[str]) -> dict[str, str]:
    """``{"apis/apps/v1": "/openapi/v3/apis/apps/v1?hash=…", ...}`` for the versions the server
    documents; empty when the index cannot be read."""
    try:
        index = client.get("/openapi/v3").get("paths") or {}
    except (ClusterError, ValueError, AttributeError):
        return {}
    urls: dict[str, str] = {}
    for api_version in sorted(set(api_versions)):
        path = _path(api_version)
        entry = index.get(path)
        if not entry:
            continue
        url = entry.get("serverRelativeURL") if isinstance(entry, dict) else None
        urls[path] = str(url or f"/openapi/v3/{path}")
    return urls


def fetch_openapi_docs(client: ClusterClient, api_versions: Iterable[str]) -> dict[str, Any]:
    """``{"apis/apps/v1": document, ...}`` for the versions asked; empty when none can be read."""
    return fetch_docs(client, openapi_urls(client, api_versions))


def fetch_docs(client: ClusterClient, urls: dict[str, str]) -> dict[str, Any]:
    """The documents of :func:`openapi_urls`; one that cannot be read is left out."""
    docs: dict[str, Any] = {}
    for path in urls:
        try:
            docs[path] = client.get("/openapi/v3/" + path)
        except (ClusterError, ValueError):
            continue
    return docs
