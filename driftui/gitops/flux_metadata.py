"""A Flux Kustomization's or HelmRelease's ``spec.commonMetadata``: labels and annotations
set on every object.

kustomize-controller does not hand them to kustomize: after the build and the post-build
substitution it sets them on each object's own ``metadata`` (fluxcd/pkg ssa
``SetCommonMetadata``, in the controller's ``apply``), overriding what the object says. So
unlike kustomize's ``commonAnnotations`` they never reach a pod template, and a
``${var}`` in them is never substituted. helm-controller does the same after Helm and the
post-renderers (``internal/postrender`` CommonRenderer: kustomize's label and annotation
transformers on ``metadata/labels`` and ``metadata/annotations`` only).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from driftui.gitops.app_specs import HELM_RELEASE, KUSTOMIZATION, App
from driftui.model import Manifest

PostRender = Callable[[Sequence[Manifest]], list[Manifest]]


def common_metadata(app: App) -> PostRender | None:
    """The step that sets a Kustomization's commonMetadata; None when it sets none."""
    spec = app.body.get("spec") if app.kind in (KUSTOMIZATION, HELM_RELEASE) else None
    found = spec.get("commonMetadata") if isinstance(spec, dict) else None
    labels = _pairs(found.get("labels")) if isinstance(found, dict) else {}
    annotations = _pairs(found.get("annotations")) if isinstance(found, dict) else {}
    if not labels and not annotations:
        return None

    def render(manifests: Sequence[Manifest]) -> list[Manifest]:
        return [_with(m, labels, annotations) for m in manifests]

    return render


def then(first: PostRender | None, second: PostRender | None) -> PostRender | None:
    """``first``, then ``second`` (either may be None)."""
    if first is None or second is None:
        return first or second
    return lambda manifests: second(first(manifests))


def _pairs(value: Any) -> dict[str, str]:
    items = value.items() if isinstance(value, dict) else ()
    return {str(k): "" if v is None else str(v) for k, v in items}


def _with(
    manifest: Manifest, labels: Mapping[str, str], annotations: Mapping[str, str]
) -> Manifest:
    meta = dict(manifest.body.get("metadata") or {})
    for key, pairs in (("labels", labels), ("annotations", annotations)):
        if pairs:
            meta[key] = {**(meta.get(key) or {}), **pairs}
    body = {**manifest.body, "metadata": meta}
    digest = hashlib.sha1(
        (manifest.blob_sha + json.dumps(body, sort_keys=True, default=str)).encode()
    ).hexdigest()
    # verdicts are cached by blob: the object with the metadata is another one
    return Manifest(
        manifest.ref, manifest.api_version, body, manifest.source_file, digest, manifest.line
    )
