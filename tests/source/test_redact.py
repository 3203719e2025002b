"""Credentials never survive redaction; refs and paths that could inject options are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.source.git_repo import (
    SourceError,
    cache_path_for,
    is_remote_url,
    normalise_repo_path,
    validate_ref,
)
from driftui.source.redact import redact_text, redact_url, secrets_of, url_credentials


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pass@example.com/org/repo.git", "https://example.com/org/repo.git"),
        ("https://ghp_token@example.com/r.git", "https://example.com/r.git"),
        ("http://a%40b:p%3Ass@127.0.0.1:8080/x?y=1", "http://127.0.0.1:8080/x?y=1"),
        ("ssh://git:pw@example.com/r.git", "ssh://example.com/r.git"),
        ("https://example.com/r.git", "https://example.com/r.git"),
        ("git@example.com:org/r.git", "git@example.com:org/r.git"),  # scp-like: no secret
        ("/srv/repos/app", "/srv/repos/app"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_credentials_are_decoded_and_the_secret_is_the_password_or_the_token() -> None:
    assert url_credentials("http://a%40b:p%3Ass@h/x") == ("a@b", "p:ss")
    assert secrets_of("http://git:hunter2@h/x") == ("hunter2",)
    assert secrets_of("http://tok@h/x") == ("tok",)
    assert secrets_of("http://h/x") == ()


def test_redact_text_scrubs_git_stderr() -> None:
    stderr = "fatal: unable to access 'https://bob:hunter2@host/r.git/': 403; retry hunter2"
    assert redact_text(stderr, ("hunter2",)) == (
        "fatal: unable to access 'https://host/r.git/': 403; retry ***"
    )


userinfo = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~%!$&'()*+,;=", min_size=1)


@given(user=userinfo, password=userinfo, path=st.text(alphabet="abc/._-", max_size=20))
def test_no_password_survives_redaction(user: str, password: str, path: str) -> None:
    url = f"https://{user}:{password}@example.com/{path}"
    assert redact_url(url) == f"https://example.com/{path}"
    text = redact_text(f"error talking to {url}: denied", secrets_of(url))
    assert f"{user}:{password}@" not in text
    assert "@example.com" not in text


def test_cache_key_ignores_credentials(tmp_path: object) -> None:
    a = cache_path_for("https://u:p@example.com/r.git", "/c")
    b = cache_path_for("https://example.com/r.git", "/c")
    assert a == b
    assert str(a).startswith("/c/repos/")
    assert "p@" not in str(a)


@pytest.mark.parametrize(
    "ref", ["main", "v1.2.3", "origin/main", "HEAD~2", "a" * 40, "release/2024-01", "HEAD^{}"]
)
def test_valid_refs(ref: str) -> None:
    assert validate_ref(ref) == ref


@pytest.mark.parametrize(
    "ref", ["", "-h", "--upload-pack=touch /tmp/x", "HEAD:secret.yaml", "a b", "x\ny", "a\\b"]
)
def test_hostile_refs_are_refused(ref: str) -> None:
    with pytest.raises(SourceError, match="invalid ref"):
        validate_ref(ref)


def test_repo_paths_are_normalised_and_cannot_escape() -> None:
    assert normalise_repo_path("./apps//prod/") == "apps/prod"
    assert normalise_repo_path("") == ""
    assert normalise_repo_path("/") == ""
    with pytest.raises(SourceError):
        normalise_repo_path("apps/../../etc")
    with pytest.raises(SourceError):
        normalise_repo_path("a\nb")


def test_is_remote_url(tmp_path: object) -> None:
    assert is_remote_url("https://example.com/r.git")
    assert is_remote_url("file:///srv/r.git")
    assert is_remote_url("git@github.com:org/r.git")
    assert not is_remote_url(str(tmp_path))
    assert not is_remote_url("relative/dir")
