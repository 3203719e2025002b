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
_DROPPED_METADATA_SET = frozenset(DROPPED_METADATA)
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
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == "status" or value is None:
            continue
        if key == "metadata" and isinstance(value, dict):
            # skip managedFields & co. before copying: they are most of a live object
            meta = {k: v for k, v in value.items() if k not in _DROPPED_METADATA_SET}
            out[key] = _copy(meta, key)
            _normalise_metadata(out[key])
        else:
            out[key] = _copy(value, key)
    if group == "" and kind == "Secret":
        _fold_string_data(out)
    if group == "" and kind == "Service" and isinstance(out.get("spec"), dict):
        _default_protocol(out["spec"].get("ports"))
    if group == "" and kind == "LimitRange":
        _normalise_limit_range(out)
    return out


def null_data_as_empty(obj: dict[str, Any]) -> dict[str, Any]:
    """A ConfigMap or core Secret whose null data values read ``""``; others as they are.

    The API server stores a null ConfigMap or Secret value as ``""`` (a real one, asked:
    see tests/compare/test_empty_values.py), so Git's ``key:`` with no value and a
    live ``""`` are one value, as gitops-engine's ``NormalizeSecret`` also holds
    (argo-cd#943). Call it before masking, on both sides: masks of ``""`` are then equal.
    """
    kind = obj.get("kind")
    if kind not in ("ConfigMap", "Secret") or group_of(str(obj.get("apiVersion", ""))) != "":
        return obj
    out = obj
    for key in ("data", "binaryData", "stringData"):
        values = obj.get(key)
        if isinstance(values, dict) and None in values.values():
            out = {**out, key: {k: "" if v is None else v for k, v in values.items()}}
    return out


def _copy(value: Any, parent: str) -> Any:
    """Deep copy that drops nulls, canonicalises quantity fields and defaults container port
    protocols on the way (one pass: this runs twice per object on every scan)."""
    if type(value) is list:
        return [_copy(item, "[]") if type(item) in (dict, list) else item for item in value]
    if type(value) is not dict:
        return value
    in_quantity_map = parent in _QUANTITY_MAPS
    out: dict[str, Any] = {}
    for key, item in value.items():
        kind = type(item)
        if kind is dict or kind is list:
            out[key] = copied = _copy(item, key)
            if key in _CONTAINER_LISTS and kind is list:
                for container in copied:
                    if type(container) is dict:
                        _default_protocol(container.get("ports"))
        elif item is None:
            continue
        elif in_quantity_map or key in _QUANTITY_FIELDS:
            out[key] = canonical_quantity(item)
        else:
            out[key] = item
    return out


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
