"""The test binaries' build: `make testbin` keeps its standard output as PATH."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cluster import __main__ as cli
from tests.cluster import build


def test_a_build_prints_only_the_binaries_directories_on_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Progress goes to standard error: on a fresh machine `make testbin` once wrote
    "building etcd ..." into .venv/testbin.path, and so into the tests' PATH."""
    module = tmp_path / "hello"
    (module / "cmd" / "hello").mkdir(parents=True)
    (module / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
    (module / "cmd" / "hello" / "main.go").write_text("package main\n\nfunc main() {}\n")
    hello = build.GoModule(module, (build.Binary("hello", "./cmd/hello"),))
    monkeypatch.setattr(build, "MODULES", (hello,))
    monkeypatch.setenv("DRIFTUI_TESTBIN", str(tmp_path / "cache"))

    assert cli.main(["build"]) == 0
    out, err = capfd.readouterr()
    built = build.module_dir(hello)
    assert out == f"{built}\n"
    assert "building hello" in err
    assert (built / "hello").is_file()
