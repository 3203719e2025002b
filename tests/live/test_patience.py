"""--request-timeout parses as kubectl's does; the retry rules follow client-go, bounded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.cli import build_parser
from driftui.cli.flags import options_from
from driftui.live.client import DEFAULT_TIMEOUT
from driftui.live.patience import (
    DROPPED,
    MAX_RETRIES,
    MAX_WAIT,
    THROTTLE_ONLY,
    RetryPolicy,
    parse_request_timeout,
    parse_retry_after,
)

UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("", 0.0),
        ("5", 5.0),
        ("1s", 1.0),
        ("2m", 120.0),
        ("3h", 10800.0),
        ("1m30s", 90.0),
        ("1.5s", 1.5),
        ("500ms", 0.5),
        ("0s", 0.0),
        ("+2s", 2.0),
    ],
)
def test_kubectl_timeout_forms(text: str, seconds: float) -> None:
    assert parse_request_timeout(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["-1", "-1s", "1.5", "1x", "s", "1 s", "abc", "+", "1s2"])
def test_bad_timeouts_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="invalid timeout value"):
        parse_request_timeout(text)


@given(st.integers(min_value=0, max_value=10**9))
def test_a_plain_integer_is_seconds(n: int) -> None:
    assert parse_request_timeout(str(n)) == float(n)


@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(sorted(UNITS))), min_size=1))
def test_a_duration_is_the_sum_of_its_parts(parts: list[tuple[int, str]]) -> None:
    text = "".join(f"{n}{unit}" for n, unit in parts)
    expected = sum(n * UNITS[unit] for n, unit in parts)
    assert parse_request_timeout(text) == pytest.approx(expected)


@given(st.text(max_size=12))
def test_any_text_parses_or_is_rejected_cleanly(text: str) -> None:
    try:
        assert parse_request_timeout(text) >= 0
    except ValueError as exc:
        assert "invalid timeout value" in str(exc)


def test_the_flag_reaches_the_scan_options_before_or_after_the_verb() -> None:
    parser = build_parser()
    assert options_from(parser.parse_args(["diff"])).request_timeout == DEFAULT_TIMEOUT
    assert (
        options_from(parser.parse_args(["diff", "--request-timeout", "2m"])).request_timeout == 120
    )
    assert (
        options_from(parser.parse_args(["--request-timeout", "0", "report"])).request_timeout == 0
    )


def test_a_bad_flag_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["diff", "--request-timeout", "soon"])
    assert exit_.value.code == 2
    assert "invalid timeout value 'soon'" in capsys.readouterr().err


def test_which_answers_are_asked_again() -> None:
    policy = RetryPolicy()
    for method in ("GET", "POST", "PATCH", "DELETE"):
        assert policy.retryable(429, method, dry_run=False)
        assert policy.retryable(503, method, dry_run=False)
    assert policy.retryable(504, "GET", dry_run=False)
    assert policy.retryable(504, "PATCH", dry_run=True)
    assert not policy.retryable(504, "PATCH", dry_run=False)
    assert not policy.retryable(504, "DELETE", dry_run=False)
    assert not policy.retryable(500, "GET", dry_run=False)
    assert not policy.retryable(404, "GET", dry_run=False)
    assert policy.retryable(DROPPED, "GET", dry_run=False)
    assert policy.retryable(DROPPED, "PATCH", dry_run=True)
    assert not policy.retryable(DROPPED, "POST", dry_run=False)
    assert not THROTTLE_ONLY.retryable(503, "GET", dry_run=False)
    assert THROTTLE_ONLY.retryable(429, "GET", dry_run=False)


def test_waits_honour_retry_after_and_back_off_to_a_cap() -> None:
    policy = RetryPolicy()
    assert policy.wait(1, 3.0) == 3.0
    assert policy.wait(1, 600.0) == MAX_WAIT
    waits = [policy.wait(n, None) for n in range(1, MAX_RETRIES + 1)]
    assert waits[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(waits) == MAX_WAIT and waits == sorted(waits)


def test_retry_after_reads_the_seconds_form_only() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after("-1") is None
