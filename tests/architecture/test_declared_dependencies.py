"""Declare what you import: every third-party module driftui imports is a declared dependency."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_top_levels() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "driftui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"driftui", "__future__"}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~\[ ;]", dep, maxsplit=1)[0] for dep in project["dependencies"]}
    return {name.lower().replace("_", "-") for name in names}


def test_every_third_party_import_is_declared() -> None:
    owners = packages_distributions()
    missing = {
        module: dist
        for module in imported_top_levels()
        for dist in owners.get(module, [module])
        if dist.lower().replace("_", "-") not in declared()
    }
    assert missing == {}
    assert {"textual", "kubernetes", "yaml", "rich", "urllib3"} <= imported_top_levels()
