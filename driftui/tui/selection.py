"""What the tree's cursor is on, read two ways: the objects an action acts on, and the
subject the detail pane shows."""

from __future__ import annotations

from collections.abc import Iterable

from driftui.model import DriftResult, ScanReport
from driftui.tui.tree_model import Group
from driftui.tui.widgets.detail import Subject
from driftui.tui.widgets.group_note import group_sentence
from driftui.tui.widgets.resource_tree import FoldedEntry, GroupEntry


def results_in(group: Group) -> Iterable[DriftResult]:
    yield from group.own_results()
    for child in group.children.values():
        yield from results_in(child)


def selected_results(data: object) -> list[DriftResult]:
    """The object under the cursor, or every object in its group."""
    if isinstance(data, DriftResult):
        return [data]
    if isinstance(data, GroupEntry):
        return list(results_in(data.group))
    return []


def subject_of(data: object, report: ScanReport | None) -> Subject:
    """The detail pane's subject for the node data under the cursor (None: no node)."""
    if isinstance(data, DriftResult):
        return Subject(result=data)
    if isinstance(data, GroupEntry):
        said = group_sentence(data.group)
        title = " ▸ ".join(data.group.key) + (f" — {said}" if said else "")
        return Subject(title=title, group=data.group)
    if isinstance(data, FoldedEntry):
        return Subject(
            title=f"{data.count} objects in sync, folded. Press i to list them, "
            "or enter to open this node."
        )
    if report is not None and not report.results:
        return Subject(title="The scan found no objects.")
    if report is not None:
        return Subject(title="Nothing matches the filter.")
    return Subject(title="Waiting for the first scan…")
