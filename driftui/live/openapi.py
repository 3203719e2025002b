"""Merge keys from the server's OpenAPI v3, so CRD list keys are honoured too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from driftui.compare.merge_keys import MergeKeys
from driftui.live.client import ClusterClient, ClusterError


def fetch_merge_keys(client: ClusterClient, api_versions: Iterable[str]) -> MergeKeys:
    """Fetch only the group-versions the scan needs; any failure falls back to the table."""
    try:
        index = client.get("/openapi/v3").get("paths") or {}
    except (ClusterError, ValueError):
        return MergeKeys.builtin()
    docs: dict[str, dict[str, Any]] = {}
    for api_version in sorted(set(api_versions)):
        path = f"apis/{api_version}" if "/" in api_version else f"api/{api_version}"
        entry = index.get(path)
        if not entry:
            continue
        try:
            docs[path] = client.get("/openapi/v3/" + path)
        except (ClusterError, ValueError):
            continue
    return MergeKeys.from_openapi_v3(docs) if docs else MergeKeys.builtin()
