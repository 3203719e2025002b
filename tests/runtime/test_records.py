"""runtime/records.replaced: dataclasses.replace's result, without running __init__ again."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.model import DriftResult, Fidelity, ObjectRef, Status
from driftui.runtime.records import replaced

BASE = DriftResult(
    ObjectRef("apps", "Deployment", "shop", "web"), "apps/v1", Status.DRIFTED, Fidelity.CLIENT_SIDE
)

CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "reason": st.text(max_size=5),
        "status": st.sampled_from(list(Status)),
        "source_line": st.integers(0, 9),
        "live": st.none() | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        "resource_version": st.text(max_size=4),
    },
)


@given(CHANGES)
def test_replaced_is_what_dataclasses_replace_makes(changes: dict[str, Any]) -> None:
    copy = replaced(BASE, **changes)
    assert copy == dataclasses.replace(BASE, **changes)
    assert type(copy) is DriftResult
    assert BASE.reason == "" and BASE.live is None  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.reason = "x"  # type: ignore[misc]


def test_a_field_the_class_lacks_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="no field 'colour'"):
        replaced(BASE, colour="red")


def test_classes_whose_init_does_more_are_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError(self.n)

    @dataclasses.dataclass
    class Cached:
        n: int

        @functools.cached_property
        def double(self) -> int:
            return 2 * self.n

    with pytest.raises(TypeError):
        replaced(Checked(1), n=-1)
    with pytest.raises(TypeError):
        replaced(Cached(1), n=2)
