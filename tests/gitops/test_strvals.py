"""Helm's ``--set`` language as Flux reads a ``targetPath``, against the oracle: the real
``helm template --set`` / ``--set-string`` of a chart that prints its values as JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.gitops.strvals import StrvalsError, parse_into, typed

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: probe\nversion: 0.1.0\n",
    "templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\n"
        "data:\n  values: {{ toJson .Values | quote }}\n"
    ),
}


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("probe")
    for name, text in CHART.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def helm_sets(chart: Path, line: str, flag: str) -> dict[str, Any] | None:
    """What helm makes of ``flag line``; None when it refuses the line."""
    done = subprocess.run(
        ["helm", "template", "probe", str(chart), flag, line],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None
    doc = done.stdout.split("values: ", 1)[1].splitlines()[0]
    parsed: dict[str, Any] = json.loads(json.loads(doc))
    return parsed


def ours(line: str, as_string: bool) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    try:
        parse_into(line, values, as_string=as_string)
    except StrvalsError:
        return None
    return values


@pytest.mark.parametrize(
    "line",
    [
        "a.b[0].c=x",
        r"annotations.example\.com/x=v",
        "list[2]=5,list[0]=first",
        "m[0][1]=z",
        "q={a,b,0}",
        "t=TRUE,f=False,n=-01,p=+5,z=0,o=007,fl=1.5",
        "big=9223372036854775808,max=9223372036854775807",
        "e=",
        "x=a,b",  # a comma starts the next assignment: b has no value
        "a.=x",
        "a[0].b=1,a[2].c=2",
        r"s=a\,b",
    ],
)
def test_lines_set_what_helm_sets(chart: Path, line: str) -> None:
    assert ours(line, False) == helm_sets(chart, line, "--set")
    assert ours(line, True) == helm_sets(chart, line, "--set-string")


# no "null" (helm's coalescing drops null keys after parsing: not the parser's doing)
_TOKENS = st.sampled_from(
    [
        *("a", "b", ".", "[0]", "[1]", "[2]", "[-1]", "[x]", "=", ",", "{", "}", "\\", "\\."),
        *("1", "0", "07", "-3", "+4", "true", "FALSE", "1.5", "'", '"', "x y", "é"),
    ]
)


@settings(max_examples=40)
@given(st.lists(_TOKENS, min_size=1, max_size=10).map("".join), st.booleans())
def test_any_line_sets_what_helm_sets_or_fails_as_helm_fails(
    chart: Path, line: str, as_string: bool
) -> None:
    flag = "--set-string" if as_string else "--set"
    assert ours(line, as_string) == helm_sets(chart, line, flag)


def test_values_are_typed_as_strvals_types_them() -> None:
    assert [typed(t) for t in ("true", "TrUe", "fal\u017fe", "null", "0", "10", "-0")] == [
        True,
        True,
        False,
        None,
        0,
        10,
        0,
    ]
    assert [typed(t) for t in ("010", "1e3", "1.0", " 1", "1_0", "\u0661")] == [
        "010",
        "1e3",
        "1.0",
        " 1",
        "1_0",
        "\u0661",
    ]
    assert typed("true", as_string=True) == "true"
