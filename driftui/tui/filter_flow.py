"""The text filter over 100,000 objects: off the screen's thread, and the latest query wins.

Filtering 100,000 objects and grouping the matches took ~1 s a keystroke on the UI thread
(bench_scale), holding every key behind it. Now the search keys are joined once per report
(:mod:`.search`); over ``IN_WORKER_ABOVE`` objects the filter runs in a worker thread, the
keys typed meanwhile show at once in the filter field, and when the worker is done the
latest query runs next if it moved on: the queries in between are skipped, not queued.
A query that every object matches shows the groups already built for no query, and the
matches of any other are grouped by the paths worked out once per report (:mod:`.placements`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from driftui.model import DriftResult, ScanReport
from driftui.tui.handoff import Handoff
from driftui.tui.messages import Filtered
from driftui.tui.placements import Placements
from driftui.tui.responsiveness import small_job
from driftui.tui.search import SearchText
from driftui.tui.tree_model import Prepared, View, filter_positions

if TYPE_CHECKING:
    from driftui.tui.app import DriftExplorer

IN_WORKER_ABOVE = 20_000  # objects; fewer are filtered on the keystroke itself (< ~50 ms)


class FilterFlow:
    """The search keys and grouped views kept for the filter, and its worker's turns."""

    def __init__(self, app: DriftExplorer) -> None:
        self.app = app
        self.running = False  # a worker is filtering
        self._search: SearchText | None = None
        self._unfiltered: tuple[Sequence[DriftResult], Prepared] | None = None
        self._placements: Placements | None = None

    def changed(self) -> None:
        """The query changed: filter now (few objects), or in the worker's next turn."""
        app = self.app
        if app.report is None or len(app.report.results) <= IN_WORKER_ABOVE:
            app.refilter()
        elif not self.running:
            self._start()

    def warm(self) -> None:
        """The filter field opened: make the search keys and place every object in a worker
        while the user starts typing, rather than on the first keystroke (over
        ``IN_WORKER_ABOVE`` objects)."""
        report = self.app.report
        if report is None or len(report.results) <= IN_WORKER_ABOVE:
            return
        handed = Handoff((report.results, self.app.current_view()))  # see .handoff

        def work() -> None:
            results, view = handed.take()
            with small_job():
                self._search_for(results).warm()
                self._placements_for(results, view)

        self.app.run_worker(work, thread=True, group="filter-keys", exit_on_error=False)

    def regroup(self, results: Sequence[DriftResult], prepared: Prepared, view: View) -> Prepared:
        """``prepared``'s report for ``view``; safe in a worker (reads, builds anew)."""
        search = self._search_for(results)
        base = self._reusable(results, view)
        if base is not None and self._all_match(search, view):
            return replace(base, view=view)  # every object matches: the same groups
        positions = filter_positions(results, query=view.query, status=view.status, search=search)
        index = self._placements_for(results, view).index(positions)
        fresh = replace(prepared, view=view, index=index, shown=len(positions))
        self.remember(results, fresh)
        return fresh

    def _placements_for(self, results: Sequence[DriftResult], view: View) -> Placements:
        placements = self._placements
        if placements is None:
            placements = Placements.of(results, view)
        elif not placements.serves(results, view):
            placements = placements.follow(results, view)
        self._placements = placements
        return placements

    def _reusable(self, results: Sequence[DriftResult], view: View) -> Prepared | None:
        """The grouping kept for no query, if it is of ``results`` and ``view`` but its query."""
        if self._unfiltered is None:
            return None
        kept_results, kept = self._unfiltered
        same = kept_results is results and kept.view == replace(view, query="")
        return kept if same else None

    @staticmethod
    def _all_match(search: SearchText, view: View) -> bool:
        return not view.query.split() or len(search.matching(view.query)) == len(search.results)

    def remember(self, results: Sequence[DriftResult], prepared: Prepared) -> None:
        """Keep ``prepared`` if it is the grouping for no query (a clear goes back to it)."""
        if not prepared.view.query.split():
            self._unfiltered = (results, prepared)

    def batch_landed(self, before: ScanReport, after: ScanReport, same_places: bool) -> None:
        """A watch batch changed the report: the search keys hold if no object came, went
        or moved; the groups kept for no query are stale (only the shown ones follow)."""
        search = self._search
        if search is not None and search.results is before.results and same_places:
            search.follow(after.results)
        else:
            self._search = None
        self._unfiltered = None

    def scan_landed(self, results: Sequence[DriftResult], prepared: Prepared) -> None:
        """A new report: nothing kept holds for it (and the last report must not stay
        alive through what was kept for it)."""
        self._search, self._unfiltered, self._placements = None, None, None
        self.remember(results, prepared)

    def _search_for(self, results: Sequence[DriftResult]) -> SearchText:
        search = self._search
        if search is None or search.results is not results:
            search = self._search = SearchText(results)
        return search

    def _start(self) -> None:
        app = self.app
        report, prepared, view = app.report, app.prepared, app.current_view()
        if report is None or prepared is None:
            return
        self.running = True
        handed = Handoff((report, prepared, view))  # not closed over: see .handoff

        def work() -> None:
            report, prepared, view = handed.take()
            try:
                with small_job():
                    fresh: Prepared | None = self.regroup(report.results, prepared, view)
            except Exception:  # shown as no change; the next keystroke tries again
                fresh = None
            app.post_message(Filtered(report, view, fresh))

        app.run_worker(work, thread=True, group="filter", exit_on_error=False)

    def landed(self, message: Filtered) -> None:
        """The worker's turn is over: show what it found if the query and report are still
        the ones it filtered, else filter the latest."""
        self.running = False
        app = self.app
        if message.report is app.report and message.view == app.current_view():
            if message.prepared is not None:
                app.show_prepared(message.prepared)
        else:
            self._start()
