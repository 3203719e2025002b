"""Everything outside driftui.tui imports, and runs a CLI command, without textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import driftui


def core_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(driftui.__path__, "driftui.")
        if not m.name.startswith("driftui.tui") and m.name != "driftui.__main__"
    )


def test_core_modules_are_found() -> None:
    names = core_modules()
    assert {
        "driftui.engine",
        "driftui.cli",
        "driftui.compare.differ",
        "driftui.live.client",
    } <= set(names)


def test_core_imports_without_textual() -> None:
    code = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError('textual is forbidden in the core: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_cli_help_runs_without_loading_textual() -> None:
    code = (
        "import sys\n"
        "from driftui import cli\n"
        "try:\n"
        "    cli.main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0\n"
        "assert 'textual' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "diff" in result.stdout and "report" in result.stdout
