"""The app tree as data: child apps under their parent, and the mark where an operator
(Argo CD's sync status, Flux's Ready condition) calls an app fine while driftui sees drift."""

from __future__ import annotations

import weakref

from driftui.gitops.app_specs import APPLICATION, KUSTOMIZATION, App
from driftui.model import DriftResult, Fidelity, LiveInfo, ObjectRef, ScanReport, SourceInfo, Status
from driftui.tui.scope import Scope
from driftui.tui.tree_frame import frame_of
from driftui.tui.tree_model import Group, Grouping, build_index


def app(kind: str, name: str, sync: str, parent: str = "") -> App:
    above = (APPLICATION, "argocd", parent) if parent else None
    return App(kind, "argocd", name, (), sync_status=sync, parent=above)


def result(name: str, status: Status, owner: App) -> DriftResult:
    ref = ObjectRef("", "ConfigMap", "shop", name)
    return DriftResult(ref, "v1", status, Fidelity.CLIENT_SIDE, app=owner.ref)


def index(apps: list[App], results: list[DriftResult]) -> Group:
    report = ScanReport(SourceInfo("", "", "", ""), LiveInfo(), Fidelity.CLIENT_SIDE, results)
    scope = Scope(report, apps={"": tuple(apps)})
    return build_index(results, Grouping.APPS, frame_of(scope))


def test_flux_ready_with_drift_is_marked_and_not_ready_is_not() -> None:
    ready = app(KUSTOMIZATION, "ready", "Ready")
    failing = app(KUSTOMIZATION, "failing", "NotReady")
    tree = index(
        [ready, failing], [result("a", Status.DRIFTED, ready), result("b", Status.MISSING, failing)]
    )
    assert tree.children["ready"].disagrees
    assert not tree.children["failing"].disagrees


def test_a_parent_is_judged_on_its_own_objects_not_its_childrens() -> None:
    root = app(APPLICATION, "root", "Synced")
    child = app(APPLICATION, "web", "Synced", parent="root")
    tree = index(
        [root, child], [result("a", Status.IN_SYNC, root), result("b", Status.DRIFTED, child)]
    )
    parent = tree.children["root"]
    assert parent.children["web"].disagrees  # the child's drift is the child's
    assert not parent.disagrees
    assert parent.counts.total() == 2


def test_an_app_with_no_objects_keeps_its_row() -> None:
    lonely = app(APPLICATION, "lonely", "Synced")
    tree = index([lonely], [])
    assert tree.children["lonely"].total == 0 and not tree.children["lonely"].all_in_sync


def test_the_frame_keeps_no_result_of_the_report_it_was_built_from() -> None:
    """Watch mode keeps the last full scan's frame while batches replace every result: a
    frame that held the report kept the first scan's results, and through them every live
    object as first read (issue 21: ~10% of the RSS of a 10,000-object explorer)."""
    replaced = result("a", Status.DRIFTED, app(APPLICATION, "shop", "Synced"))
    report = ScanReport(
        SourceInfo("repo", "main", "abc", ""), LiveInfo(), Fidelity.CLIENT_SIDE, [replaced]
    )
    frame = frame_of(Scope(report))
    gone = weakref.ref(replaced)
    del report, replaced
    assert gone() is None
    assert frame.locator is not None
    other = DriftResult(
        ObjectRef("", "ConfigMap", "shop", "b"), "v1", Status.IN_SYNC, Fidelity.CLIENT_SIDE
    )
    assert frame.locator.source(other) == SourceInfo("repo", "main", "abc", "")
