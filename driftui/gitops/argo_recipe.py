"""An Argo CD source's ``kustomize:`` and ``helm:`` options as a render recipe.

Argo CD's repo server renders a Helm path with the app's name as the release, the
destination namespace as ``--namespace``, and the app's values files, values and parameters;
a kustomize path after ``kustomize edit`` has set the app's prefix, images, labels... This
reads those options from the Application as Argo CD reads them, for the source layer to
apply (:mod:`driftui.source.recipe`). What cannot be rendered faithfully is named by
:func:`unsupported`, for the app's one error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from driftui.gitops.app_specs import App, AppSource
from driftui.source.recipe import HelmOptions, KustomizeEdits, RenderRecipe, ValueFile

Refs = Mapping[str, tuple[str, str]]
"""``$name`` -> (repository, revision) of the app's ``ref:`` sources."""

KUSTOMIZE_OPTIONS = frozenset(
    {
        *("namePrefix", "nameSuffix", "namespace", "images", "replicas", "patches"),
        *("commonLabels", "forceCommonLabels", "labelWithoutSelector", "labelIncludeTemplates"),
        *("commonAnnotations", "forceCommonAnnotations", "commonAnnotationsEnvsubst"),
        *("components", "ignoreMissingComponents", "version"),
    }
)
HELM_OPTIONS = frozenset(
    {
        *("valueFiles", "ignoreMissingValueFiles", "values", "valuesObject", "parameters"),
        *("fileParameters", "releaseName", "skipCrds", "skipSchemaValidation", "skipTests"),
        *("namespace", "kubeVersion", "apiVersions", "passCredentials", "version"),
    }
)


def unsupported(source: AppSource) -> str:
    """What in the source's options driftui cannot render as Argo CD does; "" when none."""
    known = {"kustomize": KUSTOMIZE_OPTIONS, "helm": HELM_OPTIONS}.get(source.renderer)
    if known is None:
        return ""
    left = sorted(set(source.options) - known)
    if left:
        return f"{source.renderer} options not supported yet: {', '.join(left)}"
    options = source.options
    if source.renderer == "helm" and str(options.get("version") or "v3") != "v3":
        return f"helm version {options['version']} is not supported (helm 3 only)"
    for replica in options.get("replicas") or []:
        if _count(replica) is None:
            return f"kustomize replicas {replica!r}: count is not a number"
    return ""


def argo_recipe(app: App, source: AppSource, at: str, refs: Refs) -> RenderRecipe:
    """The recipe for ``source`` rendered at repository path ``at``: the helm part applies if
    the path is a chart, the kustomize part if it is a kustomization."""
    options = source.options
    edits = kustomize_edits(options) if source.renderer == "kustomize" else None
    helm = options if source.renderer == "helm" else {}
    env = (
        ("ARGOCD_APP_NAME", app.name),  # as seen from an app in the control plane's namespace
        ("ARGOCD_APP_NAMESPACE", app.destination_namespace),
        ("ARGOCD_APP_PROJECT_NAME", _text(_spec(app).get("project"))),
        ("ARGOCD_APP_SOURCE_REPO_URL", source.repo_url),
        ("ARGOCD_APP_SOURCE_PATH", source.path),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION", source.revision),
    )
    return RenderRecipe(at, edits, helm_options(app, helm, refs), env)


def _spec(app: App) -> Mapping[str, Any]:
    spec = app.body.get("spec")
    return spec if isinstance(spec, dict) else {}


def kustomize_edits(options: Mapping[str, Any]) -> KustomizeEdits:
    patches = options.get("patches")
    return KustomizeEdits(
        name_prefix=_text(options.get("namePrefix")),
        name_suffix=_text(options.get("nameSuffix")),
        images=tuple(str(image) for image in options.get("images") or []),
        replicas=tuple((str(r.get("name")), _count(r) or 0) for r in options.get("replicas") or []),
        labels=_pairs(options.get("commonLabels")),
        force_labels=options.get("forceCommonLabels") is True,
        labels_without_selector=options.get("labelWithoutSelector") is True,
        labels_include_templates=options.get("labelIncludeTemplates") is True,
        annotations=_pairs(options.get("commonAnnotations")),
        force_annotations=options.get("forceCommonAnnotations") is True,
        annotations_envsubst=options.get("commonAnnotationsEnvsubst") is True,
        namespace=_text(options.get("namespace")),
        appended=json.dumps({"patches": patches}) if isinstance(patches, list) and patches else "",
        components=tuple(str(c) for c in options.get("components") or []),
        ignore_missing_components=options.get("ignoreMissingComponents") is True,
    )


def helm_options(app: App, options: Mapping[str, Any], refs: Refs) -> HelmOptions:
    """Argo CD's helmTemplate: release = releaseName or the app's name, namespace = the
    option or the destination's; ``valuesObject`` wins over ``values``."""
    params = [p for p in options.get("parameters") or [] if isinstance(p, dict)]
    files = [p for p in options.get("fileParameters") or [] if isinstance(p, dict)]
    return HelmOptions(
        release_name=_text(options.get("releaseName")) or app.name,
        namespace=_text(options.get("namespace")) or app.destination_namespace,
        value_files=tuple(_value_file(str(f), refs) for f in options.get("valueFiles") or []),
        ignore_missing_value_files=options.get("ignoreMissingValueFiles") is True,
        values=_values(options),
        set=tuple(
            (_text(p.get("name")), _scalar(p.get("value")))
            for p in params
            if p.get("forceString") is not True
        ),
        set_string=tuple(
            (_text(p.get("name")), _scalar(p.get("value")))
            for p in params
            if p.get("forceString") is True
        ),
        set_file=tuple((_text(p.get("name")), _text(p.get("path"))) for p in files),
        skip_crds=options.get("skipCrds") is True,
        skip_schema_validation=options.get("skipSchemaValidation") is True,
        skip_tests=options.get("skipTests") is True,
        kube_version=_text(options.get("kubeVersion")),
        api_versions=tuple(str(v) for v in options.get("apiVersions") or []),
    )


def _value_file(raw: str, refs: Refs) -> ValueFile:
    """``$name/path`` names a ref source's file when ``$name`` is a ref; else it is a path
    from the chart (Argo CD's getReferencedSource)."""
    head, _, rest = raw.partition("/")
    if raw.startswith("$") and head in refs:
        repo, revision = refs[head]
        return ValueFile(rest, ref_repo=repo, ref_revision=revision, shown=raw)
    return ValueFile(raw)


def _values(options: Mapping[str, Any]) -> str:
    values_object = options.get("valuesObject")
    if isinstance(values_object, dict) and values_object:
        return json.dumps(values_object)  # JSON is YAML: helm reads it as the same values
    return _text(options.get("values"))


def _count(replica: Any) -> int | None:
    """A replica's ``count``: an integer, or a string of one (Argo CD's GetIntCount)."""
    count = replica.get("count") if isinstance(replica, dict) else None
    if isinstance(count, bool):
        return None
    if isinstance(count, int):
        return count
    try:
        return int(str(count))
    except ValueError:
        return None


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, dict) else ()
    return tuple(sorted((str(k), _scalar(v)) for k, v in items))


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
