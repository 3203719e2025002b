"""The user config file's ``repoMap`` (issue 20): whatever the file holds, the map is URL to
path keyed as ``--repo-map`` keys it, or one :class:`UserConfigError` naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from driftui.gitops.app_source import repo_key
from driftui.gitops.repo_map import UserConfigError, configured_repo_map, merged_repo_map

SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(max_examples=150)
@given(value=VALUES, raw=st.text(max_size=40))
@example(value={"0\n": 0}, raw="")  # found by hypothesis: a URL's newline reached the message
def test_any_file_gives_a_map_of_paths_or_one_error_naming_it(
    tmp_path_factory: pytest.TempPathFactory, value: object, raw: str
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    for text in (yaml.safe_dump({"repoMap": value}), raw):
        path.write_text(text)
        try:
            found = configured_repo_map(path)
        except UserConfigError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc)
            continue
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in found.items())
        assert all(k == repo_key(k) for k in found)


def test_flags_win_over_the_file_and_a_missing_file_maps_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert merged_repo_map([]) == {}
    (tmp_path / "driftui").mkdir()
    (tmp_path / "driftui" / "config.yaml").write_text(
        "repoMap:\n  https://h/a.git: /src/a\n  https://h/b/: ~/b\n"
    )
    merged = merged_repo_map(["https://h/a=/elsewhere"])
    assert merged == {"https://h/a": "/elsewhere", "https://h/b": str(Path.home() / "b")}
