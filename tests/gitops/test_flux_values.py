"""helm-controller's values merge for ``valuesFrom``: deep merge, ``--set`` style paths."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from driftui.gitops.flux_values import merge_maps, set_path

_KEYS = st.text("abc", min_size=1, max_size=2)
_TREES: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(_KEYS, st.integers() | st.text(max_size=3), max_size=3),
    lambda inner: st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=8,
)


def _leaves(tree: dict[str, Any], at: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):  # an empty map sets nothing: it merges into the old
            out.update(_leaves(value, (*at, key)))
        else:
            out[(*at, key)] = value
    return out


def _get(tree: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


@given(_TREES, _TREES)
def test_every_value_of_the_later_map_wins(base: dict[str, Any], over: dict[str, Any]) -> None:
    merged = merge_maps(base, over)
    for path, value in _leaves(over).items():
        assert _get(merged, path) == value


def test_maps_merge_key_by_key_and_other_values_are_replaced() -> None:
    base = {"a": {"x": 1, "y": 2}, "b": [1, 2], "c": "keep"}
    assert merge_maps(base, {"a": {"y": 3}, "b": [3]}) == {
        "a": {"x": 1, "y": 3},
        "b": [3],
        "c": "keep",
    }


def test_a_target_path_sets_one_typed_value_as_helm_set_does() -> None:
    values: dict[str, Any] = {"image": {"repo": "nginx"}}
    set_path(values, "image.tag", "42")
    set_path(values, "debug", "true")
    set_path(values, "name", "'007'")
    set_path(values, r"annotations.example\.com/x", "v")
    assert values == {
        "image": {"repo": "nginx", "tag": 42},
        "debug": True,
        "name": "007",
        "annotations": {"example.com/x": "v"},
    }
