"""The krew release archive, built offline by packaging/krew/build.py from a copy of the
checkout: its manifest has every field krew requires filled in, its sha256 is the archive's,
and every file the manifest installs is in the archive."""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parents[2]
SHIPPED = ("driftui", "packaging", "pyproject.toml", "setup.py", "README.md", "LICENSE")
URL = "https://github.com/example/driftui/releases/download/v1.2.3"
SEMVER = re.compile(r"^v\d+\.\d+\.\d+")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _copy(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_build_info.py")
    for name in SHIPPED:
        if (SOURCE / name).is_dir():
            shutil.copytree(SOURCE / name, target / name, ignore=ignore)
        else:
            shutil.copy2(SOURCE / name, target / name)


def test_the_krew_archive_builds_offline_and_its_manifest_names_it(tmp_path: Path) -> None:
    checkout, out = tmp_path / "src", tmp_path / "out"
    _copy(checkout)
    script = checkout / "packaging" / "krew" / "build.py"
    done = subprocess.run(
        [sys.executable, str(script), "--version", "v1.2.3", "--release-url", URL, "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    archive = out / "kubectl-driftui-v1.2.3.tar.gz"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (out / f"{archive.name}.sha256").read_text() == f"{digest}  {archive.name}\n"
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
        launcher = tar.extractfile("kubectl-driftui")
        assert launcher is not None
        launched = launcher.read().decode()
    assert members["kubectl-driftui"].mode == 0o755
    assert "LICENSE" in members and "wheels/COMPLETE" not in members  # deps come from pip
    assert [n for n in members if n.startswith("wheels/")] == [
        n for n in members if fnmatch.fnmatch(n, "wheels/driftui-*-py3-none-any.whl")
    ]
    checked = subprocess.run(["sh", "-n"], input=launched, text=True, check=False)
    assert checked.returncode == 0
    text = (out / "driftui.yaml").read_text()
    assert not re.findall(r"__[A-Z0-9_]+__", text)  # no placeholder left
    manifest = yaml.safe_load(text)
    assert manifest["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2"
    assert manifest["kind"] == "Plugin" and NAME.match(manifest["metadata"]["name"])
    spec = manifest["spec"]
    assert SEMVER.match(spec["version"]) and spec["version"] == "v1.2.3"
    assert spec["shortDescription"] and spec["homepage"].startswith("https://")
    assert spec["platforms"]
    for platform in spec["platforms"]:
        assert platform["selector"]["matchExpressions"]
        assert platform["uri"] == f"{URL}/{archive.name}"
        assert platform["sha256"] == digest
        assert platform["bin"] in members
        for entry in platform["files"]:
            assert any(fnmatch.fnmatch(name, entry["from"]) for name in members), entry
