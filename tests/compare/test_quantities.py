"""Quantities compare by value, whatever their spelling."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kubernetes.utils.quantity import parse_quantity as official_parse

from driftui.compare.quantities import (
    canonical_quantity,
    format_quantity,
    parse_quantity,
    quantities_equal,
    stored_value,
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


def test_one_spelling_per_value_for_common_cases() -> None:
    """Not always the server's spelling (it keeps the input's format, see
    tests/compare/test_quantities_server.py), but one per value, so that Git's
    spelling and the server's compare equal."""
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
def test_canonical_form_keeps_the_stored_value(number: Decimal, suffix: str) -> None:
    text = f"{number}{suffix}"
    assert parse_quantity(canonical_quantity(text)) == stored_value(parse_quantity(text))
    assert canonical_quantity(canonical_quantity(text)) == canonical_quantity(text)


@given(mebi=st.integers(0, 10**6))
def test_binary_and_plain_bytes_agree(mebi: int) -> None:
    assert canonical_quantity(f"{mebi}Mi") == canonical_quantity(str(mebi * 1024 * 1024))


@given(a=numbers, b=numbers)
def test_equal_spelling_iff_equal_value(a: Decimal, b: Decimal) -> None:
    assert (format_quantity(a) == format_quantity(b)) == (a == b)


# -- oracles we did not write ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [  # the Kubernetes docs' own examples of equal quantities ("Resource units")
        ("128974848", "123Mi"),
        ("128974848000m", "123Mi"),
        ("0.1", "100m"),
        ("129e6", "129M"),
    ],
)
def test_the_kubernetes_docs_examples_are_equal(a: str, b: str) -> None:
    assert quantities_equal(a, b)


@pytest.mark.parametrize(
    (
        "git",
        "stored",
    ),  # measured on kube-apiserver 1.34 (tests/compare/test_quantities_server.py)
    [("1.0001", "1001m"), ("0.30000000000000004", "301m"), ("5n", "1m"), ("1500u", "2m")],
)
def test_values_below_a_milli_round_up_as_the_server_stores_them(git: str, stored: str) -> None:
    assert canonical_quantity(git) == stored and quantities_equal(git, stored)


def test_the_kubernetes_docs_examples_that_only_look_alike_differ() -> None:
    assert not quantities_equal("129M", "123Mi")  # "roughly the same", not equal
    assert not quantities_equal("400m", "400Mi")  # the docs' warning about the case of M


@given(number=numbers, suffix=suffixes)
def test_values_agree_with_the_kubernetes_client_parser(number: Decimal, suffix: str) -> None:
    """The official Python client's parser is an independent reading of the same grammar."""
    text = f"{number}{suffix}"
    assert parse_quantity(text) == official_parse(text)  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("text", ["1K", "1_000", "Infinity", "nan", "0x10", "1ki"])
def test_the_servers_grammar_is_checked_before_the_kubernetes_parser(text: str) -> None:
    """kubernetes.utils.quantity takes 1K, 1_000 and Infinity; kube-apiserver refuses them."""
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_parsing_does_not_load_the_generated_client() -> None:
    """An offline audit must not pay for kubernetes.client (``kubernetes.utils`` imports it)."""
    code = (
        "import sys\n"
        "from driftui.compare.quantities import parse_quantity\n"
        "assert parse_quantity('1.5Gi') == 1536 * 1024**2\n"
        "print(sorted(m for m in sys.modules if m.startswith('kubernetes')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
