"""What an Argo CD Application, a Flux Kustomization or a Flux HelmRelease deploys, read from
its spec as the operator reads it: repository, revision, path, rendering options, and the
operator's own verdict (Argo's sync and health, Flux's ``Ready`` condition).

Only what the objects say is read here; :mod:`.discovery` finds them and
:mod:`.app_source` turns one into a scan's source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftui.model import AppOwner, AppRef

APPLICATION = "Application"
KUSTOMIZATION = "Kustomization"
HELM_RELEASE = "HelmRelease"
TOOLS = {APPLICATION: "argocd", KUSTOMIZATION: "flux", HELM_RELEASE: "helmrelease"}
# `driftui apps` and --app name the kinds as kubectl does: lower case, singular
KIND_NAMES = {
    "application": APPLICATION,
    "kustomization": KUSTOMIZATION,
    "helmrelease": HELM_RELEASE,
}


@dataclass(frozen=True)
class AppSource:
    """One source of an app: where its manifests are and how the operator renders them."""

    repo_url: str
    revision: str  # as the app writes it; "" means the operator's default (HEAD, master)
    path: str
    renderer: str = ""  # "directory", "kustomize", "helm", "plugin", "jsonnet"; "" = detect
    options: Mapping[str, Any] = field(default_factory=dict)  # the renderer's own options
    ref: str = ""  # an Argo multi-source `ref:` name, used as `$ref/values.yaml`


@dataclass(frozen=True)
class App:
    """An app found in the cluster, as its operator sees it."""

    kind: str  # Application, Kustomization, HelmRelease
    namespace: str
    name: str
    sources: tuple[AppSource, ...]
    destination_namespace: str = ""  # Argo destination.namespace, Flux targetNamespace
    sync_status: str = ""  # Argo status.sync.status; Flux Ready: Ready / NotReady / Unknown
    health_status: str = ""  # Argo status.health.status; Flux the Ready condition's reason
    problem: str = ""  # why it has no usable source (a GitRepository not found, ...)
    parent: tuple[str, str, str] | None = None  # (kind, namespace, name) of the app above
    body: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def ref(self) -> AppRef:
        """How results name the app whose source they were compared with."""
        return AppRef(self.kind, self.namespace, self.name)

    @property
    def owner(self) -> AppOwner:
        """The owner that tracking markers on the app's objects name."""
        return AppOwner(TOOLS[self.kind], self.namespace, self.name)

    @property
    def source(self) -> AppSource | None:
        return self.sources[0] if self.sources else None

    def __str__(self) -> str:
        return str(self.ref)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _meta(body: Mapping[str, Any]) -> tuple[str, str]:
    meta = _dict(body.get("metadata"))
    return _text(meta.get("namespace")), _text(meta.get("name"))


# -- Argo CD -----------------------------------------------------------------------------

_ARGO_RENDERERS = ("directory", "kustomize", "helm", "plugin")


def argo_source(spec: Mapping[str, Any]) -> AppSource:
    """One ``spec.source`` (or item of ``spec.sources``); the renderer is the one it names."""
    renderer, options = "", {}
    for name in _ARGO_RENDERERS:
        if isinstance(spec.get(name), dict):
            renderer, options = name, spec[name]
            break
    if renderer == "directory" and _dict(options.get("jsonnet")):
        renderer = "jsonnet"
    if spec.get("chart"):  # a chart from a Helm repository, not a path in Git
        renderer, options = "helm", {**options, "chart": spec["chart"]}
    return AppSource(
        repo_url=_text(spec.get("repoURL")),
        revision=_text(spec.get("targetRevision")),
        path=_text(spec.get("path")),
        renderer=renderer,
        options=options,
        ref=_text(spec.get("ref")),
    )


def argo_app(body: Mapping[str, Any]) -> App:
    namespace, name = _meta(body)
    spec, status = _dict(body.get("spec")), _dict(body.get("status"))
    many = spec.get("sources")
    raw = [s for s in many if isinstance(s, dict)] if isinstance(many, list) and many else []
    if not raw and isinstance(spec.get("source"), dict):
        raw = [spec["source"]]
    return App(
        kind=APPLICATION,
        namespace=namespace,
        name=name,
        sources=tuple(argo_source(s) for s in raw),
        destination_namespace=_text(_dict(spec.get("destination")).get("namespace")),
        sync_status=_text(_dict(status.get("sync")).get("status")),
        health_status=_text(_dict(status.get("health")).get("status")),
        problem="" if raw else "no spec.source",
        body=body,
    )


# -- Flux --------------------------------------------------------------------------------

GitRepositories = Mapping[tuple[str, str], Mapping[str, Any]]
"""(namespace, name) -> GitRepository, as far as the user can read them."""


def flux_ready(body: Mapping[str, Any]) -> tuple[str, str]:
    """(Ready / NotReady / Unknown, the condition's reason) from ``status.conditions``."""
    for condition in _dict(body.get("status")).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            state = {"True": "Ready", "False": "NotReady"}.get(_text(condition.get("status")))
            return state or "Unknown", _text(condition.get("reason"))
    return "Unknown", ""


def git_revision(repo: Mapping[str, Any]) -> str:
    """A GitRepository's ``spec.ref`` as a revision, in source-controller's precedence:
    commit, then name, then semver, then tag, then branch (``master`` when none is set)."""
    ref = _dict(_dict(repo.get("spec")).get("ref"))
    for key in ("commit", "name"):
        if _text(ref.get(key)):
            return _text(ref[key])
    if _text(ref.get("semver")):
        return f"semver:{ref['semver']}"  # a range: git_semver picks the tag
    return _text(ref.get("tag")) or _text(ref.get("branch")) or "master"


def _git_source(
    owner_ns: str, source_ref: Mapping[str, Any], repos: GitRepositories
) -> tuple[Mapping[str, Any] | None, str]:
    kind = _text(source_ref.get("kind"))
    ns = _text(source_ref.get("namespace")) or owner_ns
    name = _text(source_ref.get("name"))
    if kind != "GitRepository":
        return None, f"source {kind or '?'}/{name} is not a GitRepository"
    repo = repos.get((ns, name))
    if repo is None:
        return None, f"GitRepository {ns}/{name}: not found or not readable"
    return repo, ""


_FLUX_KUSTOMIZE_OPTIONS: tuple[str, ...] = (
    *("namePrefix", "nameSuffix", "images", "patches", "components", "commonMetadata"),
    *("postBuild", "targetNamespace", "ignoreMissingComponents"),
)
CHART_VALUES_FILES = "chart.spec.valuesFiles"  # with the deprecated valuesFile first
CHART_IGNORE_MISSING = "chart.spec.ignoreMissingValuesFiles"
_FLUX_HELM_OPTIONS: tuple[str, ...] = (
    *("values", "valuesFrom", "releaseName", "targetNamespace", "postRenderers"),
)


def flux_kustomization(body: Mapping[str, Any], repos: GitRepositories) -> App:
    namespace, _ = _meta(body)
    spec = _dict(body.get("spec"))
    repo, problem = _git_source(namespace, _dict(spec.get("sourceRef")), repos)
    options: dict[str, Any] = {k: spec[k] for k in _FLUX_KUSTOMIZE_OPTIONS if k in spec}
    if repo is not None:
        options["ignore"] = _text(_dict(repo.get("spec")).get("ignore"))
    # Flux builds every path with kustomize
    source = _FluxSource(repo, problem, _text(spec.get("path")), "kustomize", options)
    return _flux_app(KUSTOMIZATION, body, source)


def flux_helm_release(body: Mapping[str, Any], repos: GitRepositories) -> App | None:
    """A HelmRelease whose chart comes from a GitRepository; None for any other chart."""
    namespace, _ = _meta(body)
    spec = _dict(body.get("spec"))
    chart = _dict(_dict(spec.get("chart")).get("spec"))
    source_ref = _dict(chart.get("sourceRef"))
    if _text(source_ref.get("kind")) != "GitRepository":
        return None
    repo, problem = _git_source(namespace, source_ref, repos)
    options: dict[str, Any] = {k: spec[k] for k in _FLUX_HELM_OPTIONS if k in spec}
    files = [chart.get("valuesFile"), *(chart.get("valuesFiles") or [])]  # the old one first
    if any(isinstance(f, str) and f for f in files):  # the HelmChart's own values files
        options[CHART_VALUES_FILES] = [f for f in files if isinstance(f, str) and f]
        options[CHART_IGNORE_MISSING] = chart.get("ignoreMissingValuesFiles") is True
    source = _FluxSource(repo, problem, _text(chart.get("chart")), "helm", options)
    return _flux_app(HELM_RELEASE, body, source)


@dataclass(frozen=True)
class _FluxSource:
    """Where a Flux app's GitRepository and path lead, before they become an AppSource."""

    repo: Mapping[str, Any] | None  # the GitRepository, None when it cannot be used
    problem: str  # why not
    path: str
    renderer: str
    options: dict[str, Any]


def _flux_app(kind: str, body: Mapping[str, Any], source: _FluxSource) -> App:
    """A Kustomization or a HelmRelease as an App: its GitRepository's source, Ready status."""
    namespace, name = _meta(body)
    spec = _dict(body.get("spec"))
    sources: tuple[AppSource, ...] = ()
    if source.repo is not None:
        sources = (
            AppSource(
                repo_url=_text(_dict(source.repo.get("spec")).get("url")),
                revision=git_revision(source.repo),
                path=source.path.removeprefix("./"),
                renderer=source.renderer,
                options=source.options,
            ),
        )
    ready, reason = flux_ready(body)
    return App(
        kind=kind,
        namespace=namespace,
        name=name,
        sources=sources,
        destination_namespace=_text(spec.get("targetNamespace")),
        sync_status=ready,
        health_status=reason,
        problem=source.problem,
        body=body,
    )
