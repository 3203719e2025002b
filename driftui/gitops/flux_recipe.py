"""A Flux Kustomization's kustomize options, and a HelmRelease's Helm options, as a render
recipe.

kustomize-controller does not build the path as it stands: its generator writes (or, when
the path has none, first creates) ``kustomization.yaml`` with the Kustomization's
``targetNamespace`` (as ``namespace:``, so kustomize also moves what it moves with it: a
RoleBinding's ``default`` ServiceAccount), ``namePrefix``, ``nameSuffix``, ``images`` (each
replacing the file's image of that name), ``patches`` (after the file's) and
``components`` (after the file's; with ``ignoreMissingComponents``, those whose directory is
not there are left out), each overriding what the file already says. These are the same
fields Argo CD's options set, so they travel as
:class:`~driftui.source.recipe.KustomizeEdits`, with ``generate`` for the missing file.
``commonMetadata`` is not one of them: the controller sets it on the built objects
(:mod:`.flux_metadata`). The controller builds with ``LoadRestrictionsNone`` (fluxcd/pkg
SecureBuild, its file system bound to the checkout): a kustomization may list a file outside
its own directory, so every Kustomization's recipe says ``load_anywhere``, and driftui's
scope check (:mod:`driftui.source.kustomize_scope`) keeps every path inside the checkout.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from driftui.gitops.app_specs import CHART_IGNORE_MISSING, CHART_VALUES_FILES, AppSource
from driftui.source.recipe import HelmOptions, KustomizeEdits, RenderRecipe

FLUX_KUSTOMIZE_OPTIONS = frozenset(
    {"namePrefix", "nameSuffix", "images", "patches", "components", "commonMetadata"}
    | {"ignoreMissingComponents"}
)


def flux_recipe(source: AppSource, at: str) -> RenderRecipe:
    """The recipe for a Kustomization's path ``at``: its edits (None when it sets none of the
    options), built as the controller builds, without the root-only restriction."""
    edits = flux_edits(source.options)
    return RenderRecipe(at, edits or None, load_anywhere=True)


def flux_edits(options: Mapping[str, Any]) -> KustomizeEdits:
    """The edits kustomize-controller's generator makes; ``generate`` only when there are
    some (a path without options is read as it is, as before)."""
    patches = [_patch(p) for p in options.get("patches") or [] if isinstance(p, dict)]
    components = tuple(str(c) for c in options.get("components") or [])
    edits = KustomizeEdits(
        name_prefix=_text(options.get("namePrefix")),
        name_suffix=_text(options.get("nameSuffix")),
        images=tuple(
            _image(i) for i in options.get("images") or [] if isinstance(i, dict) and i.get("name")
        ),
        namespace=_text(options.get("targetNamespace")),
        appended=json.dumps({"patches": patches}) if patches else "",
        components=components,
        ignore_missing_components=bool(components)
        and options.get("ignoreMissingComponents") is True,
    )
    if not edits:
        return edits
    return replace(edits, generate=True)


_REMOTE_PREFIXES = (
    *("git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"),
)


def component_refusal(options: Mapping[str, Any]) -> str:
    """Flux's generator refuses a component that is not a local relative path (its
    IsLocalRelativePath) before anything is built; "" when every one is."""
    for component in options.get("components") or []:
        text = str(component)
        lower = text.lower()
        remote = any(len(p) < len(text) and lower.startswith(p) for p in _REMOTE_PREFIXES)
        if remote or text.startswith("/") or lower.removeprefix("file://").startswith("/"):
            return f"component path {text!r} must be local and relative"
    return ""


def _image(image: Mapping[str, Any]) -> str:
    """A Flux image as ``kustomize edit set image`` takes it: ``name=newName:newTag@digest``,
    which replaces the file's image of that name with exactly these fields, as Flux's
    generator does (a tag and a digest both set render as ``image:tag@digest``)."""
    name = _text(image.get("name"))
    new = _text(image.get("newName")) or name
    tag, digest = _text(image.get("newTag")), _text(image.get("digest"))
    return f"{name}={new}" + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _patch(patch: Mapping[str, Any]) -> dict[str, Any]:
    """A Flux patch as a kustomization ``patches`` entry: the inline patch and its target.

    A target given, even ``{}`` (or only empty fields, which its JSON leaves out), stays a
    target, as the generator copies it (``Target *Selector``): kustomize then patches every
    object. Only a patch without one is matched to the object it names."""
    out: dict[str, Any] = {"patch": _text(patch.get("patch"))}
    if isinstance(patch.get("target"), dict):
        out["target"] = {k: v for k, v in patch["target"].items() if v not in ("", None)}
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# -- HelmRelease -------------------------------------------------------------------------

FLUX_HELM_DONE = frozenset(
    {"values", "valuesFrom", "releaseName", "targetNamespace", "postRenderers"}
    | {CHART_VALUES_FILES, CHART_IGNORE_MISSING}
)
RELEASE_NAME_MAX = 53  # helm's limit; helm-controller shortens longer names with a hash
_SHORT_HASH = 12


def flux_helm_recipe(source: AppSource, at: str, name: str, namespace: str) -> RenderRecipe:
    """helm-controller's ``helm template``: the release ``releaseName`` or
    ``[targetNamespace-]name`` (shortened as helm-controller does), installed in the target
    namespace or the HelmRelease's own, the chart's ``valuesFiles`` over its defaults
    (:mod:`~driftui.source.chart_values`), with ``spec.values``, its output through the
    ``postRenderers``."""
    options = source.options
    values = options.get("values")
    helm = HelmOptions(
        release_name=release_name(options, name),
        namespace=_text(options.get("targetNamespace")) or namespace,
        values=json.dumps(values) if isinstance(values, dict) and values else "",
        default_values_files=tuple(options.get(CHART_VALUES_FILES) or ()),
        ignore_missing_default_values=options.get(CHART_IGNORE_MISSING) is True,
        post_renderers=_post_renderers(options.get("postRenderers")),
    )
    return RenderRecipe(at, None, helm)


def _post_renderers(value: Any) -> str:
    """The kustomize post-renderers (helm-controller has no other kind), in order, as JSON;
    "" when there are none. An empty one still runs: kustomize rewrites the output."""
    items = value if isinstance(value, list) else []
    kept = [
        i["kustomize"]
        for i in items
        if isinstance(i, dict) and isinstance(i.get("kustomize"), dict)
    ]
    return json.dumps(kept, sort_keys=True) if kept else ""


def release_name(options: Mapping[str, Any], name: str) -> str:
    """helm-controller's GetReleaseName, then release.ShortenName."""
    target = _text(options.get("targetNamespace"))
    full = _text(options.get("releaseName")) or (f"{target}-{name}" if target else name)
    if len(full) <= RELEASE_NAME_MAX:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:_SHORT_HASH]
    return f"{full[: RELEASE_NAME_MAX - _SHORT_HASH - 1]}-{digest}"


def helm_unsupported(options: Mapping[str, Any]) -> str:
    """What in a HelmRelease driftui cannot render as helm-controller does; "" when none."""
    left = sorted(k for k, v in options.items() if k not in FLUX_HELM_DONE and v)
    return f"HelmRelease options not supported yet: {', '.join(left)}" if left else ""
