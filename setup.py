"""Build hook only (metadata is in pyproject.toml): record the Git commit in the wheel.

``driftui --version`` reads ``driftui/_build_info.py``. It is written into the build
directory, never into the source tree, and only when the build runs in a Git checkout.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def _commit(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


class BuildPyWithCommit(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the checkout, whose Git says the commit
        commit = _commit(Path(__file__).resolve().parent)
        if commit and not self.dry_run:
            target = Path(self.build_lib, "driftui", "_build_info.py")
            target.write_text(f'"""Written by setup.py at build time."""\n\nCOMMIT = "{commit}"\n')


setup(cmdclass={"build_py": BuildPyWithCommit})
