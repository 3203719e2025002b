"""Image references compare the way a runtime reads them; what runs is matched to the spec."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.health.image_ref import ImageRef, digest_of, parse_image, same_image
from driftui.health.images import image_flags, runs_spec, workload_images

D1, D2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64

component = st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)?", fullmatch=True).filter(
    lambda s: len(s) < 20
)
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}", fullmatch=True)
registries = st.sampled_from(["", "docker.io/", "ghcr.io/", "localhost:5000/", "registry.example/"])


@st.composite
def references(draw: st.DrawFn) -> str:
    path = "/".join(draw(st.lists(component, min_size=1, max_size=3)))
    tag = draw(st.one_of(st.just(""), tags.map(lambda t: f":{t}")))
    digest = draw(st.sampled_from(["", f"@{D1}"]))
    return f"{draw(registries)}{path}{tag}{digest}"


@pytest.mark.parametrize(
    ("ref", "want"),
    [
        ("nginx", ImageRef("docker.io/library/nginx", "latest", "")),
        ("nginx:1.25", ImageRef("docker.io/library/nginx", "1.25", "")),
        ("index.docker.io/library/nginx", ImageRef("docker.io/library/nginx", "latest", "")),
        ("bitnami/redis:7", ImageRef("docker.io/bitnami/redis", "7", "")),
        ("localhost:5000/app", ImageRef("localhost:5000/app", "latest", "")),
        ("ghcr.io/org/app:v1@" + D1, ImageRef("ghcr.io/org/app", "v1", D1)),
        ("app@" + D1, ImageRef("docker.io/library/app", "", D1)),
    ],
)
def test_parse(ref: str, want: ImageRef) -> None:
    assert parse_image(ref) == want


@given(references())
def test_normalising_twice_changes_nothing(ref: str) -> None:
    once = parse_image(ref)
    assert parse_image(str(once)) == once
    assert same_image(ref, str(once))


@given(st.text(max_size=40))
def test_any_text_parses(ref: str) -> None:
    parse_image(ref)
    digest_of(ref)


def test_digest_of_every_runtime_form() -> None:
    assert digest_of(f"docker.io/library/nginx@{D1}") == D1
    assert digest_of(f"docker-pullable://nginx@{D1}") == D1
    assert digest_of(D1) == D1
    assert digest_of(f"docker://{D1}") == D1
    assert digest_of("") == ""


@pytest.mark.parametrize(
    ("spec", "image", "digest", "runs"),
    [
        ("nginx:1.25", "docker.io/library/nginx:1.25", D1, True),
        ("nginx:1.25", "docker.io/library/nginx:1.24", D1, False),
        ("nginx", "docker.io/library/nginx:latest", D1, True),
        ("nginx@" + D1, "docker.io/library/nginx:1.25", D1, True),
        ("nginx@" + D1, "docker.io/library/nginx:1.25", D2, False),
        ("nginx:1.25", f"docker.io/library/nginx@{D1}", D1, True),
        ("nginx:1.25", D2, D2, True),  # a local image id names nothing: not counted
    ],
)
def test_runs_spec(spec: str, image: str, digest: str, runs: bool) -> None:
    assert runs_spec(spec, image, digest) is runs


def deployment(image: str) -> dict[str, object]:
    return {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": image}]}}}}  # fmt: skip


def test_an_object_absent_from_git_or_the_cluster_has_none_there() -> None:
    (only_live,) = workload_images(None, deployment("a:1"), [])
    assert (only_live.git, only_live.spec, only_live.running) == (None, "a:1", ())
    (only_git,) = workload_images(deployment("a:1"), None, [])
    assert (only_git.git, only_git.spec) == ("a:1", None)
    assert image_flags([only_live, only_git]) == []


def test_git_short_and_spec_long_name_the_same_image() -> None:
    (c,) = workload_images(deployment("nginx"), deployment("docker.io/library/nginx:latest"), [])
    assert not c.spec_drift
