"""What one app's scan runs with: the user's flags with the app's own source (repository,
revision, path, rendering options) and what its operator does beyond rendering, read from
the cluster (Flux post-build and ``valuesFrom``, Argo CD's tracking method, whether the
operator prunes at all). A Flux semver range stays a range here: :func:`resolved` picks its
tag once the scan has fetched the repository, so a scan fetches each repository once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from driftui.engine.options import ScanOptions
from driftui.gitops.app_source import scan_source
from driftui.gitops.app_specs import App
from driftui.gitops.argo_settings import ArgoSettings
from driftui.gitops.flux_metadata import common_metadata, then
from driftui.gitops.flux_substitute import app_post_build
from driftui.gitops.flux_values import app_helm_values
from driftui.gitops.git_semver import SEMVER_PREFIX, highest_tag
from driftui.gitops.prune_guard import app_prune_refusal
from driftui.live.client import ClusterClient
from driftui.source.git_repo import GitRepo


def app_options(
    base: ScanOptions, app: App, repo_map: Mapping[str, str] | None = None
) -> ScanOptions:
    """``base`` (the user's flags: cluster, fidelity, bounds) with ``app``'s own source: its
    repository (or the local checkout ``repo_map`` names), revision (a Flux semver range
    as ``semver:RANGE``: :func:`resolved` picks the tag once the repository is fetched),
    path, directory and rendering options, its other sources, and its destination
    namespace as the default namespace. Raises
    :class:`~driftui.gitops.app_source.AppSourceError` when the app cannot be scanned."""
    source = scan_source(app, repo_map)
    return replace(
        base,
        repo=source.repo,
        ref=source.ref,
        path=source.path,
        path_from_cwd=False,
        namespace=source.namespace or base.namespace,
        files=source.files,
        force_namespace=source.force_namespace,
        fetch=base.fetch and not source.mapped,
        recipe=source.recipe,
        sources=source.more,
    )


def resolved(revision: str, repo: GitRepo) -> str:
    """``revision`` as the scan reads it: a ``semver:RANGE`` becomes the highest tag the
    range accepts in ``repo`` (fetched already), as source-controller picks it."""
    if not revision.startswith(SEMVER_PREFIX):
        return revision
    return highest_tag(repo, revision.removeprefix(SEMVER_PREFIX))


def operator_options(
    options: ScanOptions, client: ClusterClient, app: App, argo: ArgoSettings
) -> ScanOptions:
    """What the app's operator does beyond rendering, read from the cluster: Flux's
    post-build substitution and then its ``commonMetadata``, a HelmRelease's ``valuesFrom`` (values from Secrets are masked
    in every report), Argo CD's tracking method (from ``argocd-cm``) and whether the
    operator prunes at all (Flux ``spec.prune``)."""
    post = app_post_build(client, app)
    helm = app_helm_values(client, app)  # valuesFrom: the chart's values from the cluster
    redact = post.scrub if post else helm.scrub if helm else None
    return replace(
        options,
        post_render=then(post.render if post else None, common_metadata(app)),
        redact=redact,
        recipe=helm.recipe(options.recipe) if helm else options.recipe,
        tracking_method=argo.tracking_method(app),
        prune_refused=app_prune_refusal(app),
    )
