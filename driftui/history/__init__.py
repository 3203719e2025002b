"""Per-object Git history (:mod:`.walk`, through rendered directories :mod:`.rendered`)
and field blame (:mod:`.blame`).

May import source, compare, versions and model: history reads Git, never the cluster.
"""

from driftui.history.blame import entry_diff_bodies, field_blame, is_absent, value_at
from driftui.history.cache import HISTORY_CACHE
from driftui.history.entry import HistoryEntry, HistoryError
from driftui.history.scope import in_scope
from driftui.history.walk import object_history

__all__ = [
    "HISTORY_CACHE",
    "HistoryEntry",
    "HistoryError",
    "entry_diff_bodies",
    "field_blame",
    "in_scope",
    "is_absent",
    "object_history",
    "value_at",
]
