"""A watch batch applied to the grouped tree in place gives what grouping afresh gives."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.model import DriftResult, ObjectRef, Status
from driftui.tui.tree_delta import apply_changes, changes_between
from driftui.tui.tree_model import Group, Grouping, View, prepare
from tests.tui.sample_data import sample_results

STATUSES = list(Status)
GROUPINGS = [Grouping.NAMESPACE, Grouping.FILE, Grouping.APP, Grouping.DIRECTORY]


def shape(group: Group) -> object:
    """Everything a group holds that the tree shows: counts, objects, subgroups."""
    return (
        group.key,
        dict(group.counts),
        dict(group.health),
        sorted(str(r.ref) + r.status for r in group.own_results()),
        {label: shape(child) for label, child in group.children.items()},
    )


def extra(i: int) -> DriftResult:
    base = sample_results()[0]
    ref = ObjectRef("", "ConfigMap", f"new-{i % 3}", f"extra-{i}")
    return replace(base, ref=ref, status=Status.EXTRA, source_file=None, owner=None)


edits = st.lists(st.tuples(st.integers(0, 200), st.sampled_from([*STATUSES, None])), max_size=12)


@settings(max_examples=60)
@given(
    batches=st.lists(st.tuples(edits, st.integers(0, 3)), min_size=1, max_size=4),
    grouping=st.sampled_from(GROUPINGS),
    query=st.sampled_from(["", "web", "cfg", "e"]),
)
def test_batches_applied_in_place_equal_grouping_afresh(
    batches: list[tuple[list[tuple[int, Status | None]], int]], grouping: Grouping, query: str
) -> None:
    """Status changes, objects gone (None) and new extras, batch after batch."""
    view = View(query=query, grouping=grouping)
    results = sample_results()
    prepared = prepare(results, view)
    for n, (batch, added) in enumerate(batches):
        after = list(results)
        for index, status in batch:
            if after and status is None:
                after.pop(index % len(after))
            elif after:
                at = index % len(after)
                after[at] = replace(after[at], status=status or Status.IN_SYNC, reason="")
        after += [extra(n * 10 + i) for i in range(added)]
        prepared, _ = apply_changes(prepared, changes_between(results, after), after)
        results = after
        fresh = prepare(results, view)
        assert shape(prepared.index) == shape(fresh.index)
        assert (prepared.counts, prepared.shown, prepared.owners) == (
            fresh.counts,
            fresh.shown,
            fresh.owners,
        )


def test_a_status_change_is_found_by_pointer_and_touches_only_its_groups() -> None:
    results = sample_results()
    prepared = prepare(results, View())
    web = next(i for i, r in enumerate(results) if r.ref.name == "web")
    after = list(results)
    after[web] = replace(results[web], status=Status.IN_SYNC, differences=())
    changes = changes_between(results, after)
    assert [(c.old, c.new) for c in changes] == [(results[web], after[web])]
    _, touched = apply_changes(prepared, changes, after)
    path = (results[web].ref.namespace, results[web].ref.group_kind)
    assert touched.counted == {(), path[:1], path}
    assert touched.leaves == {(("", results[web].ref)): (path, after[web])}
    assert not touched.gone and not touched.reshaped
