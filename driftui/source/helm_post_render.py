"""A Flux HelmRelease's ``spec.postRenderers``: the chart's output run through kustomize.

helm-controller (``internal/postrender/kustomize.go``) hands each kustomize post-renderer
the output of the one before (the first gets Helm's): it writes the manifests to
``helm-output.yaml``, a kustomization whose only resource is that file, with the
renderer's ``patches`` (inline, each with its optional ``target``) and ``images``, and
builds it. driftui does the same with the real ``kustomize`` binary in the render's scratch
directory (outside the checkout), bounded like every other renderer.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from typing import Any

from driftui.source.limits import RenderPolicy
from driftui.source.sandbox import ToolFailed, run_tool, tool_message

INPUT = "helm-output.yaml"  # helm-controller's name for Helm's output


class PostRenderFailed(ToolFailed):
    """A post-renderer failed; the message says which and why (for a LoadProblem)."""


def post_render(
    output: bytes,
    renderers: Sequence[Mapping[str, Any]],
    scratch: str,
    policy: RenderPolicy,
    env: dict[str, str],
) -> bytes:
    """``output`` after every kustomize post-renderer, in order; raises PostRenderFailed."""
    kustomize = shutil.which("kustomize")
    if renderers and not kustomize:
        raise PostRenderFailed("postRenderers need the kustomize binary on PATH")
    for number, renderer in enumerate(renderers):
        assert kustomize is not None
        directory = os.path.join(scratch, f"post-render-{number}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, INPUT), "wb") as handle:
            handle.write(output)
        with open(os.path.join(directory, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            json.dump(kustomization(renderer), handle)  # JSON is YAML
        argv = [kustomize, "build", "--load-restrictor=LoadRestrictionsRootOnly", "--", directory]
        what = f"postRenderers[{number}] kustomize"
        done = run_tool(argv, what, policy=policy, cwd=directory, env=env)
        if done.returncode != 0:
            raise PostRenderFailed(f"{what} failed: {tool_message(done.stderr, directory)}")
        output = done.stdout
    return output


def kustomization(renderer: Mapping[str, Any]) -> dict[str, Any]:
    """The kustomization helm-controller writes for one post-renderer: Helm's output as the
    only resource, the renderer's images, and its inline patches with their targets."""
    doc: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [INPUT],
    }
    images = [_image(i) for i in renderer.get("images") or [] if isinstance(i, dict)]
    if images:
        doc["images"] = images
    patches = [_patch(p) for p in renderer.get("patches") or [] if isinstance(p, dict)]
    if patches:
        doc["patches"] = patches
    return doc


def _image(image: Mapping[str, Any]) -> dict[str, str]:
    keys = ("name", "newName", "newTag", "digest")
    return {k: str(image[k]) for k in keys if image.get(k)}


_SELECTOR = ("group", "version", "kind", "name", "namespace")
_SELECTORS = ("labelSelector", "annotationSelector")


def _patch(patch: Mapping[str, Any]) -> dict[str, Any]:
    """Only the inline ``patch`` and the ``target`` travel (helm-controller copies those)."""
    out: dict[str, Any] = {"patch": str(patch.get("patch") or "")}
    target = patch.get("target")
    if isinstance(target, dict):
        kept = {k: str(target[k]) for k in (*_SELECTOR, *_SELECTORS) if target.get(k)}
        if kept:
            out["target"] = kept
    return out
