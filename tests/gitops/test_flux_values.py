"""helm-controller's values merge for ``valuesFrom``: deep merge, ``--set`` style paths."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.gitops.flux_values import (
    Reference,
    ValuesFromError,
    merge_maps,
    merged_values,
    set_path,
)

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


def test_a_target_path_takes_list_indexes_escapes_and_lists_as_helm_set_does() -> None:
    values: dict[str, Any] = {"ports": [{"name": "http", "port": 80}]}
    set_path(values, "ports[0].port", "8080")  # in place, the name kept
    set_path(values, "hosts[1]", "b.example")  # padded with null, as strvals pads
    set_path(values, r"labels.app\.kubernetes\.io/name", "web")
    set_path(values, "zones", "{a,b}")
    set_path(values, "ratio", "1.5")  # strvals never types a float
    set_path(values, "flag", "TRUE")
    assert values == {
        "ports": [{"name": "http", "port": 8080}],
        "hosts": [None, "b.example"],
        "labels": {"app.kubernetes.io/name": "web"},
        "zones": ["a", "b"],
        "ratio": "1.5",
        "flag": True,
    }


def test_a_target_path_line_helm_refuses_is_an_error_that_quotes_no_value() -> None:
    with pytest.raises(ValuesFromError) as caught:
        set_path({}, "tag", "s3cret,other", "Secret/web (valuesFrom)")
    assert "s3cret" not in str(caught.value) and "other" not in str(caught.value)
    assert str(caught.value).startswith("Secret/web (valuesFrom): targetPath 'tag': ")


def ref(path: str, text: str, secret: bool = False) -> Reference:
    kind = "Secret" if secret else "ConfigMap"
    return Reference({"kind": kind, "name": "v", "targetPath": path}, text, secret)


def test_spec_values_win_except_over_a_target_path_in_a_map_they_share() -> None:
    """ChartValuesFromReferences merges spec.values in before it sets a targetPath: the
    maps the result then shares with spec.values take the value, so it outlives the final
    merge there; at the top level, or in a map merged again, it does not."""
    inline: dict[str, Any] = {"tag": "spec", "image": {"repo": "nginx", "tag": "spec"}}
    shared = merged_values([ref("image.tag", "ref")], inline)
    assert shared.values == {"tag": "spec", "image": {"repo": "nginx", "tag": "ref"}}
    top = merged_values([ref("tag", "ref")], inline)
    assert top.values == inline
    # a second merge of spec.values copies the maps it merges into: no longer shared
    twice = merged_values([ref("tag", "ref"), ref("image.tag", "ref")], inline)
    assert twice.values == inline

    yaml_first = Reference({"kind": "ConfigMap", "name": "y"}, "image: {pull: Always}\n")
    second = merged_values([yaml_first, ref("image.tag", "ref")], inline)
    assert second.values["image"] == {"pull": "Always", "repo": "nginx", "tag": "spec"}
    assert inline["image"]["tag"] == "spec"  # the app's own spec is never changed


def test_values_a_secret_sets_at_a_target_path_are_all_masked() -> None:
    merged = merged_values([ref("zones", "{eu-1,us-2}", secret=True)], None)
    assert merged.values == {"zones": ["eu-1", "us-2"]}
    assert {"eu-1", "us-2", "{eu-1,us-2}"} <= merged.secret_values
