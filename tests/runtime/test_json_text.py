"""indented_json writes what json.dumps(value, indent=2, default=...) writes, byte for byte:
the JSON report's text did not change when it stopped using the standard library's writer."""

from __future__ import annotations

import datetime
import enum
import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.runtime.json_text import indented_json


class Colour(enum.Enum):
    BLUE = "blue"


class Level(enum.IntEnum):
    HIGH = 3


class Name(str):
    """A str subclass (as a StrEnum's members are): written as its text."""


KEYS = st.one_of(
    st.text(),
    st.builds(Name, st.text(max_size=5)),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and the infinities too
    st.text(),  # control characters, non-ASCII, lone surrogates
    st.builds(Name, st.text(max_size=5)),
    st.sampled_from([Level.HIGH, math.inf, -math.inf]),
    st.sampled_from([Colour.BLUE, datetime.date(2026, 12, 6), Decimal("1.50")]),  # default=str
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(KEYS, inner, max_size=5),
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_it_writes_what_json_dumps_writes(value: Any) -> None:
    assert indented_json(value, default=str) == json.dumps(value, indent=2, default=str)


def test_a_report_shaped_value_is_written_the_same() -> None:
    objects = [
        {
            "kind": "ConfigMap",
            "name": f"obj-{i}",
            "source_line": i or None,
            "ignored": 0,
            "differences": [{"path": "data.k", "git": None, "live": "\x1b[31m", "time": ""}],
            "health": {"status": "Healthy", "images": []},
            "empty": {},
        }
        for i in range(3)
    ]
    value = {"version": 1, "summary": {"drifted": 3, "ratio": 0.5}, "objects": objects}
    assert indented_json(value, default=str) == json.dumps(value, indent=2, default=str)


def test_what_json_cannot_write_fails_as_json_dumps_does() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"when": datetime.date(2026, 12, 6)})
    with pytest.raises(TypeError, match="keys must be"):
        indented_json({(1, 2): "a tuple key"})
