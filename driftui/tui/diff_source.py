"""The explorer's one door to the text-diff layer (``driftui.compare.textdiff``).

The explorer draws diffs but never computes drift: YAML rendering and line diffs come
from the compare layer. Until that module is importable this adapter falls back to a
minimal difflib version with the same :class:`DiffLine` shape, so the widgets are built
against the real interface and switch over without changes.
"""

from __future__ import annotations

import difflib
import importlib
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import yaml

from driftui.model import DriftResult, Path


def _load_textdiff() -> ModuleType | None:
    try:
        return importlib.import_module("driftui.compare.textdiff")
    except ImportError:
        return None


_textdiff = _load_textdiff()


@dataclass(frozen=True)
class FallbackDiffLine:
    kind: Literal["hunk", "context", "added", "removed"]
    text: str
    old_no: int | None = None
    new_no: int | None = None
    path: Path | None = None


def render_yaml(obj: Any) -> str:
    if _textdiff is not None:
        return str(_textdiff.render_yaml(obj))
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True)


def without_managed_fields(live: dict[str, Any]) -> dict[str, Any]:
    meta = dict(live.get("metadata") or {})
    meta.pop("managedFields", None)
    return {**live, "metadata": meta}


def _fallback_live_view(desired: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """Live object without the server's bookkeeping, so the diff shows what matters."""
    view = without_managed_fields(live)
    view.pop("status", None)
    meta = view["metadata"]
    for key in ("uid", "resourceVersion", "generation", "creationTimestamp"):
        meta.pop(key, None)
    return view


def live_side(result: DriftResult) -> dict[str, Any] | None:
    """The live object as the diff should show it."""
    if result.live is None:
        return None
    if result.desired is None:
        return _fallback_live_view({}, result.live)
    if _textdiff is not None:
        view: dict[str, Any] = _textdiff.live_view(result.desired, result.live, result.differences)
        return view
    return _fallback_live_view(result.desired, result.live)


_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _fallback_unified(git_text: str, live_text: str, context: int | None) -> list[Any]:
    old = git_text.splitlines()
    new = live_text.splitlines()
    n = max(len(old), len(new)) if context is None else context
    out: list[Any] = []
    old_no = new_no = 0
    for raw in list(difflib.unified_diff(old, new, lineterm="", n=n))[2:]:
        match = _HUNK.match(raw)
        if match:
            old_no, new_no = int(match.group(1)), int(match.group(2))
            out.append(FallbackDiffLine("hunk", raw))
        elif raw.startswith("-"):
            out.append(FallbackDiffLine("removed", raw[1:], old_no=old_no))
            old_no += 1
        elif raw.startswith("+"):
            out.append(FallbackDiffLine("added", raw[1:], new_no=new_no))
            new_no += 1
        else:
            out.append(FallbackDiffLine("context", raw[1:], old_no=old_no, new_no=new_no))
            old_no += 1
            new_no += 1
    return out


Text = Any
"""A YAML text: ``textdiff.RenderedYaml`` (which knows each line's object path) or a str."""


def rendered(obj: Any) -> Text:
    """YAML for a diff; with the compare layer each line also carries its object path."""
    if obj is None:
        return ""
    if _textdiff is not None and isinstance(obj, dict):
        return _textdiff.render(obj)
    return render_yaml(obj)


def plain(text: Text) -> str:
    return text if isinstance(text, str) else str(text.text)


def unified(git_text: Text, live_text: Text, *, context: int | None = 3) -> list[Any]:
    """Lines shaped like ``textdiff.DiffLine``: kind, text, old_no, new_no, path."""
    if _textdiff is not None:
        return list(_textdiff.unified(git_text, live_text, context=context))
    return _fallback_unified(plain(git_text), plain(live_text), context)


def side_by_side(git_text: Text, live_text: Text, *, context: int | None = 3) -> list[Any]:
    """Rows of (Git line | None, live line | None); a change pairs removed with added lines."""
    if _textdiff is not None:
        return list(_textdiff.side_by_side(git_text, live_text, context=context))
    rows: list[tuple[Any, Any]] = []
    removed: list[Any] = []
    added: list[Any] = []

    def flush() -> None:
        for i in range(max(len(removed), len(added))):
            rows.append(
                (removed[i] if i < len(removed) else None, added[i] if i < len(added) else None)
            )
        removed.clear()
        added.clear()

    for line in _fallback_unified(plain(git_text), plain(live_text), context):
        if line.kind == "removed":
            removed.append(line)
        elif line.kind == "added":
            added.append(line)
        else:
            flush()
            rows.append((line, line))
    flush()
    return rows


def texts(result: DriftResult) -> tuple[Text, Text]:
    """(git YAML, live YAML) as the diff compares them; empty for a side that does not exist."""
    return rendered(result.desired), rendered(live_side(result))


def using_fallback() -> bool:
    return _textdiff is None
