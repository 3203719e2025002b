"""driftui.health is pure: it imports nothing from driftui but itself and ``model``.

Reading Pods is ``driftui.live.workload_pods``'s job; the faces call health, never the
reverse. This keeps health usable on a snapshot, with no cluster at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import driftui.health

ALLOWED = ("driftui.health", "driftui.model")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_health_imports_only_itself_and_model() -> None:
    root = Path(driftui.health.__file__).parent
    files = sorted(root.glob("*.py"))
    assert len(files) > 10
    reached = {
        f"{path.name}: {name}"
        for path in files
        for name in imported(path)
        if name.startswith("driftui") and not name.startswith(ALLOWED)
    }
    assert reached == set()
