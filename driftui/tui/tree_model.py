"""The explorer's tree as plain data: grouping, rolled-up counts and filters.

Kept free of widgets so that 10,000 results can be grouped and filtered in one pass,
and the widget only materialises the nodes of the groups a user opens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter
from typing import Any

from driftui.model import DriftResult, HealthStatus
from driftui.runtime.pacing import paced
from driftui.tui.health_view import HEALTH_FACETS, Facet, ImageFacet, health_suffix, matches
from driftui.tui.scope import Identity, cluster_of, identity
from driftui.tui.search import SearchText
from driftui.tui.status_style import RANK, DisplayStatus, display_status
from driftui.tui.tree_frame import Frame, GroupMeta

DRIFT_STATUSES = (DisplayStatus.DRIFTED, DisplayStatus.MISSING, DisplayStatus.EXTRA)


class Grouping(StrEnum):
    APPS = "apps"  # the apps a scan compared (--app, --all-apps): app ▸ namespace ▸ kind
    NAMESPACE = "namespace"
    FILE = "file"
    APP = "app"
    DIRECTORY = "directory"  # a Jenkins X 3 release: config-root/namespaces/<ns>/<release>/

    @property
    def heading(self) -> str:
        return {
            Grouping.APPS: "app ▸ namespace ▸ kind",
            Grouping.NAMESPACE: "namespace ▸ kind",
            Grouping.FILE: "source file",
            Grouping.APP: "owning app ▸ kind",
            Grouping.DIRECTORY: "directory ▸ kind",
        }[self]

    def next(self, *, apps: bool = False) -> Grouping:
        """The grouping after this one; the app tree only when the scan compared apps."""
        members = [g for g in Grouping if apps or g is not Grouping.APPS]
        return members[(members.index(self) + 1) % len(members)] if self in members else members[0]


NO_FRAME = Frame()


def group_path(result: DriftResult, grouping: Grouping, frame: Frame = NO_FRAME) -> tuple[str, ...]:
    """The chain of group labels a result sits under: its cluster first in a multi-cluster
    explorer, then its app chain in the app tree, then the grouping's own levels."""
    lead = frame.cluster_prefix(result)
    if grouping is Grouping.APPS:
        ref = result.ref
        chain = frame.app_chain(cluster_of(result), result.app)
        return (*lead, *chain, ref.namespace or "(cluster-scoped)", ref.group_kind)
    return (*lead, *_grouped_path(result, grouping, frame))


def _grouped_path(result: DriftResult, grouping: Grouping, frame: Frame) -> tuple[str, ...]:
    ref = result.ref
    if grouping is Grouping.FILE:
        return (in_repo(frame.other_repo(result), result.source_file or "(not in Git)"),)
    if grouping is Grouping.APP:
        return (str(result.owner) if result.owner else "(no owning app)", ref.group_kind)
    if grouping is Grouping.DIRECTORY:
        where = source_directory(result.source_file)
        return (in_repo(frame.other_repo(result), where), ref.group_kind)
    return (ref.namespace or "(cluster-scoped)", ref.group_kind)


def in_repo(repo: str, path: str) -> str:
    """A file's or folder's label: grouped by (repository, path), so another repository's
    ``base/`` (a multi-source app's other source) is never the scan's ``base/``; the scan's
    own repository goes unnamed."""
    return f"{repo}: {path}" if repo else path


def source_directory(source_file: str | None) -> str:
    """The directory a manifest sits in; a rendered object's source_file already is one.
    Layouts that give each release its own directory (Jenkins X 3's
    ``config-root/namespaces/<ns>/<release>/``) group by release this way."""
    if source_file is None:
        return "(not in Git)"
    if not source_file.endswith((".yaml", ".yml", ".json")):
        return source_file or "(repository root)"  # kustomize or helm: the directory rendered
    head, _, _ = source_file.rpartition("/")
    return head or "(repository root)"


def leaf_label(result: DriftResult, grouping: Grouping) -> str:
    ref = result.ref
    if grouping is Grouping.FILE:
        where = f"{ref.namespace}/" if ref.namespace else ""
        return f"{ref.kind} {where}{ref.name}"
    if grouping in (Grouping.APP, Grouping.DIRECTORY) and ref.namespace:
        return f"{ref.namespace}/{ref.name}"
    return ref.name


leaf_order = attrgetter("ref.name", "ref.kind", "ref.namespace")


@dataclass
class Group:
    """A node of the grouped tree, with counts rolled up over everything below it."""

    key: tuple[str, ...]
    children: dict[str, Group] = field(default_factory=dict)
    grouped: list[DriftResult] = field(default_factory=list)  # as grouped; see ``leaves``
    keyed: dict[Identity, DriftResult] | None = field(default=None, repr=False)
    counts: Counter[DisplayStatus] = field(default_factory=Counter)
    health: Counter[HealthStatus] = field(default_factory=Counter)
    meta: GroupMeta | None = None  # a cluster's or an app's row

    @property
    def error(self) -> str:
        return self.meta.error if self.meta is not None else ""

    @property
    def disagrees(self) -> bool:
        """The app's operator calls it Synced (Ready) while driftui sees drift in the app's
        own objects (not its child apps'): the case users most need to see."""
        if self.meta is None or self.meta.kind != "app" or not self.meta.operator_ok:
            return False
        own = self.counts.copy()
        for child in self.children.values():
            if child.meta is not None and child.meta.kind == "app":
                own.subtract(child.counts)
        return any(own[s] > 0 for s in DRIFT_STATUSES)

    @property
    def health_suffix(self) -> str:
        """`` · ♥ Degraded``: the worst child's health wins, as in Argo CD."""
        return health_suffix(self.health)

    @property
    def label(self) -> str:
        return self.key[-1] if self.key else ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def worst(self) -> DisplayStatus:
        if self.error:
            return DisplayStatus.ERROR
        return min(self.counts, key=RANK.__getitem__, default=DisplayStatus.IN_SYNC)

    @property
    def all_in_sync(self) -> bool:
        """Folded away with the in-sync objects: never a row that says an error or a
        disagreement, nor an empty cluster or app (its row is all it has to say)."""
        if self.meta is not None and (self.error or self.disagrees or not self.total):
            return False
        return self.counts[DisplayStatus.IN_SYNC] == self.total

    def sorted_children(self) -> list[Group]:
        """By label; clusters keep the order they were named in (set by the frame)."""
        if self.children and all(
            c.meta is not None and c.meta.kind == "cluster" for c in self.children.values()
        ):
            return list(self.children.values())
        return [self.children[k] for k in sorted(self.children)]

    @property
    def leaves(self) -> dict[Identity, DriftResult]:
        """The objects directly in this group, by (cluster, ref). Keyed only when a watch
        batch first changes the group: keying 100,000 objects cost ~0.1 s a filter."""
        if self.keyed is None:
            self.keyed, self.grouped = {identity(r): r for r in self.grouped}, []
        return self.keyed

    def own_results(self) -> Iterable[DriftResult]:
        return self.grouped if self.keyed is None else self.keyed.values()

    def sorted_leaves(self) -> list[DriftResult]:
        return sorted(self.own_results(), key=leaf_order)

    def find(self, key: Sequence[str]) -> Group | None:
        node: Group | None = self
        for label in key[len(self.key) :]:
            node = node.children.get(label) if node else None
        return node


def build_index(
    results: Iterable[DriftResult], grouping: Grouping, frame: Frame = NO_FRAME
) -> Group:
    """The grouped tree of ``results``: bucketed by group first, then counted a bucket
    at a time, so the per-object work is one path and one append (100,000 objects a filter)."""
    buckets: dict[tuple[str, ...], list[DriftResult]] = {}
    for result in results:
        path = group_path(result, grouping, frame)
        bucket = buckets.get(path)
        if bucket is None:
            buckets[path] = [result]
        else:
            bucket.append(result)
    return index_of(((p, m, *_tallies(m)) for p, m in buckets.items()), grouping, frame)


def _tallies(
    results: Sequence[DriftResult],
) -> tuple[Counter[DisplayStatus], Counter[HealthStatus]]:
    """How many of ``results`` have each status, and each health."""
    health = Counter(r.health.status for r in results if r.health is not None)
    return Counter(map(display_status, results)), health


def index_of(
    buckets: Iterable[
        tuple[tuple[str, ...], list[DriftResult], Counter[DisplayStatus], Counter[HealthStatus]]
    ],
    grouping: Grouping,
    frame: Frame = NO_FRAME,
) -> Group:
    """The grouped tree of results already bucketed by group path and tallied, in the
    order met."""
    root = Group(key=())
    _framed_groups(root, frame, with_apps=grouping is Grouping.APPS)
    for path, members, statuses, health in buckets:
        passed = _made(root, path)
        for group in passed:
            group.counts.update(statuses)
            group.health.update(health)
        passed[-1].grouped += members
    return root


def health_status(result: DriftResult) -> HealthStatus | None:
    """``result``'s health, None where none was assessed."""
    return result.health.status if result.health is not None else None


def place(root: Group, result: DriftResult, path: tuple[str, ...]) -> list[Group]:
    """Count ``result`` in every group on ``path`` (made as needed) and list it in the last;
    returns the groups it passed, root first."""
    status = display_status(result)
    health = health_status(result)
    passed = _made(root, path)
    for group in passed:
        group.counts[status] += 1
        if health is not None:
            group.health[health] += 1
    passed[-1].leaves[identity(result)] = result
    return passed


def _made(root: Group, path: tuple[str, ...]) -> list[Group]:
    """The groups on ``path``, root first, made where missing."""
    node = root
    passed = [root]
    for label in path:
        child = node.children.get(label)
        if child is None:
            child = node.children[label] = Group(key=(*node.key, label))
        passed.append(child)
        node = child
    return passed


def unplace(root: Group, result: DriftResult, path: tuple[str, ...]) -> list[Group]:
    """Undo :func:`place`: groups left empty go, unless a frame made them (their row says
    something of its own). Returns the groups on ``path`` as they were, root first."""
    status = display_status(result)
    health = health_status(result)
    passed = [root]
    for label in path:
        child = passed[-1].children.get(label)
        if child is None:
            return passed  # not placed: nothing to undo
        passed.append(child)
    if passed[-1].leaves.pop(identity(result), None) is None:
        return passed
    for group in passed:
        _decrement(group.counts, status)
        if health is not None:
            _decrement(group.health, health)
    for parent, child in zip(reversed(passed[:-1]), reversed(passed[1:]), strict=True):
        if child.counts or child.meta is not None:
            break
        del parent.children[child.label]
    return passed


def _decrement(counter: Counter[Any], key: object) -> None:
    """One fewer; a count of zero is no count (``worst`` and the labels read the keys)."""
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


def _framed_groups(root: Group, frame: Frame, *, with_apps: bool) -> None:
    """The cluster and app rows, made before any result lands (some have none)."""
    for key, meta in frame.metas(with_apps):
        node = root
        for label in key:
            child = node.children.get(label)
            if child is None:
                child = node.children[label] = Group(key=(*node.key, label))
            node = child
        node.meta = meta


@dataclass(frozen=True)
class VisibleChildren:
    """What a group shows when opened; hidden in-sync items fold into one summary node."""

    groups: list[Group]
    leaves: list[DriftResult]
    folded_groups: list[Group]
    folded_leaves: list[DriftResult]

    @property
    def folded_count(self) -> int:
        return sum(g.total for g in self.folded_groups) + len(self.folded_leaves)


def visible_children(group: Group, *, show_in_sync: bool) -> VisibleChildren:
    groups = group.sorted_children()
    leaves = group.sorted_leaves()
    if show_in_sync:
        return VisibleChildren(groups, leaves, [], [])
    return VisibleChildren(
        groups=[g for g in groups if not g.all_in_sync],
        leaves=[r for r in leaves if display_status(r) is not DisplayStatus.IN_SYNC],
        folded_groups=[g for g in groups if g.all_in_sync],
        folded_leaves=[r for r in leaves if display_status(r) is DisplayStatus.IN_SYNC],
    )


# -- filters ---------------------------------------------------------------------------------


def filter_results(
    results: Sequence[DriftResult],
    *,
    query: str = "",
    status: Facet | None = None,
    search: SearchText | None = None,
) -> list[DriftResult]:
    """The results that pass both filters, in order (see :func:`filter_positions`)."""
    if not query.split() and status is None:
        return list(results)
    return [
        results[i] for i in filter_positions(results, query=query, status=status, search=search)
    ]


def filter_positions(
    results: Sequence[DriftResult],
    *,
    query: str = "",
    status: Facet | None = None,
    search: SearchText | None = None,
) -> Sequence[int]:
    """The positions of the results that pass both filters, in order. ``search``: the
    search keys of ``results``, kept from an earlier keystroke (see :mod:`.search`)."""
    if query.split():
        search = search if search is not None and search.results is results else None
        picked = (search or SearchText(results)).matching(query)
    else:
        picked = range(len(results))
    if status is None:
        return picked
    return [i for i in picked if matches(results[i], status)]


def owners_of(results: Iterable[DriftResult]) -> tuple[str, ...]:
    """The apps that own the scanned objects, for the header."""
    return tuple(sorted({str(r.owner) for r in results if r.owner}))


STATUS_FILTER_CYCLE: tuple[Facet | None, ...] = (
    None,
    DisplayStatus.DRIFTED,
    DisplayStatus.MISSING,
    DisplayStatus.EXTRA,
    DisplayStatus.ERROR,
    DisplayStatus.FORBIDDEN,
    DisplayStatus.IN_SYNC,
    *HEALTH_FACETS,
    ImageFacet.IMAGE_DRIFT,
)


def next_status_filter(current: Facet | None) -> Facet | None:
    index = STATUS_FILTER_CYCLE.index(current)
    return STATUS_FILTER_CYCLE[(index + 1) % len(STATUS_FILTER_CYCLE)]


# -- a scan's tree, prepared off the UI thread ------------------------------------------------


@dataclass(frozen=True)
class View:
    """What decides which results the tree shows and how they are grouped."""

    query: str = ""
    status: Facet | None = None
    grouping: Grouping = Grouping.NAMESPACE
    frame: Frame = NO_FRAME


@dataclass(frozen=True)
class Prepared:
    """A report grouped for one view, with the header's tallies.

    The scan worker builds it, so a landing rescan costs the UI thread only the node
    updates (grouping and counting 10,000 results took ~15 ms of it, benchmarks/bench_watch).
    A watch batch changes it in place (:mod:`.tree_delta`).
    """

    view: View
    index: Group
    counts: dict[DisplayStatus, int]
    owners: tuple[str, ...]
    shown: int  # results that pass the view's filters


def prepare(all_results: Sequence[DriftResult], view: View) -> Prepared:
    """``all_results`` grouped for ``view`` by a scan's worker, which gives way to the keys
    pressed meanwhile. Other views of the same report are the filter's (:mod:`.filter_flow`)."""
    counts = Counter(display_status(r) for r in paced(all_results))
    results = filter_results(all_results, query=view.query, status=view.status)
    index = build_index(paced(results), view.grouping, view.frame)
    return Prepared(view, index, dict(counts), owners_of(paced(all_results)), len(results))
