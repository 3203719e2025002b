"""What a cluster or app row says after its counts: a cluster's error, an app's operator
status beside driftui's verdict, and a mark where the two disagree.

``≠ web ≠1 ⚠ Argo CD: Synced/Healthy``: an app its operator calls Synced while driftui
sees drift in its objects is the case users most need to see, so it is marked in the
warning colour, and said in words in the detail pane, not left to the reader to compare
two statuses.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from driftui.tui.formatting import shown
from driftui.tui.tree_model import Group

DISAGREE_MARK = "⚠"


def group_note(group: Group, *, warning: Style, error: Style) -> Text:
    """``warning`` and ``error``: the theme's drifted and error colours."""
    meta = group.meta
    bold = Style(bold=True)
    warning, error = warning + bold, error + bold
    if meta is None:
        return Text()
    if meta.error:
        what = "cannot be read" if meta.kind == "cluster" else "cannot be scanned"
        return Text.assemble((f" {what}: ", error), shown(meta.error))
    if meta.kind == "cluster":
        return Text() if group.total else Text(" · nothing declared here", "dim")
    said = meta.operator_text
    if group.disagrees:
        return Text.assemble((f" {DISAGREE_MARK} ", warning), (shown(said), warning))
    return Text(f" · {shown(said)}", "dim") if said else Text()


def group_sentence(group: Group) -> str:
    """What the detail pane says of a cluster or app row, in words ("" for other groups)."""
    meta = group.meta
    if meta is None:
        return ""
    if meta.error:
        return f"cannot be {'read' if meta.kind == 'cluster' else 'scanned'}: {meta.error}"
    if group.disagrees:
        return f"{DISAGREE_MARK} {meta.operator} calls it {meta.sync}, but driftui sees drift"
    return meta.operator_text
