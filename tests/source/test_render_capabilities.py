"""The cluster a chart renders for, as helm's flags spell it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from driftui.source.render import Capabilities, helm_kube_version


def test_vendor_suffixes_are_dropped_as_argo_cd_drops_them() -> None:
    assert helm_kube_version("v1.34.4") == "v1.34.4"
    assert helm_kube_version("v1.29.1-eks-4721010") == "v1.29.1"
    assert helm_kube_version("v1.27.3+k3s1") == "v1.27.3"
    assert helm_kube_version("1.30") == "v1.30.0"
    assert helm_kube_version("v0.0.0-master+$Format:%H$") == "v0.0.0"
    assert helm_kube_version("not a version") == ""
    assert helm_kube_version("") == ""


@given(st.integers(0, 99), st.integers(0, 999), st.integers(0, 999), st.text(max_size=20))
def test_any_suffix_leaves_the_plain_version(major: int, minor: int, patch: int, tail: str) -> None:
    suffix = tail if not tail[:1].isdigit() and not tail.startswith(".") else ""
    assert helm_kube_version(f"v{major}.{minor}.{patch}{suffix}") == f"v{major}.{minor}.{patch}"


def test_helm_arguments() -> None:
    assert Capabilities().helm_args() == []
    caps = Capabilities("v1.34.4", ("apps/v1", "apps/v1/Deployment", "v1"))
    assert caps.helm_args() == [
        "--kube-version",
        "v1.34.4",
        "--api-versions",
        "apps/v1,apps/v1/Deployment,v1",
    ]
