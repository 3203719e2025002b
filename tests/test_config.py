"""Loading .driftui.yaml: defaults, rules, and one clear message per mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.compare.ignore import IgnoreRule
from driftui.compare.options import DEFAULT_APPLIERS
from driftui.config import Config, ConfigError, load_config
from driftui.gitops.markers import TrackingMarkers

FULL = """
ignore:
  - kind: Deployment
    namespace: "prod-*"
    jsonPointers: [/spec/replicas, /metadata/labels/foo~1bar]
  - managers: [hpa-controller]
appliers: [argocd-controller]
controllers: ["*-operator"]
tracking:
  labels: [team.example.com/app]
helm:
  values: [values-prod.yaml]
"""


def test_defaults() -> None:
    config = Config.default()
    assert config.appliers == DEFAULT_APPLIERS
    assert "kubectl" in config.appliers and "*-controller" in config.controllers
    assert config.tracking == TrackingMarkers()
    assert "argocd.argoproj.io/tracking-id" in config.tracking.annotations
    assert load_config(None, None) == config
    assert load_config("x.yaml", "") == Config(source="x.yaml")


def test_full_file(tmp_path: Path) -> None:
    path = tmp_path / ".driftui.yaml"
    path.write_text(FULL)
    config = load_config(str(path))
    assert config.ignore == (
        IgnoreRule(
            kind="Deployment",
            namespace="prod-*",
            json_pointers=(("spec", "replicas"), ("metadata", "labels", "foo/bar")),
        ),
        IgnoreRule(managers=("hpa-controller",)),
    )
    assert config.appliers == ("argocd-controller",)
    assert config.controllers == ("*-operator",)
    assert config.tracking.labels == ("team.example.com/app",)
    assert config.tracking.annotations == TrackingMarkers().annotations
    assert config.helm_values == ("values-prod.yaml",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "ignores: []",
            "c.yaml: unknown key ignores (expected one of: ignore, appliers, controllers, tracking, helm)",
        ),
        ("ignore: {}", "c.yaml: ignore: expected a list, got a mapping"),
        (
            "ignore: [{kind: Deployment}]",
            "c.yaml: ignore[0]: needs jsonPointers or managers (it ignores nothing)",
        ),
        (
            "ignore: [{jsonPointers: [spec/replicas]}]",
            "c.yaml: ignore[0].jsonPointers[0]: 'spec/replicas' is not a JSON pointer (it must start with '/')",
        ),
        (
            "ignore: [{jsonPointers: ['/a~2']}]",
            "c.yaml: ignore[0].jsonPointers[0]: '/a~2' has a '~' not followed by 0 or 1",
        ),
        (
            "ignore: [{kinds: X, managers: [a]}]",
            "c.yaml: unknown key ignore[0].kinds (expected one of: group, kind, namespace, name, jsonPointers, managers)",
        ),
        (
            "ignore: [{kind: 3, managers: [a]}]",
            "c.yaml: ignore[0].kind: expected a string, got a number",
        ),
        ("appliers: argocd", "c.yaml: appliers: expected a list, got a string"),
        ("appliers: ['']", "c.yaml: appliers[0]: expected a non-empty string, got a string"),
        ("- a", "c.yaml: the file: expected a mapping, got a list"),
        (
            "tracking: {labels: [1]}",
            "c.yaml: tracking.labels[0]: expected a non-empty string, got a number",
        ),
        ("helm: {value: []}", "c.yaml: unknown key helm.value (expected one of: values)"),
        ("ignore: [", "c.yaml: line 2: invalid YAML: did not find expected node content"),
    ],
)
def test_errors_name_file_and_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config("c.yaml", text)
    assert str(info.value) == message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read"):
        load_config(str(tmp_path / "nope.yaml"))


@settings(max_examples=300)
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(
                [
                    "ignore:",
                    "  - kind: X",
                    "    jsonPointers: [/a]",
                    "    managers: [m]",
                    "appliers: [a]",
                    "tracking:",
                    "  labels: [x]",
                    "helm: {values: [v]}",
                    "- 1",
                    "a: 2001-13-45",
                    "{",
                    "&a [*a]",
                    "? [x]\n: y",
                    "!!python/object:os.system x",
                    "    jsonPointers: [a]",
                    "ignore: [~]",
                ]
            ),
            max_size=6,
        ).map("\n".join),
    )
)
def test_any_text_loads_or_raises_config_error(text: str) -> None:
    try:
        config = load_config(".driftui.yaml", text)
    except ConfigError as exc:
        assert DOCUMENTED_CONFIG_ERROR.fullmatch(str(exc)), str(exc)
    else:
        assert config.source == ".driftui.yaml"
        assert all(rule.json_pointers or rule.managers for rule in config.ignore)


# The one-line messages a config mistake may give, each naming the file and where.
DOCUMENTED_CONFIG_ERROR = re.compile(
    r"\.driftui\.yaml:( line \d+:)? invalid YAML: .+"
    r"|\.driftui\.yaml: unknown key .+ \(expected one of: .+\)"
    r"|\.driftui\.yaml: .+: expected (a mapping|a list|a string|a non-empty string), got .+"
    r"|\.driftui\.yaml: .+: needs jsonPointers or managers \(it ignores nothing\)"
    r"|\.driftui\.yaml: .+\.jsonPointers\[\d+\]: .+"
)
