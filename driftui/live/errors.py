"""What reading the cluster can fail with: one line each, never a secret, never a traceback.

Every class derives from :class:`ClusterError`, itself a :class:`~driftui.errors.DriftuiError`.
:class:`ServerUnavailable` marks faults of the server rather than of the request, so a
caller doing many requests (a sync) may count them and stop early.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from driftui.errors import DriftuiError


class ClusterError(DriftuiError, RuntimeError):
    """Base of everything the cluster layer raises; messages are one line, with no secrets."""


class ServerUnavailable(ClusterError):
    """The server could not serve a request: unreachable, timed out, or 429/5xx after retries.

    One failure of this kind says little; several in a row say the server is down, so a
    caller doing many requests (a sync) may count them and stop early.
    """


class ClusterUnreachable(ServerUnavailable):
    """No answer at all: connection refused, TLS failure, a connection that dropped."""


class RequestTimedOut(ServerUnavailable):
    """No answer within ``--request-timeout``, retries included."""


class KubeconfigError(ClusterError):
    pass


@dataclass
class ApiError(ClusterError):
    status: int
    reason: str
    message: str
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.reason}: {self.message}"


@dataclass
class ApiUnavailable(ApiError, ServerUnavailable):
    """The server's own answer, 429 or 5xx, after any retries: it was reached, it said no.

    Named as an answer ("504 Gateway Timeout from https://...") so it never reads as
    "cannot reach", which is a different fault with a different fix.
    """

    server: str = ""
    attempts: int = 1

    def __str__(self) -> str:
        phrase = _phrase(self.status)
        text = f"{self.status} {phrase} from {self.server}" if self.server else str(self.status)
        if self.message and self.message.rstrip(".").lower() != phrase.lower():
            text += f": {self.message}"
        return text + (f" (gave up after {self.attempts} attempts)" if self.attempts > 1 else "")


class Unauthenticated(ClusterError):
    """401: a token that expired or never was; a clear message, never a traceback."""


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def api_error(status: int, raw: bytes, server: str = "", attempts: int = 1) -> ApiError:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict):
        reason, message = str(body.get("reason", "")), str(body.get("message", ""))
    else:
        body = None
        text = raw.decode(errors="replace").strip().splitlines()
        reason, message = "", (text[0][:300] if text else f"HTTP {status}")
    if status == 429 or status >= 500:
        return ApiUnavailable(status, reason, message, body, server=server, attempts=attempts)
    return ApiError(status, reason, message, body)
