"""The keys that change what the explorer shows and never what is in the cluster: the
detail pane's tabs and toggles, the text and status filters, the tree's grouping and
folding, and the views across clusters."""

from __future__ import annotations

from textual import on
from textual.widgets import Input

from driftui.tui import cluster_views
from driftui.tui.explorer.presenting import Presenting
from driftui.tui.health_view import facet_label
from driftui.tui.tree_model import next_status_filter


class ViewKeys(Presenting):
    """Key actions over the view: each changes one view setting and shows the result."""

    def action_show_tab(self, tab: str) -> None:
        self.detail.show_tab(tab)

    def action_split(self) -> None:
        self.detail.toggle_split()

    def action_context(self) -> None:
        self.detail.toggle_context()

    def action_managed_fields(self) -> None:
        self.detail.toggle_managed_fields()

    def action_filter(self) -> None:
        field = self.main_screen.query_one("#filter", Input)
        field.add_class("visible")
        field.focus()
        self.filtering.warm()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.filtering.changed()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.resource_tree.focus()

    def action_leave_filter(self) -> None:
        field = self.main_screen.query_one("#filter", Input)
        if field.has_focus:
            field.value = ""
            field.remove_class("visible")
        self.resource_tree.focus()

    def action_status_filter(self) -> None:
        self.status_filter = next_status_filter(self.status_filter)
        label = facet_label(self.status_filter) if self.status_filter else "all statuses"
        self.notify(f"Showing {label}", timeout=1.5)
        self._rebuild(keep=self.selected_object())

    def action_grouping(self) -> None:
        tree = self.resource_tree
        tree.grouping = tree.grouping.next(apps=self.frame.has_apps)
        self._rebuild(keep=self.selected_object())

    def action_toggle_in_sync(self) -> None:
        self.resource_tree.show_in_sync = not self.resource_tree.show_in_sync
        self._rebuild(keep=self.selected_object(), expanded=self.resource_tree.expanded_keys())

    def action_same_object(self) -> None:
        cluster_views.same_object(self, self.scope, self.selected_object())

    def action_compare_clusters(self) -> None:
        cluster_views.compare_here(self, self.scope, self.selected_object())
