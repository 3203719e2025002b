"""A filter's matches grouped through placements worked out once: the same tree as
grouping them from scratch, and still so after a watch batch replaced some objects."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from driftui.model import DriftResult, Status
from driftui.tui.placements import Placements
from driftui.tui.tree_model import Group, Grouping, View, build_index
from tests.tui.sample_data import sample_report

RESULTS = list(sample_report().results)  # with health
GROUPINGS = [g for g in Grouping if g is not Grouping.APPS]  # the app tree needs a frame


def shape(group: Group) -> list[tuple[Any, ...]]:
    """Every group's key, tallies and own objects in order, root first."""
    rows = [
        (
            group.key,
            dict(group.counts),
            dict(group.health),
            [str(r.ref) for r in group.own_results()],
        )
    ]
    for child in group.sorted_children():
        rows += shape(child)
    return rows


def test_the_sample_has_health_to_tally() -> None:
    assert sum(r.health is not None for r in RESULTS) > len(RESULTS) // 2


@given(st.sets(st.integers(0, len(RESULTS) - 1)), st.sampled_from(GROUPINGS))
def test_matches_grouped_by_their_placements_are_grouped_as_from_scratch(
    picked: set[int], grouping: Grouping
) -> None:
    positions = sorted(picked)
    placements = Placements.of(RESULTS, View(grouping=grouping))
    expected = build_index([RESULTS[i] for i in positions], grouping)
    assert shape(placements.index(positions)) == shape(expected)


def changed(result: DriftResult, how: int) -> DriftResult:
    """Another verdict, health or place for the same object, as a watch batch brings."""
    if how == 0:
        return replace(
            result, status=Status.DRIFTED if result.status is not Status.DRIFTED else Status.IN_SYNC
        )
    if how == 1:
        return replace(result, ref=replace(result.ref, namespace="moved"))
    if how == 2:
        return replace(result, source_file="elsewhere/moved.yaml")
    return replace(result, health=None) if result.health else replace(RESULTS[0], ref=result.ref)


@given(
    st.dictionaries(st.integers(0, len(RESULTS) - 1), st.integers(0, 3)),
    st.sampled_from(GROUPINGS),
)
def test_placements_follow_a_batch_that_replaced_some_objects(
    batch: dict[int, int], grouping: Grouping
) -> None:
    view = View(grouping=grouping)
    before = Placements.of(RESULTS, view)
    after = [changed(r, batch[i]) if i in batch else r for i, r in enumerate(RESULTS)]
    followed = before.follow(after, view)
    assert followed.serves(after, view)
    assert shape(followed.index(range(len(after)))) == shape(build_index(after, grouping))
    # what was placed before is left as it was (a filter may still be grouping with it)
    assert shape(before.index(range(len(RESULTS)))) == shape(build_index(RESULTS, grouping))


def test_another_grouping_or_length_is_placed_anew() -> None:
    before = Placements.of(RESULTS, View())
    by_file = before.follow(RESULTS, View(grouping=Grouping.FILE))
    assert shape(by_file.index(range(len(RESULTS)))) == shape(build_index(RESULTS, Grouping.FILE))
    fewer = RESULTS[1:]
    assert shape(before.follow(fewer, View()).index(range(len(fewer)))) == shape(
        build_index(fewer, Grouping.NAMESPACE)
    )
