"""A Flux Kustomization's ``postBuild``: variables substituted into what kustomize built.

kustomize-controller (fluxcd/pkg ``kustomize/kustomize_varsub.go``) reads the variables of
``postBuild.substituteFrom`` (ConfigMaps and Secrets in the Kustomization's own namespace, in
order, a missing ``optional`` one skipped), then ``postBuild.substitute`` over them, with every
newline dropped from every value. Each built object not labelled or annotated
``kustomize.toolkit.fluxcd.io/substitute: disabled`` is written as YAML, substituted as text
(:mod:`.envsubst`, non-strict) and read back: ``replicas: ${N}`` becomes a number. With no
variables at all, nothing is substituted, not even defaults.

Values read from Secrets render the objects and are never shown: :meth:`PostBuild.scrub`
masks them in everything a scan reports, and no error here quotes a value or the text.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import yaml

from driftui.errors import DriftuiError
from driftui.gitops.app_specs import KUSTOMIZATION, App
from driftui.gitops.envsubst import SubstitutionError, substitute
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError
from driftui.model import Manifest, ObjectRef, ScanReport
from driftui.source.yaml_loader import SafeLoader

SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute"
DISABLED = "disabled"
MASK = "***"
_VAR_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")  # varsubRegex: POSIX classes are ASCII
_MASK_SUBSTRINGS_FROM = 4  # shorter Secret values are masked only where they are a whole value


class PostBuildError(DriftuiError):
    """The Kustomization's post-build cannot be done; names what, never a value."""


@dataclass(frozen=True)
class PostBuild:
    """The variables of one Kustomization, and which values came from Secrets."""

    variables: Mapping[str, str] = field(repr=False)
    secret_values: frozenset[str] = field(default=frozenset(), repr=False)

    def render(self, manifests: Sequence[Manifest]) -> list[Manifest]:
        """``manifests`` as kustomize-controller applies them."""
        if not self.variables:
            return list(manifests)
        return [self._one(m) for m in manifests]

    def _one(self, manifest: Manifest) -> Manifest:
        if _disabled(manifest.body):
            return manifest
        try:
            text = substitute(_to_yaml(manifest.body), self.variables)
        except SubstitutionError as exc:
            raise PostBuildError(
                f"{manifest.ref}: envsubst error: variable substitution failed: {exc}"
            ) from None
        body = _from_yaml(text, manifest.ref)
        if body == manifest.body:
            return manifest
        digest = hashlib.sha1(
            (manifest.blob_sha + json.dumps(body, sort_keys=True, default=str)).encode()
        ).hexdigest()
        return dataclasses.replace(  # keeps its file, line and the source it came from
            manifest,
            ref=ObjectRef.of(body),
            api_version=str(body.get("apiVersion", "")),
            body=body,
            blob_sha=digest,  # verdicts are cached by blob: the substituted object is another one
        )

    def scrub(self, report: ScanReport) -> ScanReport:
        """``report`` with every value that came from a Secret masked, wherever it shows."""
        if not self.secret_values:
            return report
        return _Scrubber(self.secret_values).value(report)  # type: ignore[no-any-return]


def _disabled(body: Mapping[str, Any]) -> bool:
    meta = body.get("metadata") or {}
    for key in ("labels", "annotations"):
        values = meta.get(key) if isinstance(meta, dict) else None
        if isinstance(values, dict) and values.get(SUBSTITUTE_KEY) == DISABLED:
            return True
    return False


class _Dumper(yaml.SafeDumper):
    """YAML as kustomize writes it for the substitution: block style, multi-line strings as
    literal blocks (a value substituted into one is not parsed as an escape sequence)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _to_yaml(body: Mapping[str, Any]) -> str:
    return yaml.dump(
        dict(body),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 30,
    )


def _from_yaml(text: str, ref: ObjectRef) -> dict[str, Any]:
    """The substituted text read back; an error names the object and line, never the text."""
    try:
        body = yaml.load(text, Loader=SafeLoader)  # the project's safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PostBuildError(f"{ref}: not valid YAML after substitution{where}") from None
    if not isinstance(body, dict):
        raise PostBuildError(f"{ref}: not an object after substitution")
    return body


# -- the variables -----------------------------------------------------------------------


def _post_build(kustomization: Mapping[str, Any]) -> dict[str, Any] | None:
    spec = kustomization.get("spec") or {}
    post = spec.get("postBuild") if isinstance(spec, dict) else None
    return post if isinstance(post, dict) else None


def app_post_build(client: ClusterClient, app: App) -> PostBuild | None:
    """A Flux Kustomization app's post-build; None for other apps and without one."""
    return load_post_build(client, app.body) if app.kind == KUSTOMIZATION else None


def load_post_build(client: ClusterClient, kustomization: Mapping[str, Any]) -> PostBuild | None:
    """The Kustomization's post-build; None when it has none (Flux then substitutes nothing).

    ConfigMaps and Secrets are read from the Kustomization's namespace with the user's own
    credentials; one that cannot be read (other than a missing ``optional`` one) is an error.
    """
    post = _post_build(kustomization)
    if post is None:
        return None
    namespace = str((kustomization.get("metadata") or {}).get("namespace") or "")
    variables: dict[str, str] = {}
    secret_values: set[str] = set()
    for reference in post.get("substituteFrom") or []:
        if not isinstance(reference, dict):
            continue
        found = _read_reference(client, namespace, reference)
        if found is None:
            continue
        values, from_secret = found
        variables.update(values)
        if from_secret:
            secret_values.update(v for v in values.values() if v)
    inline = post.get("substitute") or {}
    if isinstance(inline, dict):
        variables.update({str(k): str(v).replace("\n", "") for k, v in inline.items()})
    _check_names(variables)
    return PostBuild(variables, frozenset(secret_values))


def _read_reference(
    client: ClusterClient, namespace: str, reference: Mapping[str, Any]
) -> tuple[dict[str, str], bool] | None:
    """(variables, whether they came from a Secret); None for a missing optional one."""
    kind, name = str(reference.get("kind") or ""), str(reference.get("name") or "")
    if kind not in ("ConfigMap", "Secret"):
        return {}, False  # Flux reads only these two kinds
    resource = "configmaps" if kind == "ConfigMap" else "secrets"
    try:
        obj = client.get(object_path("", "v1", resource, namespace, name))
    except ApiError as exc:
        if exc.status == 404 and reference.get("optional") is True:
            return None
        raise PostBuildError(f"substitute from '{kind}/{name}' error: {exc.message}") from None
    data = obj.get("data") or {}
    if kind == "ConfigMap":
        return {str(k): str(v).replace("\n", "") for k, v in data.items()}, False
    return {str(k): _decoded(v) for k, v in data.items()}, True


def _decoded(value: Any) -> str:
    raw = base64.b64decode(str(value)) if value else b""
    return raw.decode("utf-8", "surrogateescape").replace("\n", "")


def _check_names(variables: Mapping[str, str]) -> None:
    for name in variables:
        if _VAR_NAME.fullmatch(name) is None:
            raise PostBuildError(
                f"'{name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
            )


# -- never shown -------------------------------------------------------------------------


class _Scrubber:
    """Masks Secret values in any report value: text, JSON, dataclasses, collections."""

    def __init__(self, secrets: frozenset[str]) -> None:
        self.whole = secrets
        long = sorted((s for s in secrets if len(s) >= _MASK_SUBSTRINGS_FROM), key=len)
        self.pattern = re.compile("|".join(re.escape(s) for s in reversed(long))) if long else None

    def text(self, value: str) -> str:
        if value in self.whole:
            return MASK
        return self.pattern.sub(MASK, value) if self.pattern is not None else value

    def value(self, value: Any) -> Any:
        if isinstance(value, Enum):  # statuses and types: never a value from a Secret
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return MASK if str(value) in self.whole else value
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self.value(getattr(value, f.name)) for f in dataclasses.fields(value)
            }
            return dataclasses.replace(value, **changes)
        return value
