"""The explorer's one door to the text-diff layer (``driftui.compare.textdiff``).

The explorer draws diffs but never computes drift: the noise-free live view, YAML
rendering (with each line's object path, for attribution) and line diffs all come from
the compare layer, exactly as the command line's ``diff`` uses them.
"""

from __future__ import annotations

from typing import Any

from driftui.compare import textdiff
from driftui.compare.textdiff import DiffLine, RenderedYaml
from driftui.model import DriftResult

Text = RenderedYaml | str
"""A YAML text: ``RenderedYaml`` knows each line's object path; "" for a missing side."""


def render_yaml(obj: Any) -> str:
    return textdiff.render_yaml(obj)


def without_managed_fields(live: dict[str, Any]) -> dict[str, Any]:
    meta = dict(live.get("metadata") or {})
    meta.pop("managedFields", None)
    return {**live, "metadata": meta}


def live_side(result: DriftResult) -> dict[str, Any] | None:
    """The live object as the diff shows it: projected onto what Git sets, plus the drift."""
    if result.live is None:
        return None
    return textdiff.live_view(result.desired or {}, result.live, result.differences)


def rendered(obj: Any) -> Text:
    if obj is None:
        return ""
    return textdiff.render(obj) if isinstance(obj, dict) else render_yaml(obj)


def plain(text: Text) -> str:
    return text if isinstance(text, str) else str(text.text)


def unified(git_text: Text, live_text: Text, *, context: int | None = 3) -> list[DiffLine]:
    return list(textdiff.unified(git_text, live_text, context=context))


def side_by_side(
    git_text: Text, live_text: Text, *, context: int | None = 3
) -> list[tuple[DiffLine | None, DiffLine | None]]:
    """Rows of (Git line | None, live line | None); a change pairs removed with added lines."""
    return list(textdiff.side_by_side(git_text, live_text, context=context))


def texts(result: DriftResult) -> tuple[Text, Text]:
    """(git YAML, live YAML) as the diff compares them; empty for a side that does not exist."""
    return rendered(result.desired), rendered(live_side(result))
