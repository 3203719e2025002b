"""Flux's commonMetadata: set on each object's own metadata, overriding it, never on a pod
template (fluxcd/pkg ssa SetCommonMetadata; helm-controller's CommonRenderer)."""

from __future__ import annotations

from typing import Any

import pytest

from driftui.gitops.app_specs import HELM_RELEASE, KUSTOMIZATION, App
from driftui.gitops.flux_metadata import common_metadata, then
from driftui.model import Manifest, ObjectRef

DEPLOY: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"tier": "back", "app": "web"}},
    "spec": {"template": {"metadata": {"labels": {"app": "web"}}}},
}


def app(kind: str, **spec: Any) -> App:
    return App(kind, "a", "web", (), body={"spec": spec})


def manifest(body: dict[str, Any]) -> Manifest:
    return Manifest(ObjectRef.of(body), body["apiVersion"], body, "deploy/web.yaml", "b" * 40)


@pytest.mark.parametrize("kind", [KUSTOMIZATION, HELM_RELEASE])
def test_common_metadata_is_set_on_the_objects_own_metadata_only(kind: str) -> None:
    metadata = {"labels": {"tier": "front"}, "annotations": {"owner": "shop"}}
    render = common_metadata(app(kind, commonMetadata=metadata))
    assert render is not None

    [out] = render([manifest(DEPLOY)])

    assert out.body["metadata"] == {
        "name": "web",
        "labels": {"tier": "front", "app": "web"},  # overridden, the rest kept
        "annotations": {"owner": "shop"},
    }
    assert out.body["spec"] == DEPLOY["spec"]  # no pod template touched
    assert out.blob_sha != "b" * 40  # another object: verdicts cached by blob are not reused
    assert DEPLOY["metadata"]["labels"]["tier"] == "back"  # the input is left alone


def test_no_common_metadata_no_step() -> None:
    assert common_metadata(app(KUSTOMIZATION)) is None
    assert common_metadata(app(KUSTOMIZATION, commonMetadata={"labels": {}})) is None
    assert common_metadata(app("Application", commonMetadata={"labels": {"a": "b"}})) is None


def test_steps_run_in_order() -> None:
    def first(ms: Any) -> list[Manifest]:
        return [*ms, manifest({**DEPLOY, "metadata": {"name": "second"}})]

    render = common_metadata(app(KUSTOMIZATION, commonMetadata={"labels": {"x": "1"}}))
    chained = then(first, render)
    assert chained is not None
    out = chained([manifest(DEPLOY)])
    assert [m.body["metadata"]["labels"]["x"] for m in out] == ["1", "1"]
    assert then(None, None) is None and then(first, None) is first
