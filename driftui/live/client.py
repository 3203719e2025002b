"""A thin Kubernetes API client: kubeconfig conventions in, raw JSON out, writes gated.

The official client handles kubeconfig, exec and auth-provider plugins and TLS; we take
its connection and skip its model objects, which cost far more than the JSON they wrap.
Every request other than GET passes through the :class:`MutationGate` first, so read-only
mode holds here no matter what a caller forgets.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import urllib3

from driftui.gate import MutationGate
from driftui.live.connection import connect
from driftui.live.errors import (
    ClusterUnreachable,
    RequestTimedOut,
    Unauthenticated,
    api_error,
)
from driftui.live.patience import (
    DROPPED,
    DROPPED_WAIT,
    SYSTEM_CLOCK,
    Clock,
    RetryPolicy,
    parse_retry_after,
)
from driftui.runtime.pacing import foreground_present, give_way

APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
JSON_TYPE = "application/json"
DEFAULT_TIMEOUT = 30.0  # seconds; kubectl's default is none, but a hung server must not hang us
DEFAULT_RETRY = RetryPolicy()
# Objects a LIST page holds while a foreground is open. A page is decoded in one piece that
# holds the interpreter lock: 500 ConfigMaps took ~15 ms, and a key pressed during a rescan
# waited behind four readers' pages (benchmarks/bench_scale).
FOREGROUND_PAGE = 100
BODY_PIECE = 32 * 1024  # bytes of a response read between two chances to give way

log = logging.getLogger(__name__)


class _Dropped(ClusterUnreachable):
    """The connection closed under a request; only :meth:`ClusterClient._send` sees this."""


@dataclass(frozen=True)
class _Request:
    """What is needed to send a request again."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any
    content_type: str
    accept: str

    @property
    def dry_run(self) -> bool:
        return any(key == "dryRun" for key, _ in self.query)


@dataclass(frozen=True)
class Resource:
    """Where a write goes, so the gate can name it and the RBAC probe can check it."""

    group: str
    resource: str
    namespace: str = ""


class ClusterClient:
    def __init__(
        self,
        api_client: Any,
        *,
        gate: MutationGate,
        context: str = "",
        namespace: str = "default",
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._api = api_client
        self.gate = gate
        self.context = context
        self.namespace = namespace
        self.timeout = timeout  # seconds per request, retries included; 0 = no timeout
        self.retry = retry
        self.clock = clock  # what retries sleep on; a test's clock records the waits
        self._forbidden = False

    @property
    def server(self) -> str:
        return str(self._api.configuration.host)

    def forbid_requests(self) -> None:
        """No request may leave this process from now on: a forked copy shares its parent's
        connections, and the two talking on one at once would tear it."""
        self._forbidden = True

    def _allowed(self, method: str, path: str) -> None:
        """Every request, a plain one or a watch, passes here first."""
        if self._forbidden:
            raise RuntimeError(f"no request may leave this process: {method} {path}")

    @classmethod
    def from_kubeconfig(
        cls,
        kubeconfig: str | None = None,
        context: str | None = None,
        *,
        gate: MutationGate,
        timeout: float = DEFAULT_TIMEOUT,
        pool_size: int = 16,
        clock: Clock = SYSTEM_CLOCK,
    ) -> ClusterClient:
        """Honour --kubeconfig, then $KUBECONFIG (colon-separated), then ~/.kube/config
        (:func:`~driftui.live.connection.connect`)."""
        made = connect(kubeconfig, context, pool_size, clock)
        return cls(
            made.api,
            gate=gate,
            context=made.context,
            namespace=made.namespace,
            timeout=timeout,
            clock=clock,
        )

    def close(self) -> None:
        self._api.close()

    # -- transport -------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str = JSON_TYPE,
        accept: str = JSON_TYPE,
        policy: RetryPolicy | None = None,
    ) -> bytes:
        """One request, asked again on 429/503 (and 504 where harmless), within the timeout."""
        self._allowed(method, path)
        request = _Request(method, path, tuple(query), body, content_type, accept)
        policy = policy or self.retry
        deadline = self.clock.monotonic() + self.timeout if self.timeout > 0 else None
        attempt, last_status, lost = 1, 0, ""
        while True:
            try:
                status, data, retry_after = self._once(request, deadline, last_status)
            except _Dropped as dropped:  # no answer: asked again only where harmless
                status, data, retry_after, lost = DROPPED, b"", f"{DROPPED_WAIT:g}", str(dropped)
            if 200 <= status < 300:
                return data
            if status == 401:
                raise Unauthenticated(
                    f"{self.server} rejected the credentials of context {self.context!r}"
                    " (401 Unauthorized): the token is expired or wrong"
                )
            wait = self._next_wait(request, policy, status, retry_after, attempt, deadline)
            if wait is None and status == DROPPED:
                raise ClusterUnreachable(lost) from None
            if wait is None:
                raise api_error(status, data, self.server, attempt)
            log.info(
                "%s %s answered %s; retry %d of %d in %.1fs",
                method,
                path,
                status or "nothing (connection closed)",
                attempt,
                policy.max_retries,
                wait,
            )
            self.clock.sleep(wait)
            attempt, last_status = attempt + 1, status or last_status

    def _next_wait(
        self,
        request: _Request,
        policy: RetryPolicy,
        status: int,
        retry_after: str | None,
        attempt: int,
        deadline: float | None,
    ) -> float | None:
        """Seconds to wait before asking again, or None when this answer is final."""
        if attempt > policy.max_retries or not policy.retryable(
            status, request.method, request.dry_run
        ):
            return None
        wait = policy.wait(attempt, parse_retry_after(retry_after), self.clock.spread())
        if deadline is not None and self.clock.monotonic() + wait >= deadline:
            return None  # the answer we have is better than a timeout after a sleep
        return wait

    def _once(
        self, request: _Request, deadline: float | None, last_status: int
    ) -> tuple[int, bytes, str | None]:
        """One attempt: (status, body, Retry-After). Transport failures raise, named."""
        remaining = None if deadline is None else deadline - self.clock.monotonic()
        if remaining is not None and remaining <= 0:
            raise self._timed_out(request, last_status)
        try:
            method, url, headers, body, _ = self._api.param_serialize(
                method=request.method,
                resource_path=request.path,
                query_params=list(request.query),
                header_params={"Accept": request.accept, "Content-Type": request.content_type},
                body=request.body,
                auth_settings=["BearerToken"],
            )
            response = self._api.call_api(
                method, url, header_params=headers, body=body, _request_timeout=remaining
            )
            data = _body(response)
        except urllib3.exceptions.ReadTimeoutError:
            raise self._timed_out(request, last_status) from None
        except urllib3.exceptions.ProtocolError as exc:  # reset, or closed without an answer
            raise _Dropped(f"cannot reach {self.server}: {_root_cause(exc)}") from None
        except urllib3.exceptions.HTTPError as exc:
            raise ClusterUnreachable(f"cannot reach {self.server}: {_root_cause(exc)}") from None
        except Exception as exc:
            raise self._client_error(exc) from None
        return int(response.status), data, response.headers.get("Retry-After")

    def _client_error(self, exc: Exception) -> Exception:
        """What a failure inside the official client means: no answer (status 0), the
        server's own answer, or, for anything else, the exception itself."""
        status = getattr(exc, "status", None)
        if status == 0:
            reason = str(getattr(exc, "reason", "") or exc)
            return ClusterUnreachable(f"cannot reach {self.server}: {_root_cause(exc, reason)}")
        if isinstance(status, int) and status:
            return api_error(status, getattr(exc, "body", b"") or b"", self.server)
        return exc

    def _timed_out(self, request: _Request, last_status: int) -> RequestTimedOut:
        earlier = f"; earlier attempts answered {last_status}" if last_status else ""
        return RequestTimedOut(
            f"{request.method} {request.path} to {self.server} timed out after"
            f" {self.timeout:g}s (--request-timeout{earlier})"
        )

    def get(
        self,
        path: str,
        query: Sequence[tuple[str, str]] = (),
        accept: str = JSON_TYPE,
        policy: RetryPolicy | None = None,
    ) -> Any:
        return json.loads(self._send("GET", path, query=query, accept=accept, policy=policy))

    def list_items(
        self, path: str, limit: int = 500, label_selector: str = ""
    ) -> Iterator[dict[str, Any]]:
        """Every item of a LIST, page by page (limit/continue), as raw decoded JSON."""
        token = ""
        selector = [("labelSelector", label_selector)] if label_selector else []
        if foreground_present():
            limit = min(limit, FOREGROUND_PAGE)
        while True:
            query = [("limit", str(limit)), *selector] + ([("continue", token)] if token else [])
            give_way()  # reading a page's answer takes the interpreter lock in stretches too
            raw = self._send("GET", path, query=query, accept=JSON_TYPE)
            give_way()  # decoding a page holds the interpreter lock for milliseconds
            page = json.loads(raw)
            yield from page.get("items") or []
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return

    def stream(self, path: str, query: Sequence[tuple[str, str]], read_timeout: float) -> Any:
        """A GET whose body is read as it arrives (a WATCH): the urllib3 response, unread.

        Not retried and not bound by --request-timeout: a watch is meant to stay open; the
        caller sets the server's ``timeoutSeconds`` and reconnects. Transport failures raise
        :class:`ClusterUnreachable`; the caller reads ``status`` and closes the response.
        """
        self._allowed("GET", path)
        try:
            method, url, headers, _, _ = self._api.param_serialize(
                method="GET",
                resource_path=path,
                query_params=list(query),
                header_params={"Accept": JSON_TYPE},
                auth_settings=["BearerToken"],
            )
            response = self._api.call_api(
                method,
                url,
                header_params=headers,
                _request_timeout=(self.timeout or None, read_timeout),
            )
        except urllib3.exceptions.HTTPError as exc:
            raise ClusterUnreachable(f"cannot reach {self.server}: {_root_cause(exc)}") from None
        except Exception as exc:
            raise self._client_error(exc) from None
        return response.response

    def _write(
        self, method: str, path: str, target: Resource, verb: str, **kwargs: Any
    ) -> dict[str, Any]:
        self.gate.check(verb, target.group, target.resource, target.namespace)
        raw = self._send(method, path, **kwargs)
        result: dict[str, Any] = json.loads(raw) if raw else {}
        return result

    def apply(
        self,
        path: str,
        obj: dict[str, Any],
        target: Resource,
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply. Even a dry-run goes through the gate: read-only sends nothing."""
        query = [("fieldManager", field_manager)]
        query += [("force", "true")] if force else []
        query += [("dryRun", "All")] if dry_run else []
        return self._write(
            "PATCH", path, target, "patch", query=query, body=obj, content_type=APPLY_PATCH
        )

    def create(
        self, path: str, obj: dict[str, Any], target: Resource, *, dry_run: bool = False
    ) -> dict[str, Any]:
        query = [("dryRun", "All")] if dry_run else []
        return self._write("POST", path, target, "create", query=query, body=obj)

    def merge_patch(self, path: str, patch: dict[str, Any], target: Resource) -> dict[str, Any]:
        return self._write("PATCH", path, target, "patch", body=patch, content_type=MERGE_PATCH)

    def delete(
        self, path: str, target: Resource, *, uid: str = "", resource_version: str = ""
    ) -> dict[str, Any]:
        """Delete, only if the object is still the one read (uid and resourceVersion).

        The server checks the preconditions atomically with the delete: a 409 Conflict
        means the object was replaced or edited since, and nothing was deleted.
        """
        preconditions = {"uid": uid} if uid else {}
        preconditions |= {"resourceVersion": resource_version} if resource_version else {}
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": preconditions}
        return self._write("DELETE", path, target, "delete", body=body if preconditions else None)

    def can_i(self, verb: str, group: str, resource: str, namespace: str = "") -> bool:
        """SelfSubjectAccessReview. Not a mutation, but still a POST: never sent in read-only."""
        if self.gate.read_only:
            return False
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {
                    "verb": verb,
                    "group": group,
                    "resource": resource,
                    "namespace": namespace,
                }
            },
        }
        raw = self._send(
            "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=review
        )
        return bool(json.loads(raw).get("status", {}).get("allowed"))


def _root_cause(exc: BaseException, text: str = "") -> str:
    reason = getattr(exc, "reason", None)
    while isinstance(reason, BaseException) and getattr(reason, "reason", None) is not None:
        reason = getattr(reason, "reason", None)
    text = text or str(reason or exc)
    for marker in ("Connection refused", "timed out", "Name or service not known", "certificate"):
        if marker in text:
            return marker.lower() if marker != "certificate" else text.split(">: ")[-1][:160]
    return text.split(">: ")[-1][:160]


def object_path(
    group: str, version: str, resource: str, namespace: str = "", name: str = ""
) -> str:
    base = f"/apis/{group}/{version}" if group else f"/api/{version}"
    if namespace:
        base += f"/namespaces/{quote(namespace, safe='')}"
    base += f"/{resource}"
    return base + (f"/{quote(name, safe='')}" if name else "")


def _body(response: Any) -> bytes:
    """A response's body, read a piece at a time, giving way in between.

    A LIST page arrives in HTTP chunks that http.client takes apart in Python: four
    readers doing so at once used up to 65 ms of the interpreter during one key press,
    between the pauses before each request and each decoding (bench_scale --per-key)."""
    raw = getattr(response, "response", None)  # the official client's urllib3 response
    if not isinstance(raw, urllib3.BaseHTTPResponse):
        return bytes(response.read() or b"")
    pieces = []
    for piece in raw.stream(BODY_PIECE):
        pieces.append(piece)
        give_way()
    return b"".join(pieces)
