"""Whole tracking markers: which app an object says applied it (pure functions)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.gitops.markers import TrackingMarkers
from driftui.gitops.owners import app_markers
from driftui.model import AppOwner

FLUX = "kustomize.toolkit.fluxcd.io"


def obj(name: str = "web", labels: Any = None, annotations: Any = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "shop"}
    if labels is not None:
        meta["labels"] = labels
    if annotations is not None:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def apps(o: dict[str, Any], markers: TrackingMarkers | None = None) -> set[AppOwner]:
    return {m.app for m in app_markers(o, markers or TrackingMarkers())}


def test_flux_needs_name_and_namespace_together() -> None:
    assert apps(obj(labels={f"{FLUX}/namespace": "flux-system"})) == set()
    assert apps(obj(labels={f"{FLUX}/name": "apps"})) == set()
    both = {f"{FLUX}/name": "apps", f"{FLUX}/namespace": "flux-system"}
    assert apps(obj(labels=both)) == {AppOwner("flux", "flux-system", "apps")}


def test_a_tracking_id_counts_only_for_the_object_it_names() -> None:
    own = {"argocd.argoproj.io/tracking-id": "guestbook:/ConfigMap:shop/web"}
    assert apps(obj(annotations=own)) == {AppOwner("argocd", "", "guestbook")}
    copied = {"argocd.argoproj.io/tracking-id": "guestbook:/ConfigMap:shop/other"}
    assert apps(obj(annotations=copied)) == set()
    any_ns = {"argocd.argoproj.io/tracking-id": "team-a_guestbook:/ConfigMap:shop/web"}
    assert apps(obj(annotations=any_ns)) == {AppOwner("argocd", "team-a", "guestbook")}


def test_helm_release_is_named_by_name_and_namespace() -> None:
    helm = {"meta.helm.sh/release-name": "redis", "meta.helm.sh/release-namespace": "cache"}
    assert apps(obj(annotations=helm)) == {AppOwner("helm", "cache", "redis")}


def test_a_bare_instance_label_yields_to_a_stronger_marker() -> None:
    """Helm charts set app.kubernetes.io/instance to the release name in every namespace."""
    helm = {"meta.helm.sh/release-name": "redis", "meta.helm.sh/release-namespace": "cache"}
    instance = {"app.kubernetes.io/instance": "redis"}
    assert apps(obj(labels=instance, annotations=helm)) == {AppOwner("helm", "cache", "redis")}
    assert apps(obj(labels=instance)) == {AppOwner("argocd", "", "redis")}


def test_only_configured_keys_count() -> None:
    team = obj(labels={"team.example.com/app": "shop"})
    assert apps(team) == set()
    mine = TrackingMarkers(annotations=(), labels=("team.example.com/app",))
    assert apps(team, mine) == {AppOwner("team.example.com/app", "", "shop")}
    # and the evidence says where the marker was found, for the prune preview
    (marker,) = app_markers(team, mine)
    assert marker.evidence == "team.example.com/app=shop"


def test_odd_metadata_is_no_marker() -> None:
    assert apps(obj(labels=["not", "a", "map"])) == set()
    assert apps(obj(annotations={"argocd.argoproj.io/tracking-id": 7})) == set()
    assert apps({"kind": "ConfigMap"}) == set()


def test_an_instance_label_names_an_app_in_any_namespace_as_the_tracking_id_does() -> None:
    label = {"app.kubernetes.io/instance": "team-a_web"}  # Argo CD's instance name
    assert apps(obj(labels=label)) == {AppOwner("argocd", "team-a", "web")}


_KEYS = [
    *TrackingMarkers().labels,
    *TrackingMarkers().annotations,
    "app",
    "team",
    "kubectl.kubernetes.io/last-applied-configuration",
]
_METADATA = st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(["", "apps", "shop", 3]))


@settings(max_examples=300)
@given(labels=_METADATA, annotations=_METADATA, others=_METADATA)
def test_keys_that_are_no_markers_never_change_the_markers(
    labels: dict[str, Any], annotations: dict[str, Any], others: dict[str, Any]
) -> None:
    """Labels and annotations come from users. An object without a marker key is answered
    at once (most objects a scan looks at); keys that are not markers, added to either,
    change nothing, and an instance label always names its app."""
    plain = {k: v for k, v in others.items() if k not in TrackingMarkers().labels}
    plain_annotations = {k: v for k, v in others.items() if k not in TrackingMarkers().annotations}
    base = app_markers(obj(labels=labels, annotations=annotations), TrackingMarkers())
    more = obj(labels={**plain, **labels}, annotations={**plain_annotations, **annotations})
    assert app_markers(more, TrackingMarkers()) == base
    instance = labels.get("app.kubernetes.io/instance")
    assert not (isinstance(instance, str) and instance) or base, "an instance label marks"
    release = [annotations.get(f"meta.helm.sh/release-{k}") for k in ("name", "namespace")]
    assert not all(isinstance(v, str) and v for v in release) or base, "so does a release"
