"""An app's render recipe against the oracle: the real ``helm template`` / ``kustomize edit``
+ ``kustomize build`` run by the test itself with the arguments Argo CD passes, in a copy of
the directory. What driftui loads must be exactly what they print."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.source.envsubst import envsubst
from driftui.source.helm_args import ArgsRefused, HelmCall, clean_set_value, repo_file
from driftui.source.load import load_desired
from driftui.source.recipe import HelmOptions, KustomizeEdits, RenderRecipe, ValueFile
from tests.source.test_render_config import CACHE, git, make_repo

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "colour: blue\nsize: 1\ntag: latest\n",
    "charts/web/values-prod.yaml": "colour: green\n",
    "charts/web/files/motd.txt": "hello, world\n",
    "shared/common.yaml": "size: 5\n",
    "charts/web/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n"
        "  namespace: {{ .Release.Namespace }}\n"
        "data:\n  colour: {{ .Values.colour | quote }}\n  size: {{ .Values.size | quote }}\n"
        "  tag: {{ .Values.tag | quote }}\n  kind: {{ kindOf .Values.tag | quote }}\n"
        '  extra: {{ .Values.extra | default "none" | quote }}\n'
        '  motd: {{ .Values.motd | default "" | quote }}\n'
        '  list: {{ .Values.list | default "" | quote }}\n'
    ),
}
KUSTOMIZE = {
    "shop/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [deploy.yaml, cm.yaml]\ncommonLabels: {team: shop}\n"
    ),
    "shop/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n",
    "shop/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: web, image: nginx:1.25}]}\n"
    ),
}


def run(*argv: str, cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def docs(text: str) -> dict[tuple[str, str], Any]:
    out = {}
    for doc in yaml.safe_load_all(text):
        if doc:
            out[(doc["kind"], doc["metadata"]["name"])] = doc
    return out


def loaded(repo: Path, path: str, recipe: RenderRecipe) -> tuple[dict[tuple[str, str], Any], Any]:
    state = load_desired(str(repo), "HEAD", path, recipe=recipe, cache_dir=CACHE)
    bodies = {(m.ref.kind, m.ref.name): m.body for m in state.manifests}
    return bodies, state.problems


def test_helm_options_render_as_helm_template_with_argo_cds_arguments(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)
    options = HelmOptions(
        release_name="shop-web",
        namespace="prod",
        value_files=(ValueFile("values-prod.yaml"), ValueFile("/shared/common.yaml")),
        values="extra: inline\n",
        set=(("list", "a,b"), ("size", "9")),
        set_string=(("tag", "007"),),
        set_file=(("motd", "files/motd.txt"),),
    )

    bodies, problems = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=options))

    chart = repo / "charts/web"
    (tmp_path / "inline.yaml").write_text("extra: inline\n")
    oracle = run(
        *("helm", "template", "charts/web", "--name-template", "shop-web", "--namespace", "prod"),
        *("--set", "list=a\\,b", "--set", "size=9", "--set-string", "tag=007"),
        *("--set-file", f"motd={chart}/files/motd.txt"),
        *("--values", f"{chart}/values-prod.yaml", "--values", f"{repo}/shared/common.yaml"),
        *("--values", str(tmp_path / "inline.yaml"), "--include-crds"),
        cwd=repo,
    )
    assert problems == []
    assert bodies == docs(oracle)
    data = bodies[("ConfigMap", "shop-web-settings")]["data"]
    # the parameter beats the values files; the string parameter stays a string
    assert (data["size"], data["tag"], data["kind"], data["list"]) == ("9", "007", "string", "a,b")
    assert (data["colour"], data["extra"], data["motd"]) == ("green", "inline", "hello, world\n")


def test_a_missing_values_file_is_skipped_only_when_the_app_says_so(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)
    files = (ValueFile("values-gone.yaml"), ValueFile("values-prod.yaml"))
    lenient = HelmOptions("web", "prod", files, ignore_missing_value_files=True)

    bodies, problems = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=lenient))
    strict_bodies, strict = loaded(
        repo, "charts/web", RenderRecipe("charts/web", helm=HelmOptions("web", "prod", files))
    )

    oracle = run(
        *("helm", "template", "charts/web", "--name-template", "web", "--namespace", "prod"),
        *("--values", "charts/web/values-prod.yaml", "--include-crds"),
        cwd=repo,
    )
    assert problems == [] and bodies == docs(oracle)
    assert strict_bodies == {}
    assert [(p.path, p.message) for p in strict] == [
        ("charts/web", "values file 'values-gone.yaml' not found")
    ]


def test_values_files_may_not_leave_the_checkout(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)
    (tmp_path / "secret.yaml").write_text("colour: stolen\n")
    options = HelmOptions("web", value_files=(ValueFile("../../../secret.yaml"),))

    bodies, problems = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=options))

    assert bodies == {}
    assert [p.message for p in problems] == [
        "values file '../../../secret.yaml' leads outside the repository: refused"
    ]


def test_kustomize_options_render_as_argo_cds_kustomize_edits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", KUSTOMIZE)
    patch = {
        "target": {"kind": "ConfigMap"},
        "patch": '[{"op":"add","path":"/data/b","value":"2"}]',
    }
    edits = KustomizeEdits(
        name_prefix="p-",
        name_suffix="-s",
        images=("nginx=registry.example/nginx:1.27",),
        replicas=(("web", 3),),
        labels=(("tier", "front"),),
        annotations=(("owner", "shop"),),
        namespace="shop-ns",
        appended=json.dumps({"patches": [patch]}),
    )

    bodies, problems = loaded(repo, "shop", RenderRecipe("shop", kustomize_edits=edits))

    copy = tmp_path / "copy"
    shutil.copytree(repo / "shop", copy)
    for argv in (
        ("edit", "set", "nameprefix", "--", "p-"),
        ("edit", "set", "namesuffix", "--", "-s"),
        ("edit", "set", "image", "nginx=registry.example/nginx:1.27"),
        ("edit", "set", "replicas", "web=3"),
        ("edit", "add", "label", "tier:front"),
        ("edit", "add", "annotation", "owner:shop"),
        ("edit", "set", "namespace", "--", "shop-ns"),
    ):
        run("kustomize", *argv, cwd=copy)
    with open(copy / "kustomization.yaml", "a") as handle:
        handle.write("patches:\n- " + yaml.safe_dump(patch, default_flow_style=True))
    oracle = docs(run("kustomize", "build", str(copy), cwd=tmp_path))
    assert problems == []
    assert bodies == oracle
    deploy = bodies[("Deployment", "p-web-s")]
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "registry.example/nginx:1.27"
    )
    assert deploy["metadata"]["labels"] == {"team": "shop", "tier": "front"}
    assert bodies[("ConfigMap", "p-settings-s")]["data"] == {"a": "1", "b": "2"}


def test_argo_cds_build_environment_expands_in_images_and_parameters(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**KUSTOMIZE, **CHART})
    commit = git(repo, "rev-parse", "HEAD")
    env = (("ARGOCD_APP_NAME", "shop"),)
    image = "nginx=registry.example/nginx:${ARGOCD_APP_REVISION_SHORT}"
    edits = KustomizeEdits(images=(image,), labels=(("app", "$ARGOCD_APP_NAME$UNKNOWN"),))
    helm = HelmOptions("web", set_string=(("tag", "${ARGOCD_APP_REVISION}-$$"),))

    shop, _ = loaded(repo, "shop", RenderRecipe("shop", kustomize_edits=edits, env=env))
    web, _ = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=helm, env=env))

    deploy = shop[("Deployment", "web")]
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == (
        f"registry.example/nginx:{commit[:7]}"
    )
    assert deploy["metadata"]["labels"]["app"] == "shop"  # an unknown name expands to ""
    assert web[("ConfigMap", "web-settings")]["data"]["tag"] == f"{commit}-$"


CRD = (
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    "metadata: {name: widgets.example.com}\n"
)


def test_skip_crds_and_the_apps_own_kube_version_reach_helm(tmp_path: Path) -> None:
    chart = {
        **CHART,
        "charts/web/Chart.yaml": CHART["charts/web/Chart.yaml"] + "kubeVersion: '>=1.99.0-0'\n",
        "charts/web/crds/widgets.yaml": CRD,
    }
    repo = make_repo(tmp_path / "repo", chart)
    future = HelmOptions("web", kube_version="v1.99.0")

    with_crds, _ = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=future))
    skipped, _ = loaded(
        repo, "charts/web", RenderRecipe("charts/web", helm=replace(future, skip_crds=True))
    )
    _, too_old = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=HelmOptions("web")))

    assert set(with_crds) == {
        ("CustomResourceDefinition", "widgets.example.com"),
        ("ConfigMap", "web-settings"),
    }
    assert set(skipped) == {("ConfigMap", "web-settings")}
    assert "incompatible with Kubernetes" in too_old[0].message  # helm's own default version


def test_kustomize_options_on_a_path_without_a_kustomization_are_a_problem(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo", {"plain/cm.yaml": KUSTOMIZE["shop/cm.yaml"]})
    recipe = RenderRecipe("plain", kustomize_edits=KustomizeEdits(name_prefix="p-"))

    _, problems = loaded(repo, "plain", recipe)

    assert [p.message for p in problems] == [
        "kustomize options are set, but plain has no kustomization"
    ]


def test_the_render_cache_keys_on_the_recipe(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)

    first, _ = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=HelmOptions("a")))
    second, _ = loaded(repo, "charts/web", RenderRecipe("charts/web", helm=HelmOptions("b")))

    assert set(first) == {("ConfigMap", "a-settings")}
    assert set(second) == {("ConfigMap", "b-settings")}


def test_only_a_flux_recipe_builds_a_file_beside_the_kustomization(tmp_path: Path) -> None:
    """Flux's LoadRestrictionsNone build of a sibling file is not cached for a root-only
    (Argo CD or --repo) build of the same directory, which kustomize refuses."""
    files = {
        "deploy/kustomization.yaml": "resources: [../common/cm.yaml]\n",
        "common/cm.yaml": KUSTOMIZE["shop/cm.yaml"],
    }
    repo = make_repo(tmp_path / "repo", files)

    flux, flux_problems = loaded(repo, "deploy", RenderRecipe("deploy", load_anywhere=True))
    argo, argo_problems = loaded(repo, "deploy", RenderRecipe("deploy"))

    assert set(flux) == {("ConfigMap", "settings")} and flux_problems == []
    assert argo == {}
    [problem] = argo_problems
    assert "is not in or below" in problem.message


@settings(max_examples=200)
@given(st.text(alphabet="./ab$-", max_size=24))
def test_no_values_path_resolves_outside_the_checkout(path: str) -> None:
    root = os.path.realpath(os.path.dirname(__file__))
    call = HelmCall(root, os.path.join(root, "cli"), os.path.join(root, "scratch"))
    try:
        resolved = repo_file(path, call)
    except ArgsRefused:
        return
    assert resolved == root or resolved.startswith(root + os.sep)


def test_set_values_escape_commas_as_argo_cd_does() -> None:
    assert clean_set_value("a,b") == "a\\,b"
    assert clean_set_value("a\\,b") == "a\\,b"  # already escaped
    assert clean_set_value(",a") == ",a"  # Argo CD's pattern needs a character before it


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)


@given(st.text().filter(lambda t: "$" not in t), NAMES, st.text())
def test_expansion_touches_only_what_names_a_variable(text: str, name: str, value: str) -> None:
    env = {name: value}
    assert envsubst(text, env) == text
    assert envsubst(f"{text}${{{name}}}{text}", env) == f"{text}{value}{text}"
    assert envsubst(f"$${name}", env) == f"${name}"  # `$$` is Argo CD's escaped dollar
