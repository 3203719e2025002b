"""A Flux Kustomization's ``targetNamespace`` against the oracle: the real ``kustomize build``
of the kustomization Flux's generator writes, with ``namespace:`` set. kustomize moves more
than the objects: a RoleBinding's ``default`` ServiceAccount subject goes with them."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from driftui.gitops.app_source import scan_source
from driftui.gitops.app_specs import flux_kustomization
from driftui.source.load import load_desired
from tests.source.test_render_config import CACHE, make_repo
from tests.source.test_render_recipe import docs, run

BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: old}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: default, namespace: old}
- {kind: ServiceAccount, name: app, namespace: old}
"""
FILES = {
    "deploy/binding.yaml": BINDING,
    "deploy/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n",
}


def test_a_target_namespace_moves_what_kustomize_moves(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git"}}}
    body = {
        "metadata": {"namespace": "a", "name": "app"},
        "spec": {
            "path": "./deploy",
            "targetNamespace": "prod",
            "sourceRef": {"kind": "GitRepository", "name": "r"},
        },
    }
    source = scan_source(flux_kustomization(body, repos))

    state = load_desired(
        str(repo), "HEAD", "deploy", recipe=source.recipe, files=source.files, cache_dir=CACHE
    )

    copy = tmp_path / "copy"
    shutil.copytree(repo / "deploy", copy)
    generated = {"resources": ["binding.yaml", "cm.yaml"], "namespace": "prod"}
    (copy / "kustomization.yaml").write_text(yaml.safe_dump(generated))
    oracle = docs(run("kustomize", "build", str(copy), cwd=copy))
    bodies = {(m.ref.kind, m.ref.name): m.body for m in state.manifests}
    assert state.problems == []
    assert bodies == oracle
    subjects = bodies[("RoleBinding", "reader")]["subjects"]
    assert [s["namespace"] for s in subjects] == ["prod", "old"]  # only `default` moves
