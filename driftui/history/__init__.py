"""Per-object Git history (:mod:`.walk`) and field blame (:mod:`.blame`).

May import source, compare, versions and model: history reads Git, never the cluster.
"""

from driftui.history.blame import entry_diff_bodies, field_blame, is_absent, value_at
from driftui.history.walk import (
    HISTORY_CACHE,
    HistoryEntry,
    HistoryError,
    in_scope,
    object_history,
)

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
