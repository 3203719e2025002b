"""The noise-free YAML diff: exact text, line numbers and line paths."""

from __future__ import annotations

from typing import Any

from driftui.compare.textdiff import DiffLine, live_view, render, render_yaml, side_by_side, unified
from driftui.model import Difference, DiffType, KeyedItem

WEB = KeyedItem((("name", "web"),))
DEBUG = KeyedItem((("name", "DEBUG"),))
C = ("spec", "template", "spec", "containers", WEB)


def desired() -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "web", "image": "web:1", "env": [{"name": "A", "value": "1"}]}
                    ]
                }
            },
        },
        "metadata": {"name": "web", "labels": {"on": "yes"}},
    }


def live() -> dict[str, Any]:
    obj = desired()
    obj["spec"]["replicas"] = 5
    obj["spec"]["revisionHistoryLimit"] = 10
    container = obj["spec"]["template"]["spec"]["containers"][0]
    container["env"].append({"name": "DEBUG", "value": "a\nb"})
    container["terminationMessagePath"] = "/dev/termination-log"
    return obj


DIFFS = (
    Difference(("spec", "replicas"), DiffType.CHANGED, 3, 5, "kubectl-edit"),
    Difference(
        (*C, "env", DEBUG), DiffType.ADDED_OUTSIDE_GIT, None, {"name": "DEBUG", "value": "a\nb"}
    ),
)


def test_render_yaml_order_and_style() -> None:
    assert render_yaml(desired()) == (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  labels:\n"
        "    'on': 'yes'\n"
        "  name: web\n"
        "spec:\n"
        "  replicas: 3\n"
        "  template:\n"
        "    spec:\n"
        "      containers:\n"
        "      - env:\n"
        "        - name: A\n"
        "          value: '1'\n"
        "        image: web:1\n"
        "        name: web\n"
    )
    assert render_yaml(
        {"kind": "X", "data": {"e": {}, "l": [], "n": None, "s": "two\nlines\n"}}
    ) == ("kind: X\ndata:\n  e: {}\n  l: []\n  n: null\n  s: |\n    two\n    lines\n")


def test_live_view_keeps_only_drift() -> None:
    view = live_view(desired(), live(), DIFFS)
    assert "revisionHistoryLimit" not in view["spec"]
    assert view["spec"]["replicas"] == 5
    assert view["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "DEBUG", "value": "a\nb"},
    ]
    assert "terminationMessagePath" not in view["spec"]["template"]["spec"]["containers"][0]


def test_unified_exact_lines_and_paths() -> None:
    lines = unified(render(desired()), render(live_view(desired(), live(), DIFFS)), context=1)
    assert [(line.kind, line.text, line.old_no, line.new_no) for line in lines] == [
        ("hunk", "@@ -7,3 +7,3 @@", None, None),
        ("context", "spec:", 7, 7),
        ("removed", "  replicas: 3", 8, None),
        ("added", "  replicas: 5", None, 8),
        ("context", "  template:", 9, 9),
        ("hunk", "@@ -14,2 +14,6 @@", None, None),
        ("context", "          value: '1'", 14, 14),
        ("added", "        - name: DEBUG", None, 15),
        ("added", "          value: |-", None, 16),
        ("added", "            a", None, 17),
        ("added", "            b", None, 18),
        ("context", "        image: web:1", 15, 19),
    ]
    assert lines[2].path == ("spec", "replicas")
    assert lines[7].path == (*C, "env", DEBUG, "name")
    assert lines[9].path == (*C, "env", DEBUG, "value")


def test_full_context_and_plain_text() -> None:
    lines = unified("a\nb\nc\n", "a\nB\nc\n", context=None)
    assert [(line.kind, line.text) for line in lines] == [
        ("context", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("context", "c"),
    ]
    assert unified("a\n", "a\n") == []
    assert unified("", "x\n") == [
        DiffLine("hunk", "@@ -0,0 +1 @@"),
        DiffLine("added", "x", None, 1),
    ]


def test_side_by_side_pairs_changes() -> None:
    rows = side_by_side("a\nb\nc\n", "a\nB\nB2\nc\n", context=None)
    assert [
        (left.text if left else None, right.text if right else None) for left, right in rows
    ] == [
        ("a", "a"),
        ("b", "B"),
        (None, "B2"),
        ("c", "c"),
    ]
