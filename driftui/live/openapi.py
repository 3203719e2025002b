"""The server's OpenAPI v3 documents, so CRD list keys are honoured too.

Only the group-versions a scan needs are fetched. The comparison layer turns them into
merge keys; this module only reads them, and any failure leaves a document out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from driftui.live.client import ClusterClient
from driftui.live.errors import ClusterError


def fetch_openapi_docs(client: ClusterClient, api_versions: Iterable[str]) -> dict[str, Any]:
    """``{"apis/apps/v1": document, ...}`` for the versions asked; empty when none can be read."""
    try:
        index = client.get("/openapi/v3").get("paths") or {}
    except (ClusterError, ValueError):
        return {}
    docs: dict[str, Any] = {}
    for api_version in sorted(set(api_versions)):
        path = f"apis/{api_version}" if "/" in api_version else f"api/{api_version}"
        if not index.get(path):
            continue
        try:
            docs[path] = client.get("/openapi/v3/" + path)
        except (ClusterError, ValueError):
            continue
    return docs
