"""The manifest parser: every kind of bad input is a LoadProblem, never an exception."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftui.source.yaml_bounds import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_OBJECT_BYTES,
    json_size,
    leading_width,
)
from driftui.source.yaml_loader import ParsedFile, is_manifest_path, parse_documents

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n"


def names(parsed: ParsedFile) -> list[str]:
    return [d.body["metadata"]["name"] for d in parsed.documents]


def test_multi_document_file_keeps_every_object_with_its_start_line() -> None:
    text = CM.format(name="a") + "---\n# comment\n" + CM.format(name="b") + "---\n"
    parsed = parse_documents(text.encode(), "x.yaml")
    assert names(parsed) == ["a", "b"]
    assert [d.line for d in parsed.documents] == [1, 9]
    assert parsed.problems == []
    assert parsed.skipped == 0


def test_kind_list_is_expanded_with_item_lines() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
        "- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n"
    )
    parsed = parse_documents(text.encode(), "list.yaml")
    assert names(parsed) == ["a", "b"]
    assert [d.line for d in parsed.documents] == [4, 7]


def test_typed_list_kind_is_expanded_but_a_named_crd_ending_in_list_is_not() -> None:
    typed = {"apiVersion": "v1", "kind": "ConfigMapList", "items": [json.loads(_cm_json("a"))]}
    assert names(parse_documents(json.dumps(typed).encode(), "l.json")) == ["a"]
    crd = "apiVersion: x.io/v1\nkind: AllowList\nmetadata: {name: mine}\nitems: [1, 2]\n"
    parsed = parse_documents(crd.encode(), "crd.yaml")
    assert names(parsed) == ["mine"]
    assert parsed.documents[0].body["kind"] == "AllowList"


def _cm_json(name: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})


def test_json_file() -> None:
    parsed = parse_documents(_cm_json("j").encode(), "cm.json")
    assert names(parsed) == ["j"]
    assert parsed.documents[0].line == 1


def test_json_syntax_error_has_line() -> None:
    parsed = parse_documents(b'{\n"apiVersion": "v1",\n"kind": }\n', "bad.json")
    assert parsed.documents == []
    assert len(parsed.problems) == 1
    assert parsed.problems[0].path == "bad.json"
    assert parsed.problems[0].line == 3
    assert parsed.problems[0].message.startswith("JSON error:")


def test_documents_without_apiversion_or_kind_are_skipped_and_counted() -> None:
    text = "foo: bar\n---\nkind: ConfigMap\n---\napiVersion: v1\n---\n" + CM.format(name="a")
    parsed = parse_documents(text.encode(), "mixed.yaml")
    assert names(parsed) == ["a"]
    assert parsed.skipped == 3
    assert parsed.problems == []


def test_empty_documents_are_neither_skipped_nor_problems() -> None:
    parsed = parse_documents(b"---\n---\n# only a comment\n", "empty.yaml")
    assert parsed == ParsedFile()


def test_parse_error_reports_path_and_line_and_keeps_earlier_documents() -> None:
    text = CM.format(name="ok") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n"
    parsed = parse_documents(text.encode(), "dir/broken.yaml")
    assert names(parsed) == ["ok"]
    (problem,) = parsed.problems
    assert problem.path == "dir/broken.yaml"
    assert problem.line == 11
    assert problem.message.startswith("YAML error:")
    assert str(problem).startswith("dir/broken.yaml:11: YAML error:")


def test_constructor_error_in_one_document_does_not_lose_the_next() -> None:
    text = "!!python/object:os.system {}\n---\n" + CM.format(name="after")
    parsed = parse_documents(text.encode(), "t.yaml")
    assert names(parsed) == ["after"]
    assert len(parsed.problems) == 1
    assert "python/object" in parsed.problems[0].message
    assert parsed.problems[0].line == 1


def test_non_utf8_is_a_problem() -> None:
    parsed = parse_documents(b"apiVersion: v1\nkind: \xff\xfe\n", "latin.yaml")
    assert parsed.documents == []
    (problem,) = parsed.problems
    assert problem.path == "latin.yaml"
    assert "not UTF-8" in problem.message
    assert "byte 21" in problem.message
    assert problem.line == 2


def test_utf8_bom_is_accepted() -> None:
    assert names(parse_documents(b"\xef\xbb\xbf" + CM.format(name="bom").encode(), "b.yaml")) == [
        "bom"
    ]


def test_documents_that_are_not_mappings_are_problems() -> None:
    parsed = parse_documents(b"- a\n- b\n---\njust a string\n---\n42\n", "scalars.yaml")
    assert [p.message for p in parsed.problems] == [
        "document is a sequence, not a mapping",
        "document is a string, not a mapping",
        "document is a number, not a mapping",
    ]
    assert [p.line for p in parsed.problems] == [1, 4, 6]


def test_wrong_typed_identity_fields_are_problems() -> None:
    text = (
        "apiVersion: 1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: just-a-string\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 7}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: [x]}\n"
    )
    parsed = parse_documents(text.encode(), "types.yaml")
    assert parsed.documents == []
    assert [p.message for p in parsed.problems] == [
        "apiVersion and kind must be strings",
        "ConfigMap has no metadata.name",
        "ConfigMap has no metadata.name",
        "metadata.namespace must be a string",
    ]


def test_duplicate_keys_are_an_error_but_merge_keys_are_not() -> None:
    dup = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: 1\n  k: 2\n"
    parsed = parse_documents(dup.encode(), "dup.yaml")
    assert parsed.documents == []
    (problem,) = parsed.problems
    assert "duplicate key 'k'" in problem.message
    assert problem.line == 6
    merged = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  <<: {k: 1, j: 2}\n  k: 3\n"
    )
    parsed = parse_documents(merged.encode(), "merge.yaml")
    assert parsed.problems == []
    assert parsed.documents[0].body["data"] == {"k": 3, "j": 2}


def test_duplicate_json_keys_are_an_error() -> None:
    parsed = parse_documents(b'{"apiVersion": "v1", "kind": "A", "kind": "B"}', "d.json")
    assert parsed.documents == []
    assert parsed.problems[0].message == "JSON error: duplicate key 'kind'"


def _billion_laughs(levels: int) -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def test_billion_laughs_is_refused() -> None:
    parsed = parse_documents(_billion_laughs(12), "bomb.yaml")  # 9**12 ~ 2.8e11 nodes
    assert parsed.documents == []
    (problem,) = parsed.problems
    assert problem.message == f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes"


def test_bombs_spread_over_documents_share_one_budget() -> None:
    doc = _billion_laughs(6).decode()  # 9**6 = 531441 nodes each: fine alone, not five times
    parsed = parse_documents("---\n".join([doc] * 5).encode(), "bombs.yaml")
    assert any("aliases expand" in p.message for p in parsed.problems)


def test_modest_anchors_still_work() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {app: web}\n"
        "  annotations: *l\n"
    )
    parsed = parse_documents(text.encode(), "anchors.yaml")
    assert parsed.problems == []
    assert parsed.documents[0].body["metadata"]["annotations"] == {"app": "web"}


def test_self_referencing_document_is_refused() -> None:
    parsed = parse_documents(
        b"&a\napiVersion: v1\nkind: X\nmetadata: {name: n}\nme: *a\n", "c.yaml"
    )
    assert parsed.documents == []
    assert parsed.problems[0].message == "document refers to itself"


def test_deep_flow_nesting_is_refused_without_crashing() -> None:
    n = 200_000  # libyaml's C composer would overflow the stack on this
    parsed = parse_documents(b"[" * n + b"]" * n, "deep.yaml")
    assert parsed.documents == []
    assert parsed.problems[0].message == f"document nests deeper than {MAX_DEPTH} levels"


def test_deep_block_nesting_is_refused_without_crashing() -> None:
    parsed = parse_documents(b"- " * 200_000 + b"x\n", "deep.yaml")
    assert parsed.problems[0].message == f"document nests deeper than {MAX_DEPTH} levels"


def test_deep_json_is_a_problem() -> None:
    parsed = parse_documents(b"[" * 200_000 + b"]" * 200_000, "deep.json")
    assert parsed.problems[0].message == "document nests too deeply"


def test_many_brackets_in_strings_do_not_block_a_real_manifest() -> None:
    dashboard = json.dumps({"panels": [{"targets": [{"expr": "x"}]} for _ in range(400)]})
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: dash}}\ndata:\n  d.json: '{dashboard}'\n"
    parsed = parse_documents(text.encode(), "dash.yaml")
    assert parsed.problems == []
    assert json.loads(parsed.documents[0].body["data"]["d.json"]) == json.loads(dashboard)


def test_is_manifest_path() -> None:
    assert is_manifest_path("a/b.YAML")
    assert is_manifest_path("x.yml")
    assert is_manifest_path("x.json")
    assert not is_manifest_path("README.md")
    assert not is_manifest_path("yaml")


def _valid_manifest_text(name: str) -> str:
    return yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}
    )


# Every problem the loader may report, as the README and the explorer show them.
DOCUMENTED_PROBLEM = re.compile(
    r"(YAML error: .+|JSON error: .+|not UTF-8: .+ at byte \d+|document nests too deeply"
    r"|document nests deeper than \d+ levels|document refers to itself"
    r"|aliases expand to more than [\d,]+ nodes|apiVersion and kind must be strings"
    r"|List items must be a sequence|.+ has no metadata\.name"
    r"|metadata\.namespace must be a string|document is an? \w+, not a mapping)"
)


def assert_documented(parsed: ParsedFile, path: str) -> None:
    """Each problem is one of the documented one-line messages, for this file, at a line."""
    for problem in parsed.problems:
        assert problem.path == path
        assert "\n" not in problem.message and DOCUMENTED_PROBLEM.fullmatch(problem.message), (
            problem.message
        )
        assert problem.line is None or problem.line >= 1
    for doc in parsed.documents:  # whatever loaded is a whole object with an identity
        assert isinstance(doc.body["apiVersion"], str) and isinstance(doc.body["kind"], str)
        assert isinstance(doc.body["metadata"]["name"], str)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    for path in ("r.yaml", "r.json"):
        assert_documented(parse_documents(data, path), path)


yaml_alphabet = st.sampled_from(
    [*"abc:-[]{},&*!|>'\"#%@` \n\t?", "---\n", "...\n", "&a ", "*a", "<<: ", "!!str "]
)


@given(st.text(alphabet=" \t?:-x\n\r", max_size=200))
def test_leading_width_is_the_widest_line_start(text: str) -> None:
    """The depth bound's indentation, found in one pass, is each line's own, the widest."""
    lines = text.split("\n")
    widths = [len(re.findall(r"^[ \t?:-]*", line)[0]) for line in lines]
    assert leading_width(text) == max(widths)


@settings(max_examples=300)
@given(st.lists(yaml_alphabet, max_size=300).map("".join))
def test_random_yaml_like_text_never_raises(text: str) -> None:
    assert_documented(parse_documents(text.encode(), "y.yaml"), "y.yaml")


@settings(max_examples=200)
@given(
    st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=8), min_size=1, max_size=5),
    st.data(),
)
def test_truncated_manifests_never_raise(names_: list[str], data: st.DataObject) -> None:
    full = "---\n".join(_valid_manifest_text(n) for n in names_)
    cut = data.draw(st.integers(min_value=0, max_value=len(full)))
    parsed = parse_documents(full[:cut].encode(), "t.yaml")
    assert len(parsed.documents) <= len(names_)
    # whatever survived the cut is one of ours, intact in its identity
    assert set(n for n in names(parsed)) <= set(names_) | {
        n[:k] for n in names_ for k in range(1, len(n))
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200)
@given(json_values, st.booleans())
def test_fast_construction_matches_pyyaml(data: object, flow: bool) -> None:
    obj = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "n"}, "data": data}
    text = yaml.safe_dump(obj, default_flow_style=flow)
    parsed = parse_documents(text.encode(), "p.yaml")
    assert parsed.problems == []
    assert parsed.documents[0].body == yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize(
    "data",
    [
        "  base: &b {x: 1, y: 2}\n  copy: *b\n  more:\n    <<: *b\n    y: 3\n",
        "  base: &b {x: 1}\n  more: {!!merge : *b, z: 4}\n",
        "  list: &l [a, b]\n  again: *l\n  word: &w hello\n  echo: *w\n",
    ],
    ids=["merge-key", "tagged-merge", "aliases"],
)
def test_aliases_and_merge_keys_match_pyyaml(data: str) -> None:
    """The text decides whether aliases and merge keys are looked for at every node: a
    document that has them builds as PyYAML builds it."""
    text = "apiVersion: v1\nkind: X\nmetadata: {name: n}\ndata:\n" + data
    parsed = parse_documents(text.encode(), "a.yaml")
    assert parsed.problems == []
    assert parsed.documents[0].body == yaml.load(text, Loader=yaml.CSafeLoader)


def test_tags_and_scalars_match_pyyaml_except_timestamps() -> None:
    text = (
        "apiVersion: v1\nkind: X\nmetadata: {name: n}\n"
        "data:\n  a: yes\n  b: 0o17\n  c: 017\n  d: .inf\n  e: ~\n  f: !!str 12\n"
        "  g: !!set {x, y}\n  h: 1_000\n  i: '2024-01-01'\n  j: 2024-01-01\n"
        "  k: 2001-12-14t21:59:43.10-05:00\n  l: !!binary aGk=\n"
    )
    body = parse_documents(text.encode(), "t.yaml").documents[0].body
    expected = yaml.load(text, Loader=yaml.CSafeLoader)
    expected["data"]["j"] = "2024-01-01"  # Kubernetes keeps dates as strings
    expected["data"]["k"] = "2001-12-14t21:59:43.10-05:00"
    assert body == expected


# -- one object is at most what the API server accepts, measured in bytes -------------------


def _alias_bomb(copies: int = 300, size: int = 1_000_000) -> bytes:
    aliases = "".join(f"  k{i}: *big\n" for i in range(1, copies))
    text = CM.format(name="bomb").replace("  k: v\n", f"  k0: &big {'x' * size}\n{aliases}")
    return (text + "---\n" + CM.format(name="after")).encode()


def test_a_string_aliased_many_times_is_refused_by_its_bytes() -> None:
    parsed = parse_documents(_alias_bomb(), "bomb.yaml")  # 300 nodes, 300 MB expanded
    assert [(p.path, p.line, p.message) for p in parsed.problems] == [
        (
            "bomb.yaml",
            1,
            "ConfigMap 'bomb' expands to more than 3 MiB (the API server's request limit)",
        )
    ]
    assert names(parsed) == ["after"]


def test_a_few_aliases_of_a_large_string_stay_under_the_limit() -> None:
    parsed = parse_documents(_alias_bomb(copies=3), "fine.yaml")
    assert parsed.problems == []
    assert names(parsed) == ["bomb", "after"]


def test_an_oversize_object_is_refused_and_its_neighbours_load() -> None:
    big = CM.format(name="big").replace("k: v", f"k: {'y' * MAX_OBJECT_BYTES}")
    parsed = parse_documents((CM.format(name="a") + "---\n" + big).encode(), "big.yaml")
    assert [(p.line, p.message[:30]) for p in parsed.problems] == [
        (8, "ConfigMap 'big' expands to mor")
    ]
    assert names(parsed) == ["a"]


def test_an_oversize_item_of_a_json_list_is_refused_alone() -> None:
    item = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "huge"}}
    items = [{**item, "data": {"k": "z" * MAX_OBJECT_BYTES}}, {**item, "metadata": {"name": "ok"}}]
    doc = {"apiVersion": "v1", "kind": "List", "items": items}
    parsed = parse_documents(json.dumps(doc).encode(), "list.json")
    assert [p.message[:26] for p in parsed.problems] == ["ConfigMap 'huge' expands t"]
    assert names(parsed) == ["ok"]


_plain_text = st.text(st.sampled_from("abcXYZ019 -_.:/"), max_size=12)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _plain_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_plain_text, inner, max_size=4),
    max_leaves=20,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_json_values)
def test_json_size_never_counts_less_than_compact_json(value: object) -> None:
    """What the API server would receive is never under-counted (text needing no escapes)."""
    compact = len(json.dumps(value, separators=(",", ":")))
    assert json_size(value, 10**9) >= compact
    assert json_size(value, compact - 1) > compact - 1  # over the limit with any limit below


def test_json_size_counts_shared_parts_each_time_and_stops_at_the_limit() -> None:
    shared = ["x" * 1000]
    value = {"a": shared, "b": shared, "c": [shared] * 1000}
    assert json_size(value, 10**9) >= 1002 * 1000
    assert json_size(value, 5000) == 5001
