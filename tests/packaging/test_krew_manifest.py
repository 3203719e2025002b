"""The krew manifest is a valid v1alpha2 Plugin whose binary is the console script the wheel
installs, with every release-time value left as a named placeholder."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_krew_manifest_names_the_plugin_binary_and_only_placeholders_for_the_release() -> None:
    text = (ROOT / "packaging" / "krew" / "driftui.yaml").read_text()
    manifest = yaml.safe_load(text)
    assert manifest["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2"
    assert manifest["kind"] == "Plugin" and manifest["metadata"]["name"] == "driftui"
    spec = manifest["spec"]
    assert spec["version"] == "__VERSION__" and len(spec["shortDescription"]) <= 50
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for platform in spec["platforms"]:
        assert platform["bin"] == "kubectl-driftui" and "kubectl-driftui" in scripts
        assert platform["uri"].startswith("__RELEASE_URL__/") and platform["sha256"] == "__SHA256__"
        assert {"from": "kubectl-driftui", "to": "."} in platform["files"]
    body = text.split("apiVersion:", 1)[1]  # the comment above explains the placeholders
    assert set(re.findall(r"__[A-Z0-9_]+__", body)) == {
        "__VERSION__",
        "__RELEASE_URL__",
        "__SHA256__",
    }
