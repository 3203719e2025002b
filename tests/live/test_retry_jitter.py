"""Jitter lengthens a wait, never shortens what the server asked, and stays bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from driftui.live.patience import JITTER, MAX_RETRIES, MAX_WAIT, RetryPolicy, parse_retry_after

POLICY = RetryPolicy()
spreads = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


@given(st.integers(0, 10**6), st.integers(1, MAX_RETRIES), spreads)
def test_a_wait_honours_retry_after_up_to_the_cap_and_jitter_bounds_it(
    seconds: int, retry: int, spread: float
) -> None:
    wait = POLICY.wait(retry, parse_retry_after(str(seconds)), spread)
    assert min(seconds, MAX_WAIT) <= wait <= min(seconds, MAX_WAIT) * (1 + JITTER)


@given(st.integers(1, MAX_RETRIES), spreads)
def test_a_backoff_without_retry_after_is_jittered_within_the_same_bound(
    retry: int, spread: float
) -> None:
    base = min(POLICY.first_backoff * 2 ** (retry - 1), MAX_WAIT)
    assert base <= POLICY.wait(retry, None, spread) <= base * (1 + JITTER)


@given(st.floats(allow_nan=False), st.integers(1, MAX_RETRIES))
def test_any_draw_is_clamped_so_no_wait_is_negative_or_unbounded(draw: float, retry: int) -> None:
    assert 0 <= POLICY.wait(retry, 3.0, draw) <= 3.0 * (1 + JITTER)


def test_the_whole_wait_of_a_request_is_bounded() -> None:
    worst = sum(POLICY.wait(r, 10**6, 0.999999) for r in range(1, MAX_RETRIES + 1))
    assert worst < MAX_RETRIES * MAX_WAIT * (1 + JITTER)
