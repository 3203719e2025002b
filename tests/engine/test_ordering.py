"""Results sorted a bucket at a time come out as one stable sort by ref would put them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from driftui.engine.ordering import in_ref_order
from driftui.model import DriftResult, Fidelity, ObjectRef, Status

PART = st.sampled_from(["", "a", "ab", "b", "apps", "Z", "é"])
REFS = st.builds(ObjectRef, PART, PART, PART, PART)


@given(st.lists(REFS, max_size=60))
def test_the_order_is_one_stable_sort_by_namespace_group_kind_and_name(
    refs: list[ObjectRef],
) -> None:
    # the index as the reason tells equal refs apart: their order must stay
    results = [
        DriftResult(ref, "v1", Status.IN_SYNC, Fidelity.CLIENT_SIDE, reason=str(i))
        for i, ref in enumerate(refs)
    ]
    expected = sorted(results, key=lambda r: (r.ref.namespace, r.ref.group, r.ref.kind, r.ref.name))
    assert in_ref_order(results) == expected
