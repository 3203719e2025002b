"""Reading the fields health rules need, without trusting their shape.

Live objects are untrusted JSON: a status field can be missing, null, a string where a
number belongs, or a list of garbage. Every rule reads through these helpers, so a malformed
object gives a verdict (usually Unknown or Progressing), never an exception.
"""

from __future__ import annotations

from typing import Any, TypeGuard

MESSAGE_LIMIT = 240


def section(obj: Any, *keys: str) -> dict[str, Any]:
    """The mapping at ``obj[keys[0]][keys[1]]...``, or an empty one."""
    node = obj
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def items(obj: Any, *keys: str) -> list[dict[str, Any]]:
    """The list of mappings at ``keys`` (non-mappings dropped), or an empty list."""
    *parents, last = keys
    node = section(obj, *parents).get(last)
    return [item for item in node if isinstance(item, dict)] if isinstance(node, list) else []


def number(mapping: dict[str, Any], key: str, default: int = 0) -> int:
    value = mapping.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value


def text(mapping: dict[str, Any], key: str) -> str:
    value = mapping.get(key)
    return one_line(value) if isinstance(value, str) else ""


def one_line(value: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message on one line: controllers write multi-line messages, and a tree row has one."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def generation(obj: dict[str, Any]) -> int:
    return number(section(obj, "metadata"), "generation")


def observed(obj: dict[str, Any]) -> int:
    return number(section(obj, "status"), "observedGeneration")


def name(obj: dict[str, Any]) -> str:
    return text(section(obj, "metadata"), "name")


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The first ``status.conditions`` entry of type ``kind``."""
    return next((c for c in items(obj, "status", "conditions") if c.get("type") == kind), None)


def is_true(cond: dict[str, Any] | None) -> TypeGuard[dict[str, Any]]:
    return cond is not None and cond.get("status") == "True"


def explain(cond: dict[str, Any]) -> str:
    """``Reason: message`` of a condition, whichever halves it has."""
    parts = [text(cond, "reason"), text(cond, "message")]
    return ": ".join(p for p in parts if p)
