"""A Flux HelmRelease's ``spec.valuesFrom``: chart values read from ConfigMaps and Secrets.

helm-controller (``chartutil.ChartValuesFromReferences``) reads each reference from the
HelmRelease's own namespace, in order: the key ``valuesKey`` (default ``values.yaml``) is
YAML merged deeply into what came before, or, with ``targetPath``, set at that path as
``helm --set`` reads ``PATH=VALUE`` (:mod:`.strvals`: list indexes, escapes, typed values;
quoted, a string). A missing ``optional`` resource or key is skipped. ``spec.values`` is
merged last, so it wins, except over a ``targetPath`` value set in a map it shares.

Values read from Secrets render the chart and are never shown: the scan's report is
scrubbed of them (:meth:`~driftui.gitops.flux_substitute.PostBuild.scrub`), and no error
here quotes a value.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from driftui.errors import DriftuiError
from driftui.gitops.app_specs import HELM_RELEASE, App
from driftui.gitops.flux_substitute import PostBuild
from driftui.gitops.strvals import StrvalsError, parse_into
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError
from driftui.model import ScanReport
from driftui.source.chart_values import merge_maps as merge_maps
from driftui.source.recipe import RenderRecipe
from driftui.source.yaml_loader import SafeLoader

DEFAULT_KEY = "values.yaml"
QUOTES = "'\""


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
    found = [(r, _read(client, app.namespace, r)) for r in refs if isinstance(r, dict)]
    read = [Reference(r, *text) for r, text in found if text is not None]
    return merged_values(read, spec.get("values"))


@dataclass(frozen=True)
class Reference:
    """One ``valuesFrom`` reference and what it read."""

    ref: Mapping[str, Any]
    text: str = field(repr=False)
    from_secret: bool = False


def merged_values(refs: list[Reference], inline: Any) -> HelmValues:
    """fluxcd/pkg ``ChartValuesFromReferences``' merge: each reference in turn; before a
    ``targetPath`` is set, ``spec.values`` is merged in (so the value lands in the maps
    it shares with them, and survives their final merge there); ``spec.values`` last."""
    # a copy of its own, as Go unmarshals one per reconcile: setting a path changes it
    values = copy.deepcopy(inline) if isinstance(inline, dict) else {}
    merged: dict[str, Any] = {}
    secrets: set[str] = set()
    for read in refs:
        ref, text = read.ref, read.text
        if ref.get("targetPath"):
            merged = merge_maps(merged, values)
            shown = set_path(merged, str(ref["targetPath"]), text, _name(ref))
            secrets.update({text} if read.from_secret else ())
        else:
            shown = _parsed(text, ref)
            if not isinstance(shown, dict):
                raise ValuesFromError(f"{_name(ref)}: values are not a YAML map")
            merged = merge_maps(merged, shown)
        if read.from_secret:
            secrets.update(_scalars(shown))
    merged = merge_maps(merged, values)
    return HelmValues(merged, frozenset(s for s in secrets if s))


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


def set_path(values: dict[str, Any], path: str, text: str, name: str = "") -> dict[str, Any]:
    """fluxcd/pkg ``ReplacePathValue``: ``PATH=TEXT`` read as ``helm --set`` reads it
    (:mod:`.strvals`), into ``values`` in place; a quoted TEXT loses its quotes and stays a
    string (``--set-string``). Returns what the line sets, on its own (to mask it)."""
    quoted = any(text.startswith(q) and text.endswith(q) for q in ("'", '"'))
    line = f"{path}={text.strip(QUOTES) if quoted else text}"
    try:
        parse_into(line, values, as_string=quoted)
        alone: dict[str, Any] = {}
        parse_into(line, alone, as_string=quoted)
    except StrvalsError as exc:
        raise ValuesFromError(f"{name or 'valuesFrom'}: targetPath {path!r}: {exc}") from None
    return alone


def _scalars(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {s for v in value.values() for s in _scalars(v)}
    if isinstance(value, list):
        return {s for v in value for s in _scalars(v)}
    return set() if value is None or isinstance(value, bool) else {str(value)}
