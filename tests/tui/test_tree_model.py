"""Unit tests for the explorer's pure pieces: grouping, folding, filters, formatting."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from driftui.model import DriftResult, Fidelity, LiveInfo, ObjectRef, ScanReport, SourceInfo, Status
from driftui.tui.formatting import ago, short_value
from driftui.tui.health_view import HEALTH_FACETS, ImageFacet
from driftui.tui.scope import Scope
from driftui.tui.status_style import DisplayStatus, display_status, status_css_variables, variable
from driftui.tui.tree_frame import frame_of
from driftui.tui.tree_model import (
    STATUS_FILTER_CYCLE,
    Grouping,
    build_index,
    filter_results,
    next_status_filter,
    source_directory,
    visible_children,
)
from tests.tui.sample_data import sample_results


def _result(
    kind: str, ns: str, name: str, status: Status = Status.IN_SYNC, reason: str = ""
) -> DriftResult:
    return DriftResult(
        ObjectRef("", kind, ns, name), "v1", status, Fidelity.CLIENT_SIDE, reason=reason
    )


def test_forbidden_is_an_error_whose_reason_says_so() -> None:
    assert (
        display_status(_result("Secret", "v", "k", Status.ERROR, "forbidden: no"))
        is DisplayStatus.FORBIDDEN
    )
    assert (
        display_status(_result("Secret", "v", "k", Status.ERROR, "parse error"))
        is DisplayStatus.ERROR
    )
    assert display_status(_result("Secret", "v", "k", Status.DRIFTED)) is DisplayStatus.DRIFTED


def test_index_rolls_counts_up_and_knows_the_worst() -> None:
    root = build_index(sample_results(), Grouping.NAMESPACE)
    assert root.total == len(sample_results())
    shop = root.children["shop"]
    assert shop.counts[DisplayStatus.DRIFTED] == 2 and shop.counts[DisplayStatus.EXTRA] == 1
    assert shop.worst is DisplayStatus.DRIFTED
    assert root.children["vault"].worst is DisplayStatus.FORBIDDEN
    assert root.children["(cluster-scoped)"].all_in_sync
    assert sorted(shop.children) == ["ConfigMap", "Deployment.apps", "Service"]


def test_other_groupings() -> None:
    by_file = build_index(sample_results(), Grouping.FILE)
    assert by_file.children["apps/shop/web.yaml"].total == 2
    assert "(not in Git)" in by_file.children  # the extra object
    by_app = build_index(sample_results(), Grouping.APP)
    assert by_app.children["flux:flux-system/payments"].total == 3
    assert by_app.children["(no owning app)"].total > 0
    assert (
        Grouping.NAMESPACE.next() is Grouping.FILE
        and Grouping.DIRECTORY.next() is Grouping.NAMESPACE
    )


def test_two_repositories_folders_of_one_path_are_two_groups_labelled_by_repository() -> None:
    """A multi-source app deploys base/ of the scanned repository and base/ of charts.git:
    two folders (and two files), the other repository's named with it."""
    ops = SourceInfo("https://git.example.com/ops.git", "main", "a" * 40, "base")
    charts = SourceInfo("https://git.example.com/charts.git", "v3", "c" * 40, "base")
    results = [
        DriftResult(
            ObjectRef("", "ConfigMap", "shop", name),
            "v1",
            Status.DRIFTED,
            Fidelity.CLIENT_SIDE,
            source_file="base/cm.yaml",
            origin=origin,
        )
        for name, origin in (("mine", ops), ("theirs", charts), ("plain", None))
    ]
    report = ScanReport(ops, LiveInfo(), Fidelity.CLIENT_SIDE, results=results)
    frame = frame_of(Scope(report))  # as the scan worker builds it

    by_dir = build_index(results, Grouping.DIRECTORY, frame)
    by_file = build_index(results, Grouping.FILE, frame)

    other = "https://git.example.com/charts.git: base"
    assert sorted(by_dir.children) == ["base", other]
    assert [r.ref.name for r in by_dir.children[other].children["ConfigMap"].own_results()] == [
        "theirs"
    ]
    assert by_dir.children["base"].total == 2  # the scanned repository's, origin or not
    assert sorted(by_file.children) == ["base/cm.yaml", f"{other}/cm.yaml"]


def test_in_sync_objects_fold_into_one_count() -> None:
    root = build_index(sample_results(), Grouping.NAMESPACE)
    shown = visible_children(root.children["shop"].children["Deployment.apps"], show_in_sync=False)
    assert [r.ref.name for r in shown.leaves] == ["debug-shell", "web"]
    assert shown.folded_count == 3
    top = visible_children(root, show_in_sync=False)
    assert [g.label for g in top.folded_groups] == ["(cluster-scoped)"]
    everything = visible_children(root, show_in_sync=True)
    assert everything.folded_count == 0 and len(everything.groups) == len(root.children)


def test_fuzzy_filter_is_subsequence_per_word_and_case_blind() -> None:
    results = sample_results()
    names = {r.ref.name for r in filter_results(results, query="DPL web")}
    assert names == {"web"}
    assert filter_results(results, query="zzz") == []
    drifted = filter_results(results, status=DisplayStatus.DRIFTED)
    assert len(drifted) == 4
    assert {
        r.ref.kind for r in filter_results(results, query="cfg", status=DisplayStatus.DRIFTED)
    } == {"ConfigMap"}


@given(st.text(max_size=12))
def test_any_query_returns_a_subset_in_order(query: str) -> None:
    results = sample_results()
    shown = filter_results(results, query=query)
    positions = [results.index(r) for r in shown]
    assert positions == sorted(positions)
    if not query.split():
        assert shown == results


def test_status_filter_cycle_visits_every_status_once() -> None:
    seen = []
    current = None
    for _ in STATUS_FILTER_CYCLE:
        current = next_status_filter(current)
        seen.append(current)
    facets = set(DisplayStatus) | set(HEALTH_FACETS) | {ImageFacet.IMAGE_DRIFT}
    assert seen[-1] is None and set(seen[:-1]) == facets and len(seen) == len(facets) + 1


def test_status_colours_come_from_the_theme() -> None:
    colours = status_css_variables(
        {"success": "#00ff00", "warning": "#ffaa00", "foreground": "#fff"}
    )
    assert colours[variable(DisplayStatus.IN_SYNC)] == "#00ff00"
    assert colours[variable(DisplayStatus.DRIFTED)] == "#ffaa00"
    assert set(colours) == {variable(s) for s in DisplayStatus}


def test_relative_times_and_short_values() -> None:
    now = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)
    assert ago("2025-03-14T13:00:00Z", now) == "2h ago"
    assert ago("2025-03-14T14:59:30Z", now) == "30s ago"
    assert ago("2025-03-10T15:00:00+00:00", now) == "4d ago"
    assert ago(None, now) == "" and ago("not a time", now) == "not a time"
    assert short_value(None) == "—"
    assert short_value({"b": 1, "a": "x"}) == '{"a": "x", "b": 1}'
    assert short_value("x" * 100, limit=10) == "x" * 9 + "…"


def test_directory_grouping_names_the_directory_a_manifest_sits_in() -> None:
    assert source_directory("config-root/namespaces/jx/lighthouse/cm.yaml") == (
        "config-root/namespaces/jx/lighthouse"
    )
    assert source_directory("apps/shop") == "apps/shop"  # rendered by kustomize or helm
    assert source_directory("all.yml") == "(repository root)"
    assert source_directory(None) == "(not in Git)"
    by_dir = build_index(sample_results(), Grouping.DIRECTORY)
    assert "(not in Git)" in by_dir.children and by_dir.total == len(sample_results())
