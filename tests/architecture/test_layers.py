"""The layers contract names every room of the house, and ignores no import.

import-linter checks only the modules a contract names: a new package left out of the
layers would be free to import anything. This test fails until it is given its floor.
"""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import Any

import driftui

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return found


def layered_modules() -> set[str]:
    (layers,) = [c for c in contracts() if c["type"] == "layers"]
    return {
        name.strip() for layer in layers["layers"] for name in layer.replace(":", "|").split("|")
    }


def test_every_top_level_module_has_a_layer() -> None:
    rooms = {f"driftui.{m.name}" for m in pkgutil.iter_modules(driftui.__path__)}
    assert rooms, "no modules found"
    assert rooms - layered_modules() == set()


def test_no_contract_ignores_an_import() -> None:
    assert [c["name"] for c in contracts() if c.get("ignore_imports")] == []


def test_the_layers_name_only_modules_that_exist() -> None:
    rooms = {f"driftui.{m.name}" for m in pkgutil.iter_modules(driftui.__path__)}
    assert layered_modules() - rooms == set()
