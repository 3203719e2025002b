"""The detail pane: the tabs that describe the object under the tree's cursor.

``pane`` is the widget (view options, cache, workers); ``builds`` is what each tab
builds off the screen's thread; ``text_tabs``, ``fields_tab`` and ``history_tab`` draw
the tabs. The names below are the ones the rest of the explorer uses.
"""

from driftui.tui.widgets.detail.builds import HistoryFn
from driftui.tui.widgets.detail.pane import TABS, DetailPane, Subject

__all__ = ["TABS", "DetailPane", "HistoryFn", "Subject"]
