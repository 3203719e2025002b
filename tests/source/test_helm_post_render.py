"""A Flux HelmRelease's ``postRenderers`` against the oracle: the real ``helm template``, then
the real ``kustomize build`` of the kustomization helm-controller writes around Helm's output
(``helm-output.yaml`` as the only resource, the renderer's patches and images), one
post-renderer after the other, run by the test itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from driftui.gitops.flux_recipe import flux_helm_recipe
from driftui.source.load import load_desired
from tests.gitops.test_flux_recipe import helm_release
from tests.source.test_render_config import CACHE, make_repo
from tests.source.test_render_recipe import docs, run

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "image: nginx:1.25\n",
    "charts/web/templates/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: web, image: {{ .Values.image | quote }}}]}\n"
    ),
    "charts/web/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n"
        "data:\n  colour: blue\n"
    ),
}

POST_RENDERERS: list[dict[str, Any]] = [
    {
        "kustomize": {
            "patches": [
                {  # strategic merge, aimed by its own name
                    "patch": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-settings}\n"
                    "data: {colour: red}\n"
                },
                {  # JSON 6902, aimed by its target
                    "patch": "- op: replace\n  path: /spec/replicas\n  value: 3\n",
                    "target": {"kind": "Deployment", "name": "web"},
                },
            ],
            "images": [{"name": "nginx", "newName": "registry.example/nginx", "newTag": "1.27"}],
        }
    },
    {  # the second sees the first's output: the image is renamed by now
        "kustomize": {
            "images": [{"name": "registry.example/nginx", "digest": "sha256:" + "a" * 64}]
        }
    },
]


def oracle(repo: Path, tmp_path: Path) -> str:
    """helm-controller's pipeline, with the real binaries."""
    output = run("helm", "template", "web", "charts/web", "--namespace", "prod", cwd=repo)
    for number, renderer in enumerate(POST_RENDERERS):
        step = tmp_path / f"oracle-{number}"
        step.mkdir()
        (step / "helm-output.yaml").write_text(output)
        spec = renderer["kustomize"]
        kustomization = {"resources": ["helm-output.yaml"], **spec}
        (step / "kustomization.yaml").write_text(json.dumps(kustomization))
        output = run("kustomize", "build", str(step), cwd=step)
    return output


def test_post_renderers_run_kustomize_over_the_charts_output_in_order(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)
    app = helm_release(postRenderers=POST_RENDERERS)
    assert app.source is not None
    recipe = flux_helm_recipe(app.source, "charts/web", "web", "prod")

    state = load_desired(str(repo), "HEAD", "charts/web", recipe=recipe, cache_dir=CACHE)

    bodies = {(m.ref.kind, m.ref.name): m.body for m in state.manifests}
    assert state.problems == []
    assert bodies == docs(oracle(repo, tmp_path))
    deploy = bodies[("Deployment", "web")]
    assert deploy["spec"]["replicas"] == 3
    image = deploy["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.example/nginx@sha256:" + "a" * 64
    assert bodies[("ConfigMap", "web-settings")]["data"] == {"colour": "red"}


def test_a_failing_post_renderer_is_a_problem_of_the_chart(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)
    bad = [{"kustomize": {"patches": [{"patch": "- op: remove\n  path: /nowhere\n"}]}}]
    app = helm_release(postRenderers=bad)
    assert app.source is not None
    recipe = flux_helm_recipe(app.source, "charts/web", "web", "a")

    state = load_desired(str(repo), "HEAD", "charts/web", recipe=recipe, cache_dir=CACHE)

    assert state.manifests == []
    [problem] = state.problems
    assert problem.path == "charts/web"
    assert problem.message.startswith("postRenderers[0] kustomize failed: ")
