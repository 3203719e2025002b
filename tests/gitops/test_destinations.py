"""Argo CD destinations matched to kubeconfig contexts by server URL (issue 23)."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from driftui.gitops.app_clusters import cluster_names
from driftui.gitops.app_specs import APPLICATION, KUSTOMIZATION, App
from driftui.gitops.destinations import (
    Destination,
    KubeContext,
    Placement,
    destination_of,
    place,
    same_server,
)

HOME = KubeContext("hub", "https://10.0.0.1:6443")
PROD = KubeContext("prod", "https://prod.example.com")
PROD_RO = KubeContext("prod-viewer", "https://PROD.example.com:443/")
STAGING = KubeContext("staging", "https://staging.example.com:8443")
CONTEXTS = [HOME, PROD, PROD_RO, STAGING]


def app(kind: str, spec: dict[str, Any]) -> App:
    return App(kind, "argocd", "web", (), body={"spec": spec})


def test_a_server_url_is_matched_to_the_context_of_that_cluster() -> None:
    dest = Destination(server="https://staging.example.com:8443/")
    assert place(dest, HOME, CONTEXTS) == Placement("staging", STAGING.server)


def test_the_in_cluster_address_and_name_mean_the_cluster_the_app_lives_in() -> None:
    for dest in (
        Destination(server="https://kubernetes.default.svc"),
        Destination(server="https://kubernetes.default.svc:443/"),
        Destination(name="in-cluster"),
        Destination(),  # a Flux app, or an Application with no destination cluster
    ):
        assert place(dest, HOME, CONTEXTS) == Placement("hub", HOME.server), dest


def test_a_cluster_no_context_reaches_is_a_problem_naming_its_url() -> None:
    got = place(Destination(server="https://dr.example.com"), HOME, CONTEXTS)
    assert got == Placement(
        "", "https://dr.example.com", "no kubeconfig context for https://dr.example.com"
    )
    assert not got.found


def test_of_several_contexts_on_one_server_the_home_one_wins_else_the_first() -> None:
    dest = Destination(server="https://prod.example.com")
    assert place(dest, HOME, CONTEXTS).context == "prod"
    assert place(dest, PROD_RO, CONTEXTS).context == "prod-viewer"  # read through it


def test_a_name_resolves_through_argo_cds_cluster_secrets() -> None:
    names = {"production": "https://prod.example.com/", "in-cluster": HOME.server}
    assert place(Destination(name="production"), STAGING, CONTEXTS, names).context == "prod"
    unknown = place(Destination(name="dr"), HOME, CONTEXTS, names)
    assert unknown.problem == "cluster name 'dr' unknown: no Argo CD cluster of that name"
    unread = place(Destination(name="dr"), HOME, CONTEXTS, None)
    assert (
        unread.problem == "cluster name 'dr' unknown: Argo CD's cluster Secrets could not be read"
    )
    # a Secret may name another cluster "in-cluster"; its URL then decides
    renamed = {"in-cluster": "https://prod.example.com"}
    assert place(Destination(name="in-cluster"), HOME, CONTEXTS, renamed).context == "prod"


def test_a_name_that_leads_to_an_unreached_url_says_the_url() -> None:
    got = place(Destination(name="dr"), HOME, CONTEXTS, {"dr": "https://dr.example.com"})
    assert got.problem == "no kubeconfig context for https://dr.example.com"


def test_both_server_and_name_and_a_flux_remote_kubeconfig_are_problems_not_guesses() -> None:
    both = Destination(server=PROD.server, name="production")
    assert "both server and name" in place(both, HOME, CONTEXTS).problem
    remote = destination_of(app(KUSTOMIZATION, {"kubeConfig": {"secretRef": {"name": "prod-kc"}}}))
    got = place(remote, HOME, CONTEXTS)
    assert got.context == "" and "spec.kubeConfig (Secret prod-kc)" in got.problem


def test_destination_of_reads_the_application_spec() -> None:
    spec = {"destination": {"server": " https://prod.example.com ", "namespace": "shop"}}
    assert destination_of(app(APPLICATION, spec)) == Destination("https://prod.example.com")
    assert destination_of(app(APPLICATION, {"destination": {"name": "prod"}})).name == "prod"
    assert destination_of(app(APPLICATION, {"destination": "junk"})) == Destination()
    assert destination_of(app(KUSTOMIZATION, {"path": "./x"})) == Destination()


def test_cluster_secrets_give_name_and_server_and_never_more() -> None:
    def secret(**data: str) -> dict[str, Any]:
        return {"data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}

    secrets = [
        secret(name="prod", server="https://prod.example.com", config='{"bearerToken":"s3cr3t"}'),
        secret(name="prod", server="https://other.example.com"),  # the first of a name wins
        secret(server="https://nameless.example.com"),
        {"data": {"name": "!!not base64", "server": "x"}},
        {"data": None},
    ]
    assert cluster_names(secrets) == {"prod": "https://prod.example.com"}


labels = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
hosts = st.lists(labels, min_size=1, max_size=4).map(".".join)


@given(hosts, st.sampled_from(["", ":443"]), st.sampled_from(["", "/"]), st.booleans())
def test_same_server_ignores_case_default_port_and_trailing_slash(
    host: str, port: str, slash: str, upper: bool
) -> None:
    written = f"https://{host.upper() if upper else host}{port}{slash}"
    assert same_server(written, f"https://{host}")
    assert not same_server(written, f"https://{host}:6443")
    assert not same_server(written, f"http://{host}")


@given(st.text(max_size=40), st.text(max_size=40))
def test_any_user_text_places_somewhere_or_says_why(server: str, name: str) -> None:
    got = place(Destination(server=server, name=name), HOME, CONTEXTS, {})
    assert bool(got.context) != bool(got.problem)


def test_text_that_is_no_url_compares_as_text() -> None:
    assert same_server("https://[::1", "https://[::1/")
    assert not same_server("https://[::1", "https://host:x")
    assert place(Destination(server="https://host:port"), HOME, CONTEXTS).problem
