"""Quantities compare by value, whatever their spelling."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.compare.quantities import (
    canonical_quantity,
    format_quantity,
    parse_quantity,
    quantities_equal,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Decimal("0.1")),
        ("0.1", Decimal("0.1")),
        ("1Gi", Decimal(1024**3)),
        ("1024Mi", Decimal(1024**3)),
        ("1e3", Decimal(1000)),
        ("500M", Decimal(500_000_000)),
        ("1.5Ki", Decimal(1536)),
        (2, Decimal(2)),
        (0.25, Decimal("0.25")),
    ],
)
def test_parse(text: str | int | float, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1Gb", "1..0", "m", "1e", True])
def test_rejects_non_quantities(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("a", "b"), [("100m", "0.1"), ("1Gi", "1024Mi"), ("1e3", "1k"), ("0.5", "500m"), (1, "1000m")]
)
def test_equal_values_share_one_spelling(a: str, b: str) -> None:
    assert quantities_equal(a, b)
    assert canonical_quantity(a) == canonical_quantity(b)


def test_canonical_spellings_are_the_servers_for_common_cases() -> None:
    assert [canonical_quantity(q) for q in ("0.1", "1024Mi", "128974848", "2000", "1.5Gi")] == [
        "100m",
        "1Gi",
        "123Mi",
        "2k",
        "1536Mi",
    ]


def test_non_quantities_pass_through() -> None:
    assert canonical_quantity("nvidia") == "nvidia"
    assert canonical_quantity(True) is True
    assert not quantities_equal("x", "x")


suffixes = st.sampled_from(["", "m", "k", "M", "G", "Ki", "Mi", "Gi", "n", "u", "e2", "E-3"])
numbers = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False)


@given(number=numbers, suffix=suffixes)
def test_canonical_form_keeps_the_value(number: Decimal, suffix: str) -> None:
    text = f"{number}{suffix}"
    assert parse_quantity(canonical_quantity(text)) == parse_quantity(text)
    assert canonical_quantity(canonical_quantity(text)) == canonical_quantity(text)


@given(mebi=st.integers(0, 10**6))
def test_binary_and_plain_bytes_agree(mebi: int) -> None:
    assert canonical_quantity(f"{mebi}Mi") == canonical_quantity(str(mebi * 1024 * 1024))


@given(a=numbers, b=numbers)
def test_equal_spelling_iff_equal_value(a: Decimal, b: Decimal) -> None:
    assert (format_quantity(a) == format_quantity(b)) == (a == b)
