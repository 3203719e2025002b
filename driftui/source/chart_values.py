"""A Flux HelmChart's ``valuesFiles``: values files that replace a chart's own defaults.

source-controller (``internal/helm/chart/builder_local.go``) does not pass them to Helm as
``--values``: it merges them in order (``mergeFileValues``: each path relative to the
GitRepository's root, joined so that it cannot leave it; a missing file fails the chart
unless ``ignoreMissingValuesFiles``) and writes the result over the chart's ``values.yaml``
(``OverwriteChartDefaultValues``), so the chart's own defaults are gone, not merged under.
The HelmRelease's ``values``/``valuesFrom`` then override them as ``--values`` would.
driftui does the same in its temporary checkout, before ``helm template``.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from driftui.source.yaml_loader import SafeLoader

VALUES_FILE = "values.yaml"


class ChartValuesRefused(Exception):
    """A values file cannot be used; the message says which (for a LoadProblem)."""


def merge_maps(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Flux's MergeMaps (from Helm's CLI values): maps merged key by key, anything else
    replaced. Like Go's, the result shares the maps it did not have to merge."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        both = isinstance(old, dict) and isinstance(value, dict)
        out[key] = merge_maps(old, value) if both else value  # type: ignore[arg-type]
    return out


def replace_defaults(paths: Sequence[str], ignore_missing: bool, root: str, chart: str) -> None:
    """Write the merge of ``paths`` (in the checkout at ``root``) over ``chart``'s
    ``values.yaml``; raises ChartValuesRefused."""
    merged: dict[str, Any] = {}
    for path in paths:
        resolved = _secure_join(root, path)
        if not os.path.isfile(resolved):
            if ignore_missing and not os.path.lexists(resolved):
                continue
            raise ChartValuesRefused(f"no values file found at path {path!r} (valuesFiles)")
        merged = merge_maps(merged, _read(resolved, path))
    target = os.path.join(chart, VALUES_FILE)
    if not os.path.isfile(target):  # helm charts must have one; Flux fails without it
        raise ChartValuesRefused(f"failed to locate values file: {VALUES_FILE}")
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(merged) if merged else "")  # JSON is YAML


def _secure_join(root: str, path: str) -> str:
    """securejoin.SecureJoin: ``..`` stops at the root; a link leading out is refused."""
    inside = posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/")
    resolved = os.path.realpath(os.path.join(root, *inside.split("/")) if inside else root)
    if resolved != root and not resolved.startswith(root + os.sep):
        raise ChartValuesRefused(f"values file {path!r} leads outside the repository: refused")
    return resolved


def _read(resolved: str, path: str) -> dict[str, Any]:
    try:
        with open(resolved, "rb") as handle:
            values = yaml.load(handle, Loader=SafeLoader)
    except (OSError, yaml.YAMLError):
        raise ChartValuesRefused(f"unmarshaling values from {path!r} failed") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ChartValuesRefused(f"unmarshaling values from {path!r} failed: not a map")
    return values
