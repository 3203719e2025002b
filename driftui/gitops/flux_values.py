"""A Flux HelmRelease's ``spec.valuesFrom``: chart values read from ConfigMaps and Secrets.

helm-controller (``chartutil.ChartValuesFromReferences``) reads each reference from the
HelmRelease's own namespace, in order: the key ``valuesKey`` (default ``values.yaml``) is
YAML merged deeply into what came before, or, with ``targetPath``, one value set at that
dotted path as ``helm --set`` would. A missing ``optional`` resource or key is skipped.
``spec.values`` is merged last, so it wins.

Values read from Secrets render the chart and are never shown: the scan's report is
scrubbed of them (:meth:`~driftui.gitops.flux_substitute.PostBuild.scrub`), and no error
here quotes a value.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from driftui.errors import DriftuiError
from driftui.gitops.app_specs import HELM_RELEASE, App
from driftui.gitops.flux_substitute import PostBuild
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError
from driftui.model import ScanReport
from driftui.source.chart_values import merge_maps as merge_maps
from driftui.source.recipe import RenderRecipe
from driftui.source.yaml_loader import SafeLoader

DEFAULT_KEY = "values.yaml"


class ValuesFromError(DriftuiError):
    """A ``valuesFrom`` reference cannot be read; names it, never a value."""


@dataclass(frozen=True)
class HelmValues:
    """A HelmRelease's merged values, and the scalars among them that came from Secrets."""

    values: Mapping[str, Any] = field(repr=False)
    secret_values: frozenset[str] = field(default=frozenset(), repr=False)

    def recipe(self, recipe: RenderRecipe | None) -> RenderRecipe | None:
        """``recipe`` rendering the chart with these values instead of ``spec.values``."""
        if recipe is None or recipe.helm is None:
            return recipe
        text = json.dumps(self.values) if self.values else ""
        private = bool(self.secret_values)  # the render holds them: never cached on disk
        return replace(recipe, helm=replace(recipe.helm, values=text, private=private))

    def scrub(self, report: ScanReport) -> ScanReport:
        """``report`` with the Secret values masked (a post-build without variables does
        only that)."""
        return PostBuild({}, self.secret_values).scrub(report)


def app_helm_values(client: ClusterClient, app: App) -> HelmValues | None:
    """A HelmRelease app's values with its ``valuesFrom``; None for others and without any."""
    spec = app.body.get("spec") if app.kind == HELM_RELEASE else None
    refs = spec.get("valuesFrom") if isinstance(spec, dict) else None
    if not isinstance(spec, dict) or not refs:
        return None
    namespace = app.namespace
    merged: dict[str, Any] = {}
    secrets: set[str] = set()
    for ref in refs:
        if not isinstance(ref, dict):
            continue
        found = _read(client, namespace, ref)
        if found is None:
            continue
        text, from_secret = found
        merged = _merge_one(merged, ref, text)
        if from_secret:
            secrets.update(_scalars(_parsed(text, ref)) if not ref.get("targetPath") else {text})
    inline = spec.get("values")
    if isinstance(inline, dict):
        merged = merge_maps(merged, inline)
    return HelmValues(merged, frozenset(s for s in secrets if s))


def _merge_one(merged: dict[str, Any], ref: Mapping[str, Any], text: str) -> dict[str, Any]:
    path = str(ref.get("targetPath") or "")
    if path:
        set_path(merged, path, text)
        return merged
    values = _parsed(text, ref)
    if not isinstance(values, dict):
        raise ValuesFromError(f"{_name(ref)}: values are not a YAML map")
    return merge_maps(merged, values)


def _read(client: ClusterClient, namespace: str, ref: Mapping[str, Any]) -> tuple[str, bool] | None:
    """(the key's text, whether from a Secret); None for a missing optional resource or key."""
    kind, optional = str(ref.get("kind") or ""), ref.get("optional") is True
    if kind not in ("ConfigMap", "Secret"):
        raise ValuesFromError(f"unsupported ValuesReference kind '{kind}'")
    resource = "configmaps" if kind == "ConfigMap" else "secrets"
    try:
        obj = client.get(object_path("", "v1", resource, namespace, str(ref.get("name") or "")))
    except ApiError as exc:
        if exc.status == 404 and optional:
            return None
        raise ValuesFromError(f"could not read {_name(ref)}: {exc.message}") from None
    key = str(ref.get("valuesKey") or DEFAULT_KEY)
    data = obj.get("data") or {}
    if key not in data:
        if optional:
            return None
        raise ValuesFromError(f"missing key '{key}' in {_name(ref)}")
    if kind == "ConfigMap":
        return str(data[key]), False
    return base64.b64decode(str(data[key])).decode("utf-8", "surrogateescape"), True


def _parsed(text: str, ref: Mapping[str, Any]) -> Any:
    try:
        return yaml.load(text, Loader=SafeLoader) or {}
    except yaml.YAMLError:
        raise ValuesFromError(f"{_name(ref)}: values are not valid YAML") from None


def _name(ref: Mapping[str, Any]) -> str:
    return f"{ref.get('kind')}/{ref.get('name')} (valuesFrom)"


def set_path(values: dict[str, Any], path: str, text: str) -> None:
    """``--set path=text``: a dotted path (``\\.`` a literal dot), the value typed as
    strvals types it (quoted: a string)."""
    keys = [k.replace("\0", ".") for k in path.replace("\\.", "\0").split(".")]
    here = values
    for key in keys[:-1]:
        if not isinstance(here.get(key), dict):
            here[key] = {}
        here = here[key]
    here[keys[-1]] = _typed(text)


def _typed(text: str) -> Any:
    for quote in ("'", '"'):
        if len(text) >= 2 and text.startswith(quote) and text.endswith(quote):
            return text.strip("'\"")
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    digits = text.removeprefix("-")
    if digits.isdigit() and (digits == "0" or not digits.startswith("0")):
        return int(text)
    return text


def _scalars(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {s for v in value.values() for s in _scalars(v)}
    if isinstance(value, list):
        return {s for v in value for s in _scalars(v)}
    return set() if value is None or isinstance(value, bool) else {str(value)}
