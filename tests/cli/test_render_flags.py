"""The render flags: bounds and trust are the user's to set, before or after the verb."""

from __future__ import annotations

import pytest

from driftui.cli import build_parser
from driftui.cli.flags import options_from
from driftui.source.limits import ALLOW_REMOTE_ENV, DEFAULT_POLICY, MiB, RenderPolicy


def policy(*argv: str) -> RenderPolicy:
    return options_from(build_parser().parse_args(list(argv))).render


def test_defaults_are_bounded_and_keep_remote_bases_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)
    assert policy("diff") == DEFAULT_POLICY
    assert DEFAULT_POLICY.timeout == 120 and not DEFAULT_POLICY.allow_remote_bases


def test_flags_before_or_after_the_verb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)
    after = policy("report", "--render-timeout", "7.5", "--render-memory", "512")
    assert (after.timeout, after.memory_bytes) == (7.5, 512 * MiB)
    before = policy("--allow-remote-bases", "--remote-bases-git-config", "diff")
    assert before.allow_remote_bases and before.user_git_config


def test_remote_bases_from_the_users_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_REMOTE_ENV, "1")
    allowed = policy("diff")
    assert allowed.allow_remote_bases and not allowed.user_git_config


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan"])
def test_a_bad_timeout_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["diff", "--render-timeout", value])
    assert exited.value.code == 2
    assert "--render-timeout: must be a positive number" in capsys.readouterr().err
