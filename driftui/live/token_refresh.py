"""How often the official client may refresh a kubeconfig's token: not before every request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from driftui.live.patience import Clock


class ThrottledRefresh:
    """The kubeconfig loader's token refresh, run at most once per ``every`` seconds.

    The official client runs it before every request: it re-copies the whole kubeconfig
    into the configuration, and setting its host re-reads the proxy environment, 0.6 ms of
    CPU per request (a third of a dry-run's own cost, issue 21). A token is refreshed five
    minutes before it expires, so asking once a second changes nothing a server sees.
    """

    def __init__(self, hook: Callable[[Any], None], clock: Clock, every: float = 1.0) -> None:
        self._hook = hook
        self._clock = clock
        self._every = every
        self._last: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def install(cls, configuration: Any, clock: Clock) -> None:
        """Throttle ``configuration``'s refresh, if the kubeconfig gave it one (a token)."""
        hook = configuration.refresh_api_key_hook
        if hook is not None:
            configuration.refresh_api_key_hook = cls(hook, clock)

    def __call__(self, configuration: Any) -> None:
        with self._lock:
            now = self._clock.monotonic()
            if self._last is not None and now - self._last < self._every:
                return
            self._hook(configuration)
            self._last = now
            # The loader's refresh installs itself again: keep it, behind this throttle.
            fresh = configuration.refresh_api_key_hook
            if fresh is not None and fresh is not self:
                self._hook, configuration.refresh_api_key_hook = fresh, self
