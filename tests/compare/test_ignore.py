"""JSON pointers and ignore rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.compare.ignore import (
    IgnoreRule,
    PointerError,
    format_pointer,
    index_in,
    is_ignored,
    json_pointer,
    parse_pointer,
    pointer_matches,
)
from driftui.model import Difference, DiffType, KeyedItem, ObjectRef, PathSegment

WEB = KeyedItem((("name", "web"),))
PORT = KeyedItem((("containerPort", "80"), ("protocol", "TCP")))


def test_parse_pointer_escapes() -> None:
    assert parse_pointer("/metadata/labels/foo~1bar") == ("metadata", "labels", "foo/bar")
    assert parse_pointer("/a~0b") == ("a~b",)
    for bad in ("spec", "/a~", "/a~2"):
        with pytest.raises(PointerError):
            parse_pointer(bad)


@given(st.lists(st.text(max_size=5), min_size=1, max_size=4))
def test_pointer_round_trip(tokens: list[str]) -> None:
    assert parse_pointer(format_pointer(tuple(tokens))) == tuple(tokens)


def test_prefix_keyed_and_wildcard_matching() -> None:
    path = ("spec", "containers", WEB, "ports", PORT, "protocol")
    assert pointer_matches(("spec",), path)
    assert pointer_matches(("spec", "containers", "web", "ports", "80"), path)
    assert pointer_matches(("spec", "containers", "web", "ports", "80,TCP"), path)
    assert pointer_matches(("spec", "containers", "*", "ports"), path)
    assert not pointer_matches(("spec", "containers", "db"), path)
    assert not pointer_matches(("spec", "replicas"), path)
    live = {"spec": {"containers": [{"name": "db"}, {"name": "web"}]}}
    assert pointer_matches(("spec", "containers", "1"), path, lambda p: index_in(live, p))
    assert not pointer_matches(("spec", "containers", "0"), path, lambda p: index_in(live, p))


def test_rule_selection_and_managers() -> None:
    rule = IgnoreRule(group="apps", kind="Deploy*", namespace="prod-*", managers=("hpa-*",))
    assert rule.selects(ObjectRef("apps", "Deployment", "prod-eu", "web"))
    assert not rule.selects(ObjectRef("apps", "Deployment", "dev", "web"))
    diff = Difference(("spec", "replicas"), DiffType.CHANGED, 3, 5, manager="kubectl-edit")
    assert not is_ignored(diff, [rule])
    assert is_ignored(diff, [rule], owners=["hpa-controller"])


@given(st.lists(st.text(), min_size=1, max_size=4), st.integers(0, 5))
def test_a_json_pointer_parses_back_to_the_keys_and_the_live_index(
    keys: list[str], position: int
) -> None:
    """Keys come from users' manifests: any text, "/" and "~" included, must survive."""
    items = [{"name": f"other-{i}"} for i in range(position)] + [{"name": "web", "x": 1}]
    live = {"spec": {"containers": items}}
    path: tuple[PathSegment, ...] = ("spec", "containers", KeyedItem((("name", "web"),)), *keys)
    pointer = json_pointer(path, live, {})
    assert parse_pointer(pointer) == ("spec", "containers", str(position), *keys)
