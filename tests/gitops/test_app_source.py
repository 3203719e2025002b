"""Naming apps and mapping repositories, as users type them (property-tested), and what an
app's spec makes of the scan's source."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.errors import UsageError
from driftui.gitops.app_source import (
    AppSourceError,
    choose_apps,
    parse_app_name,
    parse_repo_map,
    repo_key,
    scan_source,
)
from driftui.gitops.app_specs import App, argo_app, flux_kustomization
from driftui.source.recipe import HelmOptions, ValueFile
from driftui.source.selection import FileSelection, scoped_lines

DNS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


def application(ns: str, name: str, **source: object) -> App:
    spec = {"repoURL": "https://git.example/r.git", "path": "p", **source}
    body = {"metadata": {"namespace": ns, "name": name}, "spec": {"source": spec}}
    return argo_app(body)


@given(ns=DNS, name=DNS)
def test_names_parse_back(ns: str, name: str) -> None:
    assert parse_app_name(name).name == name
    assert (parse_app_name(f"{ns}/{name}").namespace, parse_app_name(f"{ns}/{name}").name) == (
        ns,
        name,
    )
    full = parse_app_name(f"Kustomization/{ns}/{name}")
    assert (full.kind, full.namespace, full.name) == ("Kustomization", ns, name)


@given(st.text(max_size=40))
def test_any_text_is_a_name_or_a_usage_error(text: str) -> None:
    try:
        parsed = parse_app_name(text)
    except UsageError as exc:
        assert repr(text) in str(exc)
    else:
        assert parsed.name and "/" not in parsed.name


def test_an_ambiguous_name_lists_the_matches_and_a_namespace_settles_it() -> None:
    apps = [application("a", "web"), application("b", "web")]

    with pytest.raises(UsageError, match="application/a/web, application/b/web"):
        choose_apps(apps, ["web"])
    assert choose_apps(apps, ["b/web", "b/web"]) == [apps[1]]
    with pytest.raises(AppSourceError, match="no such app"):
        choose_apps(apps, ["c/web"])


@given(url=st.from_regex(r"https://[a-z]{1,10}\.example/[a-z]{1,10}", fullmatch=True), path=DNS)
def test_repo_map_keys_match_with_or_without_dot_git(url: str, path: str) -> None:
    mapped = parse_repo_map([f"{url}.git={path}"])
    assert mapped == {repo_key(url + "/"): path}
    with pytest.raises(UsageError):
        parse_repo_map([url])


def test_repo_keys_are_lower_cased_before_the_dot_git_goes() -> None:
    assert repo_key("https://Git.Example/Shop.GIT") == repo_key("https://git.example/shop")


def test_argo_directory_options_become_the_file_selection() -> None:
    app = application("a", "web", directory={"recurse": True, "include": "{x,y}/*.yaml"})

    source = scan_source(app)

    assert source.files == FileSelection(recurse=True, include="{x,y}/*.yaml")
    assert source.files.keeps("p/x/a.yaml", "p") and not source.files.keeps("p/z/a.yaml", "p")
    assert scan_source(application("a", "web")).files == FileSelection(recurse=False)


def test_a_git_repository_ignore_becomes_the_file_selection_with_fluxs_defaults() -> None:
    ignore = "# only the apps\n/*\n!/apps/\napps/**/*-test.yaml\n"
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git", "ignore": ignore}}}
    body = {
        "metadata": {"namespace": "a", "name": "prod"},
        "spec": {"path": "./", "sourceRef": {"kind": "GitRepository", "name": "r"}},
    }

    files = scan_source(flux_kustomization(body, repos)).files

    assert files is not None and files.ignore_file == ".sourceignore"
    kept = {
        p: files.keeps(p, "")
        for p in ("apps/web.yaml", "apps/web-test.yaml", "docs/x.yaml", "apps/cloudbuild.yaml")
    }
    assert kept == {
        "apps/web.yaml": True,
        "apps/web-test.yaml": False,  # spec.ignore
        "docs/x.yaml": False,  # spec.ignore
        "apps/cloudbuild.yaml": False,  # source-controller's default excludes
    }


def test_sourceignore_lines_speak_for_their_directory() -> None:
    assert scoped_lines("# c\n\nx.yaml\n/y.yaml\n!z/w.yaml\n", "apps") == [
        "/apps/**/x.yaml",
        "/apps/y.yaml",
        "!/apps/z/w.yaml",
    ]
    assert scoped_lines("x.yaml\n", "") == ["x.yaml"]


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ({"plugin": {"name": "cdk8s"}}, "not supported: config management plugin cdk8s"),
        ({"directory": {"jsonnet": {"libs": ["l"]}}}, "not supported: jsonnet directories"),
        (
            {"chart": "redis", "helm": {}},
            r"Helm charts from a Helm repository are not supported yet \(chart redis\)",
        ),
        (
            {"kustomize": {"kubeVersion": "1.30"}},
            "kustomize options not supported yet: kubeVersion",
        ),
        ({"helm": {"version": "v2"}}, r"helm version v2 is not supported \(helm 3 only\)"),
    ],
)
def test_what_this_slice_cannot_render_faithfully_is_one_error(
    source: dict[str, object], why: str
) -> None:
    with pytest.raises(AppSourceError, match=f"^application/a/web: {why}$"):
        scan_source(application("a", "web", **source))


def test_an_argo_helm_source_carries_argo_cds_template_arguments() -> None:
    helm = {
        "valueFiles": ["values-prod.yaml"],
        "parameters": [
            {"name": "size", "value": "3"},
            {"name": "tag", "value": "007", "forceString": True},
        ],
        "fileParameters": [{"name": "motd", "path": "files/motd.txt"}],
        "valuesObject": {"colour": "green"},
        "values": "ignored: since valuesObject wins",
        "skipCrds": True,
    }
    body = {
        "metadata": {"namespace": "argocd", "name": "web"},
        "spec": {
            "source": {
                "repoURL": "https://git.example/r.git",
                "path": "./charts/web",
                "helm": helm,
            },
            "destination": {"namespace": "prod"},
        },
    }

    source = scan_source(argo_app(body))

    assert source.path == "charts/web" and source.more == ()
    assert source.recipe is not None and source.recipe.at == "charts/web"
    assert ("ARGOCD_APP_NAME", "web") in source.recipe.env
    assert source.recipe.kustomize_edits is None
    assert source.recipe.helm == (
        HelmOptions(
            release_name="web",  # the app's name, as Argo CD's
            namespace="prod",  # the destination's
            value_files=(ValueFile("values-prod.yaml"),),
            values='{"colour": "green"}',
            set=(("size", "3"),),
            set_string=(("tag", "007"),),
            set_file=(("motd", "files/motd.txt"),),
            skip_crds=True,
        )
    )


def test_a_multi_source_app_leads_with_its_first_rendering_source_and_resolves_refs() -> None:
    values = {"repoURL": "https://git.example/values.git", "targetRevision": "v2", "ref": "vals"}
    chart = {
        "repoURL": "https://git.example/charts.git",
        "path": "web",
        "helm": {"valueFiles": ["$vals/prod/web.yaml", "$nope/x.yaml"]},
    }
    plain = {"repoURL": "https://git.example/r.git", "path": "extra", "targetRevision": "main"}
    body = {
        "metadata": {"namespace": "argocd", "name": "web"},
        "spec": {"sources": [values, chart, plain], "destination": {"namespace": "prod"}},
    }

    source = scan_source(argo_app(body), {"https://git.example/r": "/work/r"})

    assert (source.repo, source.ref, source.path) == (
        "https://git.example/charts.git",
        "HEAD",
        "web",
    )
    assert source.recipe is not None and source.recipe.helm is not None
    assert source.recipe.helm.value_files == (
        ValueFile("prod/web.yaml", "https://git.example/values.git", "v2", "$vals/prod/web.yaml"),
        ValueFile("$nope/x.yaml"),  # not a ref: a path, as Argo CD reads it
    )
    [more] = source.more
    assert (more.repo, more.ref, more.path, more.fetch) == ("/work/r", "HEAD", "extra", False)
