"""How long to wait for the API server: the request timeout, and when and how to ask again.

client-go (``rest/request.go``, ``rest/with_retry.go``) asks again up to 10 times when the
server answers 429 or a 5xx carrying ``Retry-After``, sleeping the seconds it names, and all
of it inside one ``--request-timeout``. driftui keeps those rules and bounds them:

- 429 and 503 are retried on every verb: the server did not process the request, so
  sending it again cannot apply a write twice. They are retried with or without
  ``Retry-After``.
- 504 is retried only on reads (GET, HEAD) and dry-runs: a gateway that timed out may
  have passed a write on, so only requests that change nothing are repeated.
- A read (or dry-run) whose connection was reset or closed without an answer is asked
  again after 1 s, as client-go does for GET: an API server that restarts drops them.
- The wait is ``Retry-After`` when the server sends one, else 0.5 s doubling per retry.
  Every wait is capped at :data:`MAX_WAIT` (8 s), then lengthened by up to :data:`JITTER`
  (a fifth) at random, so LIST workers throttled together do not all come back in the same
  instant; a wait is never shorter than the header asked (up to the cap). Even with no
  timeout a request gives up after at most 10 retries and 96 s of waiting. With a timeout,
  no wait is begun that would end past it: the request gives up at once and names the
  server's answer.
- Time is read and slept through a :class:`Clock`, so tests can count the waits a real
  server's answers caused without waiting them out.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import Protocol

MAX_RETRIES = 10  # client-go's default
FIRST_BACKOFF = 0.5  # seconds before the first retry when the server names no wait
MAX_WAIT = 8.0  # cap on any one wait, Retry-After included, before jitter
JITTER = 0.2  # each wait grows by up to this fraction of itself (client-go's wait.Jitter)

DROPPED = 0  # pseudo-status: the connection closed before any answer came
DROPPED_WAIT = 1.0  # client-go answers a dropped GET with an artificial Retry-After: 1
RETRY_ALWAYS = frozenset({429, 503})  # the server did not process the request
RETRY_IF_HARMLESS = frozenset({504})  # a gateway gave up; the request may have gone on
HARMLESS_METHODS = frozenset({"GET", "HEAD"})

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
TIMEOUT_HELP = "a single integer in seconds, or an integer followed by a unit (e.g. 1s | 2m | 3h)"


def parse_request_timeout(text: str) -> float:
    """kubectl's ``--request-timeout``: "0" is no timeout, "5" is seconds, "1m30s" a duration.

    Returns seconds; 0.0 means wait forever. Raises ValueError with kubectl's wording.
    """
    value = text.strip()
    if value in ("", "0"):
        return 0.0
    if value.isascii() and value.isdigit():  # "¹" is a digit to Python, not to kubectl
        return float(value)
    value = value.removeprefix("+")  # Go's ParseDuration takes a sign; a negative fails below
    if not value:
        raise ValueError(f"invalid timeout value {text!r}: must be {TIMEOUT_HELP}")
    total, pos = 0.0, 0
    while pos < len(value):
        match = _PART.match(value, pos)
        if match is None:
            raise ValueError(f"invalid timeout value {text!r}: must be {TIMEOUT_HELP}")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return total


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header; client-go reads only the integer form too."""
    if value is None:
        return None
    text = value.strip()
    return float(text) if text.isdigit() else None


@dataclass(frozen=True)
class RetryPolicy:
    """Which answers to ask again for, how often, and how long to wait between."""

    max_retries: int = MAX_RETRIES
    first_backoff: float = FIRST_BACKOFF
    max_wait: float = MAX_WAIT
    always: frozenset[int] = RETRY_ALWAYS
    if_harmless: frozenset[int] = RETRY_IF_HARMLESS | {DROPPED}

    def retryable(self, status: int, method: str, dry_run: bool) -> bool:
        if status in self.always:
            return True
        return status in self.if_harmless and (method.upper() in HARMLESS_METHODS or dry_run)

    jitter: float = JITTER

    def wait(self, retry: int, retry_after: float | None, spread: float = 0.0) -> float:
        """Seconds to sleep before retry number ``retry`` (1 for the first).

        ``spread`` in [0, 1) picks the jitter: 0 waits exactly what the server asked.
        """
        if retry_after is not None:
            base = min(retry_after, self.max_wait)
        else:
            base = min(self.first_backoff * 2.0 ** (retry - 1), self.max_wait)
        return base * (1.0 + self.jitter * min(max(spread, 0.0), 1.0))


NO_RETRIES = RetryPolicy(max_retries=0)
# An aggregated API whose backend is down answers 503 for as long as it is down; a caller
# that can do without it asks once more only when throttled.
THROTTLE_ONLY = RetryPolicy(always=frozenset({429}), if_harmless=frozenset({DROPPED}))


class Clock(Protocol):
    """Where requests read the time and wait: the system's, or a test's that records."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def spread(self) -> float:
        """A number in [0, 1) that picks the jitter of one wait."""
        ...


class SystemClock:
    """The real clock, and a random jitter."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def spread(self) -> float:
        return random.random()  # jitter, not a secret: the module generator will do


SYSTEM_CLOCK = SystemClock()
