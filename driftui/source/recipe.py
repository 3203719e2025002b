"""A render recipe: what an app's operator adds to a directory's own rendering.

An Argo CD Application or a Flux Kustomization renders its path with options of its own:
a name prefix, image overrides, Helm values files, a release name. Those live in the app,
not in the repository, so a plain ``kustomize build`` / ``helm template`` of the path
renders something the app never deploys. The recipe carries them, as plain data, from the
app (``gitops``) through the scan's options to the renderer, which applies them to the
directory the app names (``at``) and to nothing else. It is part of every render's cache key.

Two parts, one per tool: ``kustomize_edits`` (edits to the kustomization before the build,
as Argo CD makes them with ``kustomize edit``; Flux's options map onto the same fields) and
``helm`` (the arguments of ``helm template``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from driftui.source.envsubst import envsubst
from driftui.source.selection import FileSelection

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class KustomizeEdits:
    """Edits to the kustomization at the app's path, made in the checkout before the build,
    in this order (Argo CD's): prefix, suffix, images, replicas, labels, annotations,
    namespace, appended lists (``patches``), components."""

    name_prefix: str = ""
    name_suffix: str = ""
    images: tuple[str, ...] = ()  # `kustomize edit set image` arguments: [old=]new[:tag][@digest]
    replicas: tuple[tuple[str, int], ...] = ()
    labels: Pairs = ()
    force_labels: bool = False
    labels_without_selector: bool = False
    labels_include_templates: bool = False
    annotations: Pairs = ()
    force_annotations: bool = False
    annotations_envsubst: bool = False  # Argo commonAnnotationsEnvsubst
    namespace: str = ""
    # JSON object of lists appended to kustomization.yaml's own (Argo `patches`)
    appended: str = ""
    components: tuple[str, ...] = ()
    # Flux ignoreMissingComponents: a component whose directory is not there is dropped
    ignore_missing_components: bool = False
    # Flux: a path without a kustomization gets one listing its manifests (``resources``,
    # filled in by the loader from the files the artifact holds) before the edits
    generate: bool = False
    resources: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self != KustomizeEdits()


@dataclass(frozen=True)
class ValueFile:
    """A Helm values file: in the chart's repository (relative to the chart; ``/x`` from the
    repository root), or in another source's (Argo ``$ref/path``)."""

    path: str
    ref_repo: str = ""  # the `ref:` source's repository ("" = the chart's own checkout)
    ref_revision: str = ""
    shown: str = ""  # as the app wrote it, for messages

    @property
    def label(self) -> str:
        return self.shown or self.path


@dataclass(frozen=True)
class HelmOptions:
    """``helm template`` as the operator runs it (Argo CD's argument building)."""

    release_name: str = ""  # "" = the chart directory's name (driftui's --repo default)
    namespace: str = ""
    value_files: tuple[ValueFile, ...] = ()
    ignore_missing_value_files: bool = False
    values: str = ""  # inline values (YAML), passed after the values files
    set: Pairs = ()
    set_string: Pairs = ()
    set_file: Pairs = ()  # name, path in the repository (as a values file's)
    skip_crds: bool = False
    skip_schema_validation: bool = False
    skip_tests: bool = False
    kube_version: str = ""  # overrides the cluster's
    api_versions: tuple[str, ...] = ()  # override the cluster's
    private: bool = False  # values came from a Secret: the render never goes to disk
    # Flux HelmChart valuesFiles: merged, from the repository root, over the chart's values.yaml
    default_values_files: tuple[str, ...] = ()
    ignore_missing_default_values: bool = False
    # Flux postRenderers: JSON list of kustomize post-renderers ({patches, images}), in order
    post_renderers: str = ""


@dataclass(frozen=True)
class RenderRecipe:
    """How the directory at ``at`` (a repository path) is rendered beyond its own files."""

    at: str = ""
    kustomize_edits: KustomizeEdits | None = None
    helm: HelmOptions | None = None
    # Argo CD's build environment (ARGOCD_APP_NAME, ...): when set, options expand it, with
    # ARGOCD_APP_REVISION* from the commit (:meth:`at_commit`)
    env: Pairs = ()
    # Flux: kustomize-controller builds with ``--load-restrictor LoadRestrictionsNone`` (on a
    # file system bound to the checkout), so a kustomization may list a file beside its own
    # directory; driftui's scope check then keeps every file path inside the checkout
    load_anywhere: bool = False

    def key(self) -> str:
        """A stable text of the whole recipe, for render cache keys."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def applies_to(self, path: str) -> bool:
        return path == self.at

    def loads_anywhere(self, path: str) -> bool:
        """Is the kustomization at ``path`` built without kustomize's root-only restriction
        (it is the app's path, or below it: one Flux build)?"""
        at = self.at
        return self.load_anywhere and (not at or path == at or path.startswith(f"{at}/"))

    def at_commit(self, commit: str) -> RenderRecipe:
        """The recipe with ``$NAME`` expanded where Argo CD expands it, for ``commit``."""
        if not self.env:
            return self
        env = {
            **dict(self.env),
            "ARGOCD_APP_REVISION": commit,
            "ARGOCD_APP_REVISION_SHORT": commit[:7],
            "ARGOCD_APP_REVISION_SHORT_8": commit[:8],
        }
        edits, helm = self.kustomize_edits, self.helm
        return replace(
            self,
            kustomize_edits=_expand_edits(edits, env) if edits else edits,
            helm=_expand_helm(helm, env) if helm else helm,
        )


def _expand_edits(edits: KustomizeEdits, env: dict[str, str]) -> KustomizeEdits:
    annotations = edits.annotations
    if edits.annotations_envsubst:
        annotations = tuple((k, envsubst(v, env)) for k, v in annotations)
    return replace(
        edits,
        images=tuple(envsubst(image, env) for image in edits.images),
        labels=tuple((k, envsubst(v, env)) for k, v in edits.labels),
        annotations=annotations,
    )


def _expand_helm(helm: HelmOptions, env: dict[str, str]) -> HelmOptions:
    return replace(
        helm,
        value_files=tuple(replace(f, path=envsubst(f.path, env)) for f in helm.value_files),
        set=tuple((k, envsubst(v, env)) for k, v in helm.set),
        set_string=tuple((k, envsubst(v, env)) for k, v in helm.set_string),
        set_file=tuple((k, envsubst(v, env)) for k, v in helm.set_file),
    )


@dataclass(frozen=True)
class SourceSpec:
    """One more source of the same app (Argo CD ``spec.sources``): its objects join the
    scan's desired state."""

    repo: str
    ref: str = "HEAD"
    path: str = ""
    files: FileSelection | None = None
    recipe: RenderRecipe | None = None
    fetch: bool = True
