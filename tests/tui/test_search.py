"""The filter's search keys: the same matches as one pattern per object, however typed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.model import DriftResult, ObjectRef
from driftui.tui import search as search_module
from driftui.tui.search import SearchText, _lines_pattern, fuzzy_pattern, haystack
from tests.tui.sample_data import sample_results


def naive(results: list[DriftResult], query: str) -> list[int]:
    """What the filter did before: every word's pattern searched in every key."""
    patterns = fuzzy_pattern(query)
    return [i for i, r in enumerate(results) if all(p.search(haystack(r)) for p in patterns)]


def named(names: list[str]) -> list[DriftResult]:
    base = sample_results()
    return [
        replace(base[i % len(base)], ref=ObjectRef("", "Kind", "ns", n))
        for i, n in enumerate(names)
    ]


names = st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=20)
queries = st.text(alphabet="abcdeK-. \n\x01\u0130\u0131", max_size=8)  # dotted, dotless i


@settings(max_examples=150)
@given(names=names, typed=queries)
def test_typing_a_query_key_by_key_matches_as_searching_each_object(
    names: list[str], typed: str
) -> None:
    """Each keystroke narrows from the last query; backspaces go back to remembered ones.
    Names may hold newlines or the line mark (then the keys are searched one by one)."""
    results = named(names)
    search = SearchText(results)
    steps = [typed[:n] for n in range(len(typed) + 1)]
    for query in [*steps, *reversed(steps)]:
        assert list(search.matching(query)) == naive(results, query), query


def test_a_longer_query_searches_only_the_last_matches() -> None:
    results = sample_results()
    search = SearchText(results)
    search.matching("we")
    search._whole = "poisoned: a search over everything would find nothing here"
    assert list(search.matching("web")) == naive(results, "web")  # narrowed from "we"'s matches


def test_narrowing_from_nearly_every_key_searches_the_joined_keys_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Joining 100,000 keys again cost more than the search it saved (~20 ms of ~45): a
    longer query whose shorter one matched most keys searches the text joined once."""
    results = named([f"web-{i}" for i in range(40)])
    search = SearchText(results)
    assert len(search.matching("w")) == 40  # joins every key, once
    joined: list[int] = []
    original = search_module._joined

    def spy(keys: list[str], positions: Sequence[int]) -> str:
        joined.append(len(positions))
        return original(keys, positions)

    monkeypatch.setattr(search_module, "_joined", spy)
    assert list(search.matching("web-1")) == naive(results, "web-1")
    assert joined == []
    assert list(search.matching("web-12")) == naive(results, "web-12")  # among a few: joined
    assert joined == [len(naive(results, "web-1"))]


def test_ascii_keys_are_searched_lowered_without_ignoring_case() -> None:
    """Kubernetes names are ASCII: lowered once, an ASCII query needs no case-insensitive
    pattern (1.4-3x faster over 100,000 keys); any other query still ignores case."""
    results = named(["Web-API", "worker", "Istanbul"])
    search = SearchText(results)
    assert search._lowered
    assert list(search.matching("WEB")) == naive(results, "WEB") == [0]
    assert list(search.matching("\u0130")) == naive(results, "\u0130") != []  # İ: i, I
    assert _lines_pattern("web", lowered=True).flags & re.IGNORECASE == 0
    assert not SearchText(named(["Ünïcode"]))._lowered
