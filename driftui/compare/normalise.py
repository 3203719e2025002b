"""Bring Git's object and the live object into one comparable shape.

The API server adds bookkeeping (uid, resourceVersion, managedFields, status), rewrites
quantities and fills defaults. Normalising both sides the same way removes that noise
before any comparison, so what is left is what an operator would call a difference.
"""

from __future__ import annotations

import base64
from typing import Any

from driftui.compare.masking import is_masked
from driftui.compare.merge_keys import MergeKeys
from driftui.compare.quantities import canonical_quantity
from driftui.model import group_of

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
DROPPED_METADATA = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
DROPPED_ANNOTATIONS = (LAST_APPLIED, "deployment.kubernetes.io/revision")

# Maps whose values are all quantities, wherever they appear.
_QUANTITY_MAPS = frozenset({"limits", "requests", "hard", "capacity", "allocatable", "podFixed"})
# LimitRange items name their quantity maps differently.
_LIMIT_RANGE_MAPS = frozenset({"default", "defaultRequest", "max", "min", "maxLimitRequestRatio"})
# Single quantity values.
_QUANTITY_FIELDS = frozenset({"sizeLimit"})
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})


def normalise(obj: dict[str, Any], merge_keys: MergeKeys | None = None) -> dict[str, Any]:
    """A new, normalised copy of ``obj``; the input is never modified.

    ``merge_keys`` is accepted so callers normalise with the same knowledge they compare
    with; the rules here only depend on field names.
    """
    del merge_keys  # the rules below are all name-based; kept for a stable signature
    kind = str(obj.get("kind", ""))
    group = group_of(str(obj.get("apiVersion", "")))
    out: dict[str, Any] = _copy(obj, ())
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        _normalise_metadata(meta)
    if group == "" and kind == "Secret":
        _fold_string_data(out)
    _normalise_protocols(out, group, kind)
    if group == "" and kind == "LimitRange":
        _normalise_limit_range(out)
    return out


def _copy(value: Any, path: tuple[str, ...]) -> Any:
    """Deep copy that drops nulls and canonicalises quantity fields on the way."""
    if isinstance(value, dict):
        parent = path[-1] if path else ""
        in_quantity_map = parent in _QUANTITY_MAPS
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            quantity = in_quantity_map or key in _QUANTITY_FIELDS
            if quantity and not isinstance(item, dict | list):
                out[key] = canonical_quantity(item)
                continue
            out[key] = _copy(item, (*path, str(key)))
        return out
    if isinstance(value, list):
        return [_copy(item, (*path, "[]")) for item in value]
    return value


def _normalise_metadata(meta: dict[str, Any]) -> None:
    for key in DROPPED_METADATA:
        meta.pop(key, None)
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        for key in DROPPED_ANNOTATIONS:
            annotations.pop(key, None)
    for key in ("annotations", "labels"):
        if meta.get(key) == {}:
            del meta[key]


def _fold_string_data(secret: dict[str, Any]) -> None:
    """``stringData`` is write-only sugar for ``data``; the server folds it the same way."""
    string_data = secret.pop("stringData", None)
    if not isinstance(string_data, dict) or not string_data:
        return
    data = secret.get("data")
    data = dict(data) if isinstance(data, dict) else {}
    for key, value in string_data.items():
        text = value if isinstance(value, str) else str(value)
        data[key] = text if is_masked(text) else base64.b64encode(text.encode()).decode()
    secret["data"] = data


def _default_protocol(ports: Any) -> None:
    if isinstance(ports, list):
        for port in ports:
            if isinstance(port, dict) and "protocol" not in port:
                port["protocol"] = "TCP"


def _normalise_protocols(obj: dict[str, Any], group: str, kind: str) -> None:
    spec = obj.get("spec")
    if group == "" and kind == "Service" and isinstance(spec, dict):
        _default_protocol(spec.get("ports"))
    _container_ports(obj)


def _container_ports(value: Any) -> None:
    """Every container list anywhere (pods, templates, CronJob job templates)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _CONTAINER_LISTS and isinstance(item, list):
                for container in item:
                    if isinstance(container, dict):
                        _default_protocol(container.get("ports"))
            elif isinstance(item, dict):
                _container_ports(item)


def _normalise_limit_range(obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    limits = spec.get("limits") if isinstance(spec, dict) else None
    if not isinstance(limits, list):
        return
    for item in limits:
        if not isinstance(item, dict):
            continue
        for key in _LIMIT_RANGE_MAPS:
            values = item.get(key)
            if isinstance(values, dict):
                item[key] = {k: canonical_quantity(v) for k, v in values.items()}
